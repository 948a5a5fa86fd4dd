import { decodePathSegment } from "@/server/api/read-route";
import { clientAddress } from "@/server/auth/request-meta";
import { receiveWebhook, MAX_BODY_BYTES } from "@/server/intake/receive-webhook";
import { intakeDeps } from "@/server/intake/webhook-lane";
import { jsonResponse, readLimited, route } from "@/server/lib/http";
import { getRuntime } from "@/server/runtime";

export const dynamic = "force-dynamic";

// /api/webhooks/{source}
export const POST = route(async (req: Request, _ctx?: { params: Promise<{ source: string }> }) => {
  const source = decodePathSegment(new URL(req.url), 3);
  const rt = await getRuntime();
  const h = req.headers;
  const length = h.get("content-length");
  const result = await receiveWebhook(
    intakeDeps(rt),
    {
      sourceName: source,
      contentType: h.get("content-type"),
      contentLength: length && /^\d+$/.test(length) ? Number(length) : null,
      webhookId: h.get("webhook-id"),
      timestamp: h.get("webhook-timestamp"),
      signature: h.get("webhook-signature"),
      remoteAddr: clientAddress(h),
      readBody: () => readLimited(req, MAX_BODY_BYTES),
    },
  );
  return jsonResponse(result.status, result.body, result.headers);
});
