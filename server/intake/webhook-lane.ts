import "server-only";
import type { IncomingMessage, ServerResponse } from "node:http";
import { CLIENT_ADDRESS_HEADER } from "../auth/edge-headers";
import { HSTS, API_CSP, STATIC_SECURITY_HEADERS } from "../auth/security-headers";
import { bodyReadFailed } from "../lib/client-abort";
import { errorResponse } from "../lib/http";
import type { Runtime } from "../runtime";
import { MAX_BODY_BYTES, receiveAdmitted, shedDelivery, type IntakeDeps, type WebhookRequest, type WebhookResponse } from "./receive-webhook";
import { decodeSourceSegment, matchWebhookPath, webhookRequest } from "./webhook-adapter";

/**
 * The webhook intake's lane in the production server (scripts/start.mjs). Next.js's router costs
 * about a millisecond of CPU per request before a route handler runs, which alone would cap intake
 * below 1,000 deliveries a second on a two-core machine; POST /api/webhooks/{source} therefore
 * goes straight from Node's HTTP server to the same `receiveWebhook` as the App Router route
 * (app/api/webhooks/[source]/route.ts, which still serves `next dev` and anything the lane does
 * not match), with the same statuses, bodies and headers.
 *
 * The lane is installed on a global symbol by the server's boot, from inside Next's module graph,
 * so both paths share one runtime (one database handle) and one copy of every module.
 */
export const WEBHOOK_LANE = Symbol.for("escalation-refresh.webhook-lane");

export type WebhookLane = (req: IncomingMessage, res: ServerResponse, rawSource: string) => void;

const production = process.env.NODE_ENV === "production";

/** The headers next.config.js gives every API response, plus the route's own. */
function responseHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
    ...STATIC_SECURITY_HEADERS,
    ...(production ? { "Strict-Transport-Security": HSTS } : {}),
    "Content-Security-Policy": API_CSP,
    ...extra,
  };
}

/** The same, flattened once: most answers add only their length. */
const BASE_HEADERS = Object.entries(responseHeaders()).flat();

function send(res: ServerResponse, status: number, body: string, headers?: Record<string, string>): void {
  if (res.headersSent) return;
  const length = String(Buffer.byteLength(body));
  res.writeHead(status, headers ? responseHeaders({ ...headers, "content-length": length }) : [...BASE_HEADERS, "content-length", length]);
  res.end(body);
}

/**
 * A shed delivery's answer, built once per kind (there are two: over capacity, database away) and
 * written as it is: under overload most deliveries get one, and building and checking a dozen
 * headers for each cost the loop more than the rest of the refusal.
 */
const shedAnswers = new WeakMap<WebhookResponse, { headers: string[]; body: Buffer }>();
function sendShed(res: ServerResponse, answer: WebhookResponse): void {
  // receive-webhook.ts hands out the same object for each kind of 503, so it keys its bytes.
  let built = shedAnswers.get(answer);
  if (!built) {
    const body = Buffer.from(JSON.stringify(answer.body));
    built = { headers: Object.entries(responseHeaders({ ...answer.headers, "content-length": String(body.length) })).flat(), body };
    shedAnswers.set(answer, built);
  }
  res.writeHead(answer.status, built.headers);
  res.end(built.body);
}

/** Reads up to `limit` bytes; null (and the connection is closed after the answer) when larger. */
function readBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (value: Buffer | null) => {
      if (done) return;
      done = true;
      req.off("data", onData);
      resolve(value);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // Stop reading; the rest of an oversized body is not worth receiving.
        req.pause();
        res.setHeader("connection", "close");
        res.once("finish", () => req.destroy());
        finish(null);
        return;
      }
      chunks.push(chunk);
    };
    req.on("data", onData);
    req.once("end", () => finish(Buffer.concat(chunks)));
    const failed = (err: unknown) => {
      if (done) return;
      done = true;
      try {
        bodyReadFailed(err);
      } catch (mapped) {
        reject(mapped);
      }
    };
    req.once("error", failed);
    // A client that disconnects mid-body may close the request without an error event.
    req.once("close", () => failed(Object.assign(new Error("aborted"), { code: "ECONNRESET" })));
  });
}

type LaneRuntime = Pick<Runtime, "db" | "registry" | "limiter" | "worker" | "handle" | "intakeGate" | "refusals">;

/** What intake needs from the runtime; the App Router route passes the same. */
export function intakeDeps(rt: LaneRuntime): IntakeDeps {
  return {
    db: rt.db,
    registry: rt.registry,
    limiter: rt.limiter,
    onAccepted: () => rt.worker?.wake(),
    gate: rt.intakeGate,
    availability: rt.handle.availability,
    refusals: rt.refusals,
  };
}

/** Answers POST /api/webhooks/{rawSource}; `rawSource` is the path segment as sent (still percent-encoded). */
export function createWebhookLane(rt: LaneRuntime): WebhookLane {
  const deps = intakeDeps(rt);
  return (req, res, rawSource) => {
    let request: WebhookRequest;
    try {
      const sourceName = decodeSourceSegment(rawSource);
      const h = req.headers;
      const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(", ") : (v ?? null));
      // Set by scripts/start.mjs from the socket (or a trusted proxy's X-Forwarded-For), never as the client sent it.
      const client = one(h[CLIENT_ADDRESS_HEADER]);
      request = webhookRequest((name) => one(h[name]), sourceName, client || req.socket.remoteAddress || null, () => readBody(req, res, MAX_BODY_BYTES));
      // Shed before anything else is set in motion: refusing must cost the loop far less than storing.
      const shed = shedDelivery(deps, request);
      if (shed) return sendShed(res, shed);
    } catch (err) {
      void sendError(res, err);
      return;
    }
    void (async () => {
      try {
        const result = await receiveAdmitted(deps, request);
        send(res, result.status, JSON.stringify(result.body), result.headers);
      } catch (err) {
        await sendError(res, err);
      }
    })();
  };
}

async function sendError(res: ServerResponse, err: unknown): Promise<void> {
  const r = errorResponse(err);
  send(res, r.status, await r.text());
}

/** What scripts/start.mjs finds on the global symbol: which URLs are deliveries, and the lane that answers them. */
export interface InstalledLane {
  match: (url: string) => string | null;
  serve: WebhookLane;
}

/** Where scripts/start.mjs finds the lane (a global symbol: the server script is outside Next's bundle). */
export function installWebhookLane(rt: LaneRuntime): void {
  const installed: InstalledLane = { match: matchWebhookPath, serve: createWebhookLane(rt) };
  (globalThis as Record<symbol, unknown>)[WEBHOOK_LANE] = installed;
}
