import { jsonResponse, route } from "@/server/lib/http";
import { getRuntime } from "@/server/runtime";
import { healthAnswer } from "@/server/ops/health";

export const dynamic = "force-dynamic";

/** The service's health (docs/api.md, "Health"); what an anonymous caller sees is in healthAnswer. */
export const GET = route(async (req: Request) => {
  const { status, body } = await healthAnswer(await getRuntime(), req.headers.get("authorization"));
  return jsonResponse(status, body);
});
