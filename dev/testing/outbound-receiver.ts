import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";

/**
 * A downstream endpoint for tests: a real node:http server on a free port that verifies every
 * request's Standard Webhooks signature with the endpoint's secret (as a receiver would) and
 * answers as told: 204, 500, or no answer at all (a hang, for timeouts).
 */
export type ReceiverMode = "ok" | "fail" | "hang";

export interface Received {
  webhookId: string;
  type: string;
  data: Record<string, unknown>;
  signatures: number;
}

export class OutboundReceiver {
  mode: ReceiverMode = "ok";
  secrets: string[] = [];
  /** Every request, verified or not, with how it was answered. */
  readonly requests: { webhookId: string; status: number | "hang" }[] = [];
  /** Verified requests answered 2xx, in arrival order. */
  readonly accepted: Received[] = [];
  readonly badSignatures: string[] = [];
  private server: Server | null = null;
  private hanging: (() => void)[] = [];

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req).then((outcome) => {
        if (outcome === "hang") {
          this.hanging.push(() => res.destroy());
          return;
        }
        res.writeHead(outcome).end(outcome === 204 ? undefined : "receiver says no");
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  private async handle(req: IncomingMessage): Promise<number | "hang"> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    const webhookId = headers["webhook-id"] ?? "";
    let payload: { type: string; data: Record<string, unknown> } | null = null;
    for (const s of this.secrets) {
      try {
        payload = new Webhook(s).verify(body, headers) as { type: string; data: Record<string, unknown> };
        break;
      } catch {
        // try the next secret
      }
    }
    if (!payload) {
      this.badSignatures.push(webhookId);
      this.requests.push({ webhookId, status: 401 });
      return 401;
    }
    const status = this.mode === "ok" ? 204 : this.mode === "fail" ? 500 : "hang";
    this.requests.push({ webhookId, status });
    if (status === 204) this.accepted.push({ webhookId, type: payload.type, data: payload.data, signatures: (headers["webhook-signature"] ?? "").split(" ").length });
    return status;
  }

  async stop(): Promise<void> {
    for (const h of this.hanging) h();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
