import { AppError } from "./errors";
import { log } from "./log";

/** Errors of a client that went away mid-request (an aborted body): nothing is wrong with the server. */
export function isClientAbort(err: unknown): boolean {
  const code = err && typeof err === "object" ? (err as { code?: unknown }).code : undefined;
  return (
    code === "ECONNRESET" ||
    code === "ECONNABORTED" ||
    code === "EPIPE" ||
    code === "ERR_STREAM_PREMATURE_CLOSE" ||
    (err instanceof Error && (err.message === "aborted" || err.name === "AbortError"))
  );
}

/** Reading a body failed: an abort is logged at info and answered 400 (nobody reads it); anything else is rethrown. */
export function bodyReadFailed(err: unknown): never {
  if (!isClientAbort(err)) throw err;
  log.info({ code: (err as { code?: unknown }).code }, "client aborted the request body");
  throw new AppError("BAD_REQUEST", "the request body was aborted before it was complete");
}
