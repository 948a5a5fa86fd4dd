import http from "node:http";
import type { AddressInfo } from "node:net";
import { Readable } from "node:stream";
import type { DbHandle } from "../../server/db/client";
import { parseEnv } from "../../server/env";
import { jsonResponse, route } from "../../server/lib/http";
import { healthAnswer } from "../../server/ops/health";
import { IntakeGate, RefusalLog } from "../../server/intake/intake-gate";
import type { SourceRateLimiter } from "../../server/sources/rate-limit";
import { matchWebhookPath } from "../../server/intake/webhook-adapter";
import { createWebhookLane, type WebhookLane } from "../../server/intake/webhook-lane";
import type { SecretContext } from "../../server/sources/registry";
import type { EngineContext } from "../../server/refresh/engine-context";
import { RefreshWorker } from "../../server/refresh/worker";
import { getRuntime, type Runtime } from "../../server/runtime";

/**
 * The app's own route handlers (webhook intake and health) over a given database, without Next:
 * for tests and benchmarks that need the real HTTP contract against a throw-away database.
 */
export interface LocalRuntimeInput extends EngineContext {
  handle: DbHandle;
  limiter: SourceRateLimiter;
  secrets: SecretContext;
  /** Run a refresh worker in this process, woken by intake (as the app does). */
  worker?: boolean;
  /** Deliveries in flight before 503 (load shedding); default unbounded, so tests see no shedding they did not ask for. */
  intakeLimit?: number;
}

const g = globalThis as unknown as { __errRuntime?: Promise<Runtime> };

/** Makes getRuntime() (and so every route handler) use this database; returns a function that undoes it. */
export function installRuntime(input: LocalRuntimeInput, port = 0): { rt: Runtime; uninstall: () => Promise<void> } {
  const rt: Runtime = {
    env: parseEnv({ NODE_ENV: "test", DEMO: "off", IN_PROCESS_WORKER: "off", PORT: String(port || 3000), DATA_DIR: "memory://" }),
    handle: input.handle,
    db: input.db,
    registry: input.registry,
    reference: input.reference,
    limiter: input.limiter,
    intakeGate: new IntakeGate(input.intakeLimit ?? Infinity),
    refusals: new RefusalLog(input.db),
    secrets: input.secrets,
    worker: null,
    maintenance: null,
    upkeep: null,
    outbound: null,
    startedAt: new Date(),
  };
  if (input.worker) {
    rt.worker = new RefreshWorker(rt, { pollMs: 100 });
    rt.worker.start();
  }
  const previous = g.__errRuntime;
  g.__errRuntime = Promise.resolve(rt);
  return {
    rt,
    uninstall: async () => {
      await rt.worker?.stop();
      rt.refusals.close();
      g.__errRuntime = previous;
    },
  };
}

function toRequest(req: http.IncomingMessage): Request {
  const url = new URL(req.url ?? "/", `http://${req.headers.host ?? "127.0.0.1"}`);
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(", ") : v);
  const init: RequestInit & { duplex?: "half" } = { method: req.method, headers };
  if (req.method !== "GET" && req.method !== "HEAD") {
    init.body = Readable.toWeb(req) as ReadableStream<Uint8Array>;
    init.duplex = "half";
  }
  return new Request(url, init);
}

/** The same answer as app/api/health/route.ts, without Next. */
const healthRoute = route(async (req: Request) => {
  const { status, body } = await healthAnswer(await getRuntime(), req.headers.get("authorization"));
  return jsonResponse(status, body);
});

async function handle(req: http.IncomingMessage): Promise<Response> {
  const request = toRequest(req);
  const path = new URL(request.url).pathname;
  if (path === "/api/health" && request.method === "GET") return healthRoute(request);
  return new Response(JSON.stringify({ error: `no route for ${request.method} ${path}` }), { status: 404, headers: { "content-type": "application/json" } });
}

/**
 * Listens on 127.0.0.1 (an ephemeral port unless given) and serves the intake and health routes:
 * webhooks through the production server's lane (server/intake/webhook-lane.ts), health through its route.
 */
export async function startIntakeServer(input: LocalRuntimeInput, port = 0): Promise<{ url: string; rt: Runtime; close: () => Promise<void> }> {
  let lane: WebhookLane | null = null;
  const server = http.createServer((req, res) => {
    const source = req.method === "POST" ? matchWebhookPath(req.url ?? "") : null;
    if (source !== null && lane) return lane(req, res, source);
    handle(req)
      .then(async (response) => {
        res.writeHead(response.status, Object.fromEntries(response.headers));
        res.end(Buffer.from(await response.arrayBuffer()));
      })
      .catch((err: unknown) => {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(JSON.stringify({ error: (err as Error).message }));
      });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  const actual = (server.address() as AddressInfo).port;
  const { rt, uninstall } = installRuntime(input, actual);
  lane = createWebhookLane(rt);
  return {
    url: `http://127.0.0.1:${actual}`,
    rt,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await uninstall();
    },
  };
}
