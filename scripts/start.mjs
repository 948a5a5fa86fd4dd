// `npm start`: the production server on PORT (docs/api.md's configuration table), default 3000.
//
// A small custom server around Next.js: every request goes to Next's handler, except
// POST /api/webhooks/{source}, which goes straight to the intake lane that the app's boot
// installs (server/intake/webhook-lane.ts): same code and answers as the App Router route,
// without a millisecond of routing per delivery.
import "./heap-tuning.mjs";
import { randomBytes } from "node:crypto";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";
import pino from "pino";
import { isClientAbort, parseTrustedProxies, rawAnswer, screenRequest, securityHeadersFor, stampClient, writeRefusal } from "./edge-screen.mjs";

process.env.NEXT_TELEMETRY_DISABLED = "1";
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const port = Number(process.env.PORT || "3000");
const host = process.env.HOST || "0.0.0.0";

// The intake lane the app's boot installs: { match(url) → source segment | null, serve(req, res, source) }
// (server/intake/webhook-lane.ts; which URLs are deliveries is decided there, in webhook-adapter.ts).
const LANE = Symbol.for("escalation-refresh.webhook-lane");

// The app's own log format (server/lib/log.ts: pino, one JSON line, app "escalation-refresh"), so a
// failure caught here is found by the same correlation id search as one caught inside a route.
const log = pino({ level: process.env.LOG_LEVEL ?? "info", base: { app: "escalation-refresh" } });
// Shaped like server/lib/ids.ts's newId("err"): err_ and 26 lower-case base32 characters.
const correlationId = () => `err_${[...randomBytes(26)].map((b) => "0123456789abcdefghjkmnpqrstvwxyz"[b % 32]).join("")}`;
const INTERNAL_MESSAGE = "internal error; the failure was logged";

const app = next({ dev: false, dir: root, hostname: host, port });
const handle = app.getRequestHandler();
await app.prepare();

const production = process.env.NODE_ENV === "production";
// Forwarded headers count only from these peers (none by default); server/env.ts validates the same variables.
let proxies;
try {
  proxies = parseTrustedProxies(process.env.TRUSTED_PROXIES);
  if (process.env.APP_URL) new URL(process.env.APP_URL);
} catch (err) {
  console.error(`[escalation-refresh] invalid configuration: ${err.message}`);
  process.exit(1);
}
const appUrl = process.env.APP_URL || undefined;

// Slow or stalled clients cannot hold a connection for minutes: the headers must arrive within
// 20 s and the whole request within 30 s (Node checks every 5 s), else Node answers 408.
const server = http.createServer({ headersTimeout: 20_000, requestTimeout: 30_000, connectionsCheckingInterval: 5_000 }, (req, res) => {
  const url = req.url ?? "";
  const pathname = url.split("?", 1)[0];
  const headers = securityHeadersFor(pathname, production);
  const refusal = screenRequest(req.method, url);
  if (refusal) return writeRefusal(res, refusal, headers);
  // The client's address and the public origin, as this server knows them; client-sent copies are replaced.
  stampClient(req, proxies, appUrl);
  const lane = globalThis[LANE];
  if (req.method === "POST" && lane) {
    const source = lane.match(url);
    if (source !== null) return lane.serve(req, res, source);
  }
  // Set before Next.js answers, so that redirects and error pages carry them too.
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  handle(req, res).catch((err) => {
    if (isClientAbort(err)) {
      log.info({ method: req.method, path: pathname.slice(0, 200) }, "client went away mid-request");
      return;
    }
    const id = correlationId();
    log.error({ err, correlationId: id, method: req.method, path: pathname.slice(0, 200) }, "unhandled error in request");
    if (!res.headersSent) writeRefusal(res, { status: 500, error: INTERNAL_MESSAGE, correlationId: id }, headers);
  });
});
// CONNECT (proxy tunnelling) never reaches the request handler; no route of the app supports it.
server.on("connect", (req, socket) => {
  socket.end(rawAnswer(405, "Method Not Allowed", "method CONNECT is not allowed here", production, { Allow: "GET, HEAD, OPTIONS" }));
});
// Requests Node cannot parse, and timeouts: a short JSON answer (408/431/400), never a stack.
server.on("clientError", (err, socket) => {
  if (!socket.writable || err.code === "ECONNRESET") return socket.destroy();
  const status = err.code === "ERR_HTTP_REQUEST_TIMEOUT" ? 408 : err.code === "HPE_HEADER_OVERFLOW" ? 431 : 400;
  const text = status === 408 ? "Request Timeout" : status === 431 ? "Request Header Fields Too Large" : "Bad Request";
  socket.end(rawAnswer(status, text, status === 408 ? "the request took too long to arrive" : "the request could not be parsed", production));
});
// An idle keep-alive connection stays open 65 s (Node's default is 5 s). A client that keeps
// connections without an idle limit of its own (Node's Agent, Playwright's request context) or a
// load balancer with a 60 s idle timeout would otherwise send its next request on a socket this
// server is closing that very moment, and see ECONNRESET for a delivery that never arrived.
// Stalled clients are still bounded by headersTimeout/requestTimeout above.
server.keepAliveTimeout = 65_000;
server.on("error", (err) => {
  console.error(`[escalation-refresh] cannot listen on ${host}:${port}: ${err.message}`);
  process.exit(1);
});
// Connections waiting to be accepted: Node's default of 511 overflowed when a burst of senders
// connected while the loop was busy (bench:overload on the embedded database: 23,458 SYNs dropped
// by the kernel, each retried by the sender after 1, 3, 7, 15 s: acknowledgements 26-36 s late). The
// kernel caps it at net.core.somaxconn (4,096 on current Linux).
const LISTEN_BACKLOG = 4096;
server.listen(port, host, LISTEN_BACKLOG, () => console.log(`[escalation-refresh] listening on http://${host}:${port}`));
