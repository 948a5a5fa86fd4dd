import { AppError } from "../lib/errors";
import type { WebhookRequest } from "./receive-webhook";

/**
 * The one translation from HTTP to intake (docs/api.md, "Webhooks"): which paths are webhook
 * deliveries and which headers `receiveWebhook` reads. The App Router route
 * (app/api/webhooks/[source]/route.ts), the production server's lane (webhook-lane.ts, reached from
 * scripts/start.mjs through the lane's own `match`) and the test intake server (dev/simulator) all
 * go through it.
 */

/** Exactly one path segment after /api/webhooks/ (a query string is ignored); anything else is not a delivery. */
const WEBHOOK_PATH = /^\/api\/webhooks\/([^/?#]+)(?:\?.*)?$/;

/** The source path segment of a delivery URL, still percent-encoded, or null when the URL is not one. */
export function matchWebhookPath(url: string): string | null {
  return WEBHOOK_PATH.exec(url)?.[1] ?? null;
}

/** The source name a path segment spells; a malformed percent-encoding is the sender's error (400). */
export function decodeSourceSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new AppError("BAD_REQUEST", `malformed percent-encoding in the URL path segment "${raw.slice(0, 100)}"`);
  }
}

/** The delivery as intake reads it, from any header source (`get` answers one header, lower-case name). */
export function webhookRequest(
  get: (name: string) => string | null,
  sourceName: string,
  remoteAddr: string | null,
  readBody: WebhookRequest["readBody"],
): WebhookRequest {
  const length = get("content-length");
  return {
    sourceName,
    contentType: get("content-type"),
    contentLength: length && /^\d+$/.test(length) ? Number(length) : null,
    webhookId: get("webhook-id"),
    timestamp: get("webhook-timestamp"),
    signature: get("webhook-signature"),
    remoteAddr,
    readBody,
  };
}
