import { ZodError } from "zod";
import { DATABASE_RETRY_AFTER_SECONDS, DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from "./db-errors";
import { bodyReadFailed } from "./client-abort";
import { AppError, DATABASE_INPUT_MESSAGE, ERROR_CODES, INTERNAL_MESSAGE, isDatabaseInputError } from "./errors";
import { newId } from "./ids";
import { log } from "./log";

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store", ...headers },
  });
}

/** The one place HTTP routes turn errors into JSON answers with a human-readable `error`. */
export function errorResponse(err: unknown): Response {
  // An AppError("INTERNAL") is a bug someone anticipated: its message is for the log, not the client.
  if (err instanceof AppError && err.code !== "INTERNAL") {
    const body: Record<string, unknown> = { error: err.message };
    if (err.reason !== undefined) body.code = err.reason;
    if (err.details !== undefined) body.issues = err.details;
    // docs/api.md: a 400 always carries `issues`; a check that names no part of the input points at the whole of it.
    else if (err.code === "BAD_REQUEST") body.issues = [{ path: "", message: err.message }];
    return jsonResponse(ERROR_CODES[err.code].status, body);
  }
  if (err instanceof ZodError) {
    return jsonResponse(400, {
      error: "invalid request",
      issues: err.issues.map((i) => ({ path: "/" + i.path.map(String).join("/"), message: i.message })),
    });
  }
  // The database being away is an outage, not a bug: 503, and the client retries (docs/api.md).
  if (isDatabaseUnavailable(err)) {
    return jsonResponse(503, { error: DATABASE_UNAVAILABLE_MESSAGE }, { "Retry-After": String(DATABASE_RETRY_AFTER_SECONDS) });
  }
  // A value the database refused slipped past the edge's checks: still the request's fault.
  if (isDatabaseInputError(err)) {
    logInternal(err, "database refused a value of the request", "warn");
    return jsonResponse(400, { error: DATABASE_INPUT_MESSAGE, issues: [{ path: "", message: DATABASE_INPUT_MESSAGE }] });
  }
  return internalError(err);
}

/**
 * Logs an unexpected failure once, with a new correlation id (returned, for the answer), in the
 * format every part of the server uses (pino, one JSON line; scripts/start.mjs writes the same).
 */
export function logInternal(err: unknown, msg: string, level: "error" | "warn" = "error", extra: Record<string, unknown> = {}): string {
  const correlationId = newId("err");
  log[level]({ err, correlationId, ...extra }, msg);
  return correlationId;
}

/** Anything unexpected: logged once with a correlation id the answer carries too; no internals in the answer. */
export function internalError(err: unknown): Response {
  const correlationId = logInternal(err, "unhandled error in route");
  return jsonResponse(500, { error: INTERNAL_MESSAGE, correlationId });
}

export function route<A extends unknown[]>(fn: (...args: A) => Promise<Response>): (...args: A) => Promise<Response> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (err) {
      return errorResponse(err);
    }
  };
}

/** Reads a request body's bytes up to `limit`; null when it is larger (the rest is not read). */
export async function readLimited(req: Request, limit: number): Promise<Buffer | null> {
  if (!req.body) return Buffer.alloc(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read().catch(bodyReadFailed);
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}
