// `npm start`: the production server on PORT (API.md's configuration table), default 3000.
//
// A small custom server around Next.js: every request goes to Next's handler, except
// POST /api/webhooks/{source}, which goes straight to the intake lane that the app's boot
// installs (server/intake/webhook-lane.ts): same code and answers as the App Router route,
// without a millisecond of routing per delivery.
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";

process.env.NEXT_TELEMETRY_DISABLED = "1";
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const port = Number(process.env.PORT || "3000");
const host = process.env.HOST || "0.0.0.0";

const LANE = Symbol.for("escalation-refresh.webhook-lane");
// Exactly one path segment after /api/webhooks/; anything else is Next's to answer.
const WEBHOOK_PATH = /^\/api\/webhooks\/([^/?#]+)(?:\?.*)?$/;

const app = next({ dev: false, dir: root, hostname: host, port });
const handle = app.getRequestHandler();
await app.prepare();

const server = http.createServer((req, res) => {
  if (req.method === "POST") {
    const m = WEBHOOK_PATH.exec(req.url ?? "");
    const lane = globalThis[LANE];
    if (m && typeof lane === "function") return lane(req, res, m[1]);
  }
  handle(req, res).catch((err) => {
    console.error("[escalation-refresh] request failed", err);
    if (!res.headersSent) {
      res.statusCode = 500;
      res.end();
    }
  });
});
server.on("error", (err) => {
  console.error(`[escalation-refresh] cannot listen on ${host}:${port}: ${err.message}`);
  process.exit(1);
});
server.listen(port, host, () => console.log(`[escalation-refresh] listening on http://${host}:${port}`));
