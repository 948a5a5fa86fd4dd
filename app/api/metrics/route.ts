import { authenticateBearer } from "@/server/auth/bearer";
import { route } from "@/server/lib/http";
import { scrapeMetrics } from "@/server/ops/metrics";
import { getRuntime } from "@/server/runtime";

export const dynamic = "force-dynamic";

// /api/metrics: Prometheus text format, behind the read API's bearer tokens.
export const GET = route(async (req: Request) => {
  const rt = await getRuntime();
  await authenticateBearer(rt.db, rt.env.API_TOKEN, req.headers.get("authorization"));
  const { body, contentType } = await scrapeMetrics(rt.handle);
  return new Response(body, { status: 200, headers: { "content-type": contentType, "cache-control": "no-store" } });
});
