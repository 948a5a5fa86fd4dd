import "server-only";
import { authenticateBearer } from "../auth/bearer";
import type { Db } from "../db/client";
import { AppError } from "../lib/errors";
import { jsonResponse, route } from "../lib/http";
import { assertSafeInput, isStorableText, UNSTORABLE_MESSAGE } from "../lib/safe-text";
import { getRuntime } from "../runtime";

/** The longest id a path segment may carry (case ids, source names and webhook ids are far shorter). */
export const MAX_SEGMENT_LENGTH = 200;

/**
 * One path segment of the request URL, percent-decoded exactly once. Taken from the raw URL
 * rather than Next's params so ids containing "%", "/" or spaces mean the same on every version.
 * It reaches the database as an id, so it passes the edge's string check first (server/lib/safe-text.ts).
 */
export function pathSegment(url: URL, index: number): string {
  const raw = url.pathname.split("/")[index] ?? "";
  const decoded = decodePathSegment(url, index);
  if (!isStorableText(decoded)) throw new AppError("BAD_REQUEST", `the URL path segment "${raw.slice(0, 100)}" ${UNSTORABLE_MESSAGE}`);
  if (decoded.length > MAX_SEGMENT_LENGTH) throw new AppError("BAD_REQUEST", `the URL path segment is longer than ${MAX_SEGMENT_LENGTH} characters`);
  return decoded;
}

/**
 * Only percent-decoding, for the webhook route: its source name is looked up in memory, never in a
 * query, and an unknown one is refused 404 and counted in the intake log like any other.
 */
export function decodePathSegment(url: URL, index: number): string {
  const raw = url.pathname.split("/")[index] ?? "";
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new AppError("BAD_REQUEST", `malformed percent-encoding in the URL path segment "${raw.slice(0, 100)}"`);
  }
}

/** A read-API route: bearer authentication, then the domain call, answered as JSON. */
export function readRoute(fn: (db: Db, url: URL, req: Request) => Promise<unknown>) {
  return route(async (req: Request) => {
    const rt = await getRuntime();
    await authenticateBearer(rt.db, rt.env.API_TOKEN, req.headers.get("authorization"));
    const url = new URL(req.url);
    // Every name and value, each copy of a repeated name included (routes read the first, fromEntries keeps the last).
    for (const [name, value] of url.searchParams) assertSafeInput({ [name]: value }, "query parameter");
    return jsonResponse(200, await fn(rt.db, url, req));
  });
}
