import { authenticateBearer } from "../auth/bearer";
import type { Db } from "../db/client";
import { AppError } from "../lib/errors";
import { jsonResponse, route } from "../lib/http";
import { getRuntime } from "../runtime";

/**
 * One path segment of the request URL, percent-decoded exactly once. Taken from the raw URL
 * rather than Next's params so ids containing "%", "/" or spaces mean the same on every version.
 */
export function pathSegment(url: URL, index: number): string {
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
    return jsonResponse(200, await fn(rt.db, new URL(req.url), req));
  });
}
