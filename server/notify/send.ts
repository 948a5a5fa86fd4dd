import { Webhook } from "standardwebhooks";

/**
 * One signed POST to an endpoint (docs/change-feed.md, "Headers and signature"): `webhook-id` is
 * the delivery's id (the same on every attempt, so receivers drop repeats), `webhook-timestamp`
 * the attempt's time, `webhook-signature` one `v1,…` per live secret (two during a rotation's
 * overlap). Any 2xx is success; redirects are not followed (a 3xx is a failure: register the final
 * URL); the attempt is abandoned after `timeoutMs`.
 */
export interface SendRequest {
  url: string;
  webhookId: string;
  body: string;
  secrets: string[];
  now: Date;
  timeoutMs: number;
}

export type AttemptOutcome = "success" | "http_4xx" | "http_5xx" | "http_other" | "timeout" | "network_error" | "secret_error";

export interface SendResult {
  ok: boolean;
  outcome: AttemptOutcome;
  statusCode: number | null;
  error: string | null;
  responseSnippet: string | null;
  durationMs: number;
}

const SNIPPET = 500;
export const USER_AGENT = "escalation-refresh-webhooks/1";

export function signatureHeader(secrets: string[], webhookId: string, now: Date, body: string): string {
  return secrets.map((s) => new Webhook(s).sign(webhookId, now, body)).join(" ");
}

async function readSnippet(res: Response): Promise<string | null> {
  try {
    const text = await res.text();
    return text ? text.slice(0, SNIPPET) : null;
  } catch {
    return null;
  }
}

export async function sendSigned(req: SendRequest): Promise<SendResult> {
  const started = performance.now();
  const ms = () => Math.round(performance.now() - started);
  const signal = AbortSignal.timeout(req.timeoutMs);
  try {
    const res = await fetch(req.url, {
      method: "POST",
      redirect: "manual",
      signal,
      headers: {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "webhook-id": req.webhookId,
        "webhook-timestamp": String(Math.floor(req.now.getTime() / 1000)),
        "webhook-signature": signatureHeader(req.secrets, req.webhookId, req.now, req.body),
      },
      body: req.body,
    });
    const snippet = await readSnippet(res);
    const ok = res.status >= 200 && res.status < 300;
    const outcome: AttemptOutcome = ok ? "success" : res.status >= 500 ? "http_5xx" : res.status >= 400 ? "http_4xx" : "http_other";
    return { ok, outcome, statusCode: res.status, error: ok ? null : `HTTP ${res.status}${res.status >= 300 && res.status < 400 ? " (redirects are not followed)" : ""}`, responseSnippet: snippet, durationMs: ms() };
  } catch (err) {
    const timedOut = signal.aborted;
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const error = timedOut ? `no answer within ${req.timeoutMs / 1000} s` : [cause?.code, cause?.message ?? (err as Error).message].filter(Boolean).join(": ").slice(0, 300);
    return { ok: false, outcome: timedOut ? "timeout" : "network_error", statusCode: null, error, responseSnippet: null, durationMs: ms() };
  }
}
