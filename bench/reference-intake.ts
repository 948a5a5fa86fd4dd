// The intake benchmark's baseline: the least a webhook intake can do and still be one. A bare
// node:http server that, for POST /api/webhooks/{source}, reads the body, verifies the Standard
// Webhooks signature with the same `standardwebhooks` package and secrets as the app, JSON.parses
// the body and INSERTs one row (source, webhook id unique, body jsonb) through a pg Pool of 10,
// answering 202 (200 for a webhook id it already has). No validation, no rate limit, no logging.
//
// Started by bench/intake.ts as its own process, like the app: `node --import tsx
// bench/reference-intake.ts` with PORT, DATABASE_URL (a fresh database of its own) and the app's
// WEBHOOK_SECRET_<SOURCE> variables. GET /api/health answers once it listens.
import http from "node:http";
import pg from "pg";
import { Webhook } from "standardwebhooks";

const port = Number(process.env.PORT);
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
await pool.query(`CREATE TABLE IF NOT EXISTS reference_event (
  id bigserial PRIMARY KEY,
  source text NOT NULL,
  webhook_id text NOT NULL,
  body jsonb NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (source, webhook_id)
)`);

// One verifier per source, built once, as any intake would keep its configuration.
const verifiers = new Map<string, Webhook>();
for (const [name, value] of Object.entries(process.env)) {
  const m = /^WEBHOOK_SECRET_(.+)$/.exec(name);
  if (m && value) verifiers.set(m[1]!.toLowerCase().replace(/_/g, "-"), new Webhook(value));
}

const INSERT = `INSERT INTO reference_event (source, webhook_id, body) VALUES ($1, $2, $3::jsonb)
  ON CONFLICT (source, webhook_id) DO NOTHING RETURNING id`;

function answer(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

const server = http.createServer((req, res) => {
  if (req.method === "GET" && req.url === "/api/health") return answer(res, 200, { ok: true });
  const m = /^\/api\/webhooks\/([^/?#]+)$/.exec(req.url ?? "");
  if (req.method !== "POST" || !m) return answer(res, 404, { error: "not found" });
  const source = m[1]!;
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    void (async () => {
      try {
        const raw = Buffer.concat(chunks).toString("utf8");
        const verifier = verifiers.get(source);
        if (!verifier) return answer(res, 404, { error: "unknown source" });
        const webhookId = String(req.headers["webhook-id"] ?? "");
        try {
          verifier.verify(raw, {
            "webhook-id": webhookId,
            "webhook-timestamp": String(req.headers["webhook-timestamp"] ?? ""),
            "webhook-signature": String(req.headers["webhook-signature"] ?? ""),
          }, { jsonParse: false });
        } catch {
          return answer(res, 401, { error: "bad signature" });
        }
        let body: unknown;
        try {
          body = JSON.parse(raw);
        } catch {
          return answer(res, 400, { error: "not JSON" });
        }
        const r = await pool.query(INSERT, [source, webhookId, JSON.stringify(body)]);
        answer(res, r.rowCount ? 202 : 200, { status: r.rowCount ? "accepted" : "duplicate" });
      } catch (err) {
        answer(res, 503, { error: (err as Error).message });
      }
    })();
  });
});
server.listen(port, "127.0.0.1", () => console.log(`[reference-intake] listening on http://127.0.0.1:${port}`));
process.once("SIGTERM", () => {
  server.close();
  void pool.end().finally(() => process.exit(0));
});
