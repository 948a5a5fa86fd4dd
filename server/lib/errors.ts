/** The one error type domain code throws; server/lib/http.ts and the tRPC formatter map codes to statuses. */
export type AppErrorCode =
  | "BAD_REQUEST"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "NOT_FOUND"
  | "CONFLICT"
  | "PAYLOAD_TOO_LARGE"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "TOO_MANY_REQUESTS"
  | "INTERNAL";

export class AppError extends Error {
  constructor(
    public readonly code: AppErrorCode,
    message: string,
    public readonly details?: unknown,
    /** A stable machine-readable reason, answered as `code` beside `error` (docs/api.md). */
    public readonly reason?: string,
  ) {
    super(message);
    this.name = "AppError";
  }
}

/**
 * The one table of what each code means to a client: the HTTP status the JSON routes answer
 * (server/lib/http.ts) and the tRPC code procedures answer (server/trpc/init.ts). INTERNAL is never
 * answered with its message: both paths log it once with a correlation id and answer INTERNAL_MESSAGE.
 */
export const ERROR_CODES = {
  BAD_REQUEST: { status: 400, trpc: "BAD_REQUEST" },
  UNAUTHORIZED: { status: 401, trpc: "UNAUTHORIZED" },
  FORBIDDEN: { status: 403, trpc: "FORBIDDEN" },
  NOT_FOUND: { status: 404, trpc: "NOT_FOUND" },
  CONFLICT: { status: 409, trpc: "CONFLICT" },
  PAYLOAD_TOO_LARGE: { status: 413, trpc: "PAYLOAD_TOO_LARGE" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, trpc: "UNSUPPORTED_MEDIA_TYPE" },
  TOO_MANY_REQUESTS: { status: 429, trpc: "TOO_MANY_REQUESTS" },
  INTERNAL: { status: 500, trpc: "INTERNAL_SERVER_ERROR" },
} as const satisfies Record<AppErrorCode, { status: number; trpc: string }>;

/** What a client is told of any unexpected failure (the details are in the log, under the correlation id). */
export const INTERNAL_MESSAGE = "internal error; the failure was logged";

/** What a client is told when the database refused a value of its request (a safety net behind the edge's checks). */
export const DATABASE_INPUT_MESSAGE = "a value in the request is out of range or malformed (the database cannot store or compare it)";

/**
 * Errors the database raises because of a value it was given, not because of a bug or an outage:
 * numeric out of range (22003), datetime overflow and bad format (22008, 22007), invalid text
 * representation (22P02), untranslatable character (22021, e.g. a NUL), value too long (22001).
 * The edge's checks (server/lib/safe-text.ts) should keep all of them out; if one gets through,
 * it is still the request's fault: 400, not 500. Prisma reports them as P2000, P2007, P2020 and
 * P2033, or carries the SQLSTATE in meta.driverAdapterError.cause.originalCode.
 */
const INPUT_SQLSTATES = new Set(["22001", "22003", "22007", "22008", "22P02", "22021"]);
const INPUT_PRISMA_CODES = new Set(["P2000", "P2007", "P2020", "P2033"]);
const INPUT_ADAPTER_KINDS = new Set(["ValueOutOfRange", "InvalidInputValue", "LengthMismatch"]);

export function isDatabaseInputError(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== "object" || depth > 6) return false;
  const e = err as { code?: unknown; originalCode?: unknown; kind?: unknown; cause?: unknown; meta?: { driverAdapterError?: unknown } };
  if (typeof e.code === "string" && (INPUT_SQLSTATES.has(e.code) || INPUT_PRISMA_CODES.has(e.code))) return true;
  if (typeof e.originalCode === "string" && INPUT_SQLSTATES.has(e.originalCode)) return true;
  if (typeof e.kind === "string" && INPUT_ADAPTER_KINDS.has(e.kind)) return true;
  return isDatabaseInputError(e.cause, depth + 1) || isDatabaseInputError(e.meta?.driverAdapterError, depth + 1);
}
