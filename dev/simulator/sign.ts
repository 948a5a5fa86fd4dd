import { Webhook } from "standardwebhooks";

export interface SignedRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** Signs a body the Standard Webhooks way, as a source system would. */
export function signWebhook(opts: { baseUrl: string; source: string; secret: string; webhookId: string; body: string; timestamp?: Date }): SignedRequest {
  const ts = opts.timestamp ?? new Date();
  const signature = new Webhook(opts.secret).sign(opts.webhookId, ts, opts.body);
  return {
    url: `${opts.baseUrl.replace(/\/$/, "")}/api/webhooks/${encodeURIComponent(opts.source)}`,
    headers: {
      "content-type": "application/json",
      "webhook-id": opts.webhookId,
      "webhook-timestamp": String(Math.floor(ts.getTime() / 1000)),
      "webhook-signature": signature,
    },
    body: opts.body,
  };
}

export async function postSigned(req: SignedRequest): Promise<{ status: number; body: Record<string, unknown>; retryAfterSeconds: number | null }> {
  const res = await fetch(req.url, { method: "POST", headers: req.headers, body: req.body });
  const retryAfter = res.headers.get("retry-after");
  const retryAfterSeconds = retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) : null;
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text);
  } catch {
    body = { raw: text };
  }
  return { status: res.status, body, retryAfterSeconds };
}
