/**
 * Telling "the database is away" from "this request broke something". A sender told 500 cannot
 * know that retrying will work; told 503 with Retry-After, it retries. These are connection-level
 * failures only: nothing about the request's data, so the same request succeeds once the database
 * is back.
 *
 * How they surface here (checked against a real server stopped, restarted and with its
 * connections terminated):
 * - pg directly (intake's hot insert, the rate limiter): Node socket errors (ECONNREFUSED while
 *   the server is down, ECONNRESET), server errors with SQLSTATE 57P01 (admin shutdown, also what
 *   pg_terminate_backend sends), 57P02/57P03, class 08 (connection exceptions), 53300, and plain
 *   Errors without a code ("Connection terminated unexpectedly", pg-pool's connect timeout, pg's own
 *   connect timeout "timeout expired").
 * - Prisma over @prisma/adapter-pg: PrismaClientKnownRequestError P1001 ("Can't reach database
 *   server", meta.driverAdapterError.cause.kind "DatabaseNotReachable"), P2010 for raw queries with
 *   the SQLSTATE in meta.driverAdapterError.cause.code, kinds "ConnectionClosed" / "SocketTimeout" /
 *   "TooManyConnections"; errors the adapter does not map pass through as they are.
 */
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "ENOTFOUND", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN", "ECONNABORTED"]);
/** SQLSTATEs of a server that is going away, not ready, or out of connections. */
const SQLSTATE = /^(08[0-9A-Z]{3}|57P01|57P02|57P03|53300)$/;
/** Prisma's connection-level error codes (P1001 unreachable, P1002/P1008 timed out, P1017 closed, P2024 pool timeout, P2037 too many connections). */
const PRISMA_CODES = new Set(["P1001", "P1002", "P1008", "P1017", "P2024", "P2037"]);
const ADAPTER_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);
const MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Can't reach database server|server closed the connection unexpectedly|Client has encountered a connection error|Connection closed|terminating connection due to administrator command|the database system is (starting up|shutting down|in recovery mode)|^timeout expired$/i;

export function isDatabaseUnavailable(err: unknown): boolean {
  return walk(err, 0, (e) => matches(e, SOCKET_CODES, SQLSTATE, PRISMA_CODES, ADAPTER_KINDS, MESSAGES));
}

/**
 * The narrower case: no new connection can be opened (the server is stopped, starting, or the host
 * does not answer). A connection lost on its own (pg_terminate_backend, a backend crash) is not
 * this: the next connection works, so it is no reason to refuse everything until a probe succeeds.
 */
export function isDatabaseUnreachable(err: unknown): boolean {
  return walk(err, 0, (e) => matches(e, UNREACHABLE_SOCKET_CODES, /^(57P03|08001|08004)$/, UNREACHABLE_PRISMA_CODES, UNREACHABLE_KINDS, UNREACHABLE_MESSAGES));
}

const UNREACHABLE_SOCKET_CODES = new Set(["ECONNREFUSED", "ETIMEDOUT", "ENOTFOUND", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);
const UNREACHABLE_PRISMA_CODES = new Set(["P1001", "P1002"]);
const UNREACHABLE_KINDS = new Set(["DatabaseNotReachable", "SocketTimeout"]);
/**
 * `timeout expired` is pg's own connect timeout (server/db/client.ts sets it on each client): the
 * server took the TCP connection but did not finish the start-up within `connectTimeoutMs`.
 */
const UNREACHABLE_MESSAGES = /Can't reach database server|Connection terminated due to connection timeout|the database system is (starting up|shutting down|in recovery mode)|^timeout expired$/i;

type ErrorLike = { code?: unknown; kind?: unknown; message?: unknown; cause?: unknown; meta?: { driverAdapterError?: unknown } };

function matches(e: ErrorLike, codes: Set<string>, sqlstate: RegExp, prisma: Set<string>, kinds: Set<string>, messages: RegExp): boolean {
  if (typeof e.code === "string" && (codes.has(e.code) || sqlstate.test(e.code) || prisma.has(e.code))) return true;
  if (typeof e.kind === "string" && kinds.has(e.kind)) return true;
  return typeof e.message === "string" && messages.test(e.message);
}

function walk(err: unknown, depth: number, test: (e: ErrorLike) => boolean): boolean {
  if (!err || typeof err !== "object" || depth > 6) return false;
  const e = err as ErrorLike;
  return test(e) || walk(e.cause, depth + 1, test) || walk(e.meta?.driverAdapterError, depth + 1, test);
}

/** What a reader is told (docs/api.md: 503 with Retry-After). */
export const DATABASE_UNAVAILABLE_MESSAGE = "the database is unavailable; retry after the Retry-After delay";
/** What a webhook sender is told: it must know that the delivery was not kept. */
export const INTAKE_UNAVAILABLE_MESSAGE = "the database is unavailable; nothing was stored, deliver again after the Retry-After delay";
/** Seconds: a stopped server is usually back within a few; the sender's retry finds it. */
export const DATABASE_RETRY_AFTER_SECONDS = 2;

/**
 * Thrown by server components when the database is away. Next.js hides a server error's message
 * from the browser but passes an error's own `digest` through, so app/error.tsx can tell this
 * outage from a bug and say so.
 */
export const DATABASE_UNAVAILABLE_DIGEST = "DATABASE_UNAVAILABLE";

export class DatabaseUnavailableError extends Error {
  readonly digest = DATABASE_UNAVAILABLE_DIGEST;
  constructor(cause?: unknown) {
    super(DATABASE_UNAVAILABLE_MESSAGE, { cause });
    this.name = "DatabaseUnavailableError";
  }
}
