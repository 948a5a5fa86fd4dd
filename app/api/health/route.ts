import { authenticateBearer } from "@/server/auth/bearer";
import { jsonResponse, route } from "@/server/lib/http";
import { getRuntime } from "@/server/runtime";
import { getHealth, isInternalHealthToken } from "@/server/ops/health";

export const dynamic = "force-dynamic";

/**
 * Anonymous callers (load balancers, uptime checks) get `{ status }` only, 200 or 503. The details
 * (database kind, migrations, backlog, demo progress, start time) need a read-API bearer token:
 * they tell an attacker what runs and how busy it is.
 */
export const GET = route(async (req: Request) => {
  const rt = await getRuntime();
  const health = await getHealth(rt);
  const status = health.ok ? 200 : 503;
  const authorization = req.headers.get("authorization");
  if (!authorization) return jsonResponse(status, { status: health.status });
  if (!isInternalHealthToken(authorization)) await authenticateBearer(rt.db, rt.env.API_TOKEN, authorization);
  return jsonResponse(status, health);
});
