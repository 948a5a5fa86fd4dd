import { jsonResponse, route } from "@/server/lib/http";
import { getRuntime } from "@/server/runtime";
import { getHealth } from "@/server/ops/health";

export const dynamic = "force-dynamic";

export const GET = route(async () => {
  const rt = await getRuntime();
  const health = await getHealth(rt);
  return jsonResponse(health.ok ? 200 : 503, health);
});
