import { AppError } from "../lib/errors";

/**
 * A feed cursor: the position of the last change a consumer has seen (0 before the first). It
 * travels as opaque text ("c1." then base64url of the decimal position) so consumers store it as
 * it is; the prefix names the format in case it ever changes.
 */
export const FEED_START = 0n;
const PREFIX = "c1.";

export function encodeCursor(position: bigint): string {
  return PREFIX + Buffer.from(String(position), "utf8").toString("base64url");
}

export const BAD_CURSOR = "after must be a cursor this feed returned (a `next` or a change's `cursor`), or left out to start at the beginning";

export function decodeCursor(text: string): bigint {
  if (!text.startsWith(PREFIX) || text.length > 40) throw new AppError("BAD_REQUEST", BAD_CURSOR);
  const body = text.slice(PREFIX.length);
  const digits = /^[A-Za-z0-9_-]+$/.test(body) ? Buffer.from(body, "base64url").toString("utf8") : "";
  // Up to 18 digits: always within PostgreSQL's bigint.
  if (!/^(0|[1-9]\d{0,17})$/.test(digits)) throw new AppError("BAD_REQUEST", BAD_CURSOR);
  const position = BigInt(digits);
  // One spelling per position: text that decodes but is not what encodeCursor writes is not ours.
  if (encodeCursor(position) !== text) throw new AppError("BAD_REQUEST", BAD_CURSOR);
  return position;
}
