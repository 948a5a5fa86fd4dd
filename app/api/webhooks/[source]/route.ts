import { clientAddress } from "@/server/auth/request-meta";
import { receiveWebhook, MAX_BODY_BYTES } from "@/server/intake/receive-webhook";
import { decodeSourceSegment, webhookRequest } from "@/server/intake/webhook-adapter";
import { intakeDeps } from "@/server/intake/webhook-lane";
import { jsonResponse, readLimited, route } from "@/server/lib/http";
import { getRuntime } from "@/server/runtime";

export const dynamic = "force-dynamic";

/**
 * POST /api/webhooks/{source} (docs/api.md, "Webhooks"). The production server answers deliveries in
 * its lane (server/intake/webhook-lane.ts); this route serves `next dev` and anything the lane does not
 * match, through the same adapter and intake.
 */
export const POST = route(async (req: Request, _ctx?: { params: Promise<{ source: string }> }) => {
  const source = decodeSourceSegment(new URL(req.url).pathname.split("/")[3] ?? "");
  const rt = await getRuntime();
  const h = req.headers;
  const result = await receiveWebhook(intakeDeps(rt), webhookRequest((name) => h.get(name), source, clientAddress(h), () => readLimited(req, MAX_BODY_BYTES)));
  return jsonResponse(result.status, result.body, result.headers);
});
