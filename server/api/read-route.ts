import { authenticateBearer } from "../auth/bearer";
import type { Db } from "../db/client";
import { jsonResponse, route } from "../lib/http";
import { getRuntime } from "../runtime";

/** A read-API route: bearer authentication, then the domain call, answered as JSON. */
export function readRoute<P>(fn: (db: Db, params: P, url: URL) => Promise<unknown>) {
  return route(async (req: Request, ctx: { params: Promise<P> }) => {
    const rt = await getRuntime();
    await authenticateBearer(rt.db, rt.env.API_TOKEN, req.headers.get("authorization"));
    return jsonResponse(200, await fn(rt.db, await ctx.params, new URL(req.url)));
  });
}
