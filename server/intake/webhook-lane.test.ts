import http from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { POST } from "@/app/api/webhooks/[source]/route";
import { API_CSP, STATIC_SECURITY_HEADERS } from "../auth/security-headers";
import { installRuntime } from "../../dev/simulator/intake-server";
import { signWebhook } from "../../dev/simulator/sign";
import { onboardSource } from "../sources/onboard-source";
import { ticket } from "../../dev/testing/events";
import { createTestDb, TEST_SECRET_KEY, type TestDb } from "../../dev/testing/test-db";
import { MAX_BODY_BYTES } from "./receive-webhook";
import { matchWebhookPath } from "./webhook-adapter";
import { createWebhookLane, installWebhookLane, WEBHOOK_LANE, type InstalledLane } from "./webhook-lane";

/**
 * The production server answers webhooks through its lane (scripts/start.mjs), `next dev` through
 * the App Router route. Both must give every request of docs/api.md's table the same status, body and
 * headers: each case below is sent once to each, with its own webhook id, and the answers compared.
 */
const SECRET = "whsec_" + Buffer.alloc(32, 61).toString("base64");
const OTHER = "whsec_" + Buffer.alloc(32, 62).toString("base64");
const ENV_SECRETS = { ticketing: [SECRET] };

let t: TestDb;
let uninstall: () => Promise<void>;
let server: http.Server;
let base: string;
/** Secrets of the onboarded sources with a limit of one delivery a second. */
let probeSecret: string;
let laneRuntime: Parameters<typeof createWebhookLane>[0];
const forgedSecrets: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestDb({ envSecrets: ENV_SECRETS });
  const installed = installRuntime({ ...t, secrets: { key: TEST_SECRET_KEY, envSecrets: ENV_SECRETS } });
  uninstall = installed.uninstall;
  laneRuntime = installed.rt;
  const lane = createWebhookLane(installed.rt);
  server = http.createServer((req, res) => {
    const source = matchWebhookPath(req.url ?? "");
    if (req.method === "POST" && source !== null) return lane(req, res, source);
    res.writeHead(599).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const admin = { id: "usr_lane_admin", label: "Lane Admin", role: "admin" as const };
  probeSecret = (await onboardSource(t, { key: TEST_SECRET_KEY, envSecrets: ENV_SECRETS }, admin, { name: "lane-probe", kind: "ticketing", rateLimitPerSec: 1, rateLimitBurst: 1 })).secret!;
  for (const p of ["route", "lane"]) {
    forgedSecrets[p] = (await onboardSource(t, { key: TEST_SECRET_KEY, envSecrets: ENV_SECRETS }, admin, { name: `lane-forged-${p}`, kind: "ticketing", rateLimitPerSec: 1, rateLimitBurst: 1 })).secret!;
  }
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  await uninstall?.();
  await t?.close();
});

interface Sent {
  path: string;
  headers: Record<string, string>;
  body: string;
}

interface Answer {
  status: number;
  body: unknown;
  headers: Record<string, string | null>;
}

let n = 0;
function signed(source: string, body: string, opts: { secret?: string; timestamp?: Date; webhookId?: string } = {}): Sent {
  const s = signWebhook({ baseUrl: "http://x", source, secret: opts.secret ?? SECRET, webhookId: opts.webhookId ?? `msg_lane_${++n}`, body, timestamp: opts.timestamp });
  return { path: new URL(s.url).pathname, headers: s.headers, body };
}
const event = (caseId: string, version = 1, data: Record<string, unknown> = {}) => JSON.stringify(ticket(caseId, version, data).body);

const KEPT_HEADERS = ["content-type", "cache-control", "retry-after"];

async function viaRoute(req: Sent): Promise<Answer> {
  const source = req.path.split("/")[3]!;
  // As Next hands it over: with the Content-Length the client sent.
  const headers = { ...req.headers, "content-length": String(Buffer.byteLength(req.body)) };
  const res = await POST(new Request(`http://127.0.0.1${req.path}`, { method: "POST", headers, body: req.body }), { params: Promise.resolve({ source }) });
  return { status: res.status, body: await res.json(), headers: Object.fromEntries(KEPT_HEADERS.map((h) => [h, res.headers.get(h)])) };
}

async function viaLane(req: Sent): Promise<Answer & { all: Headers }> {
  const res = await fetch(base + req.path, { method: "POST", headers: req.headers, body: req.body });
  return { status: res.status, body: await res.json(), headers: Object.fromEntries(KEPT_HEADERS.map((h) => [h, res.headers.get(h)])), all: res.headers };
}

/** Event ids differ between the two deliveries; everything else must not. */
/** Event ids differ per door; so may a clock skew in seconds, when the two requests straddle a second (600 s vs 601 s). */
const normalise = (a: Answer) => ({
  ...a,
  body: JSON.parse(
    JSON.stringify(a.body)
      .replace(/evt_[A-Za-z0-9_-]+/g, "evt_*")
      .replace(/webhook-timestamp is \d+ s/g, "webhook-timestamp is N s"),
  ),
});

/** Each case builds a fresh request per path (its own webhook id and entity), so neither path sees the other's state. */
const CASES: [string, number, (path: "route" | "lane") => Sent | Promise<Sent>][] = [
  ["accepted", 202, (p) => signed("ticketing", event(`CASE-LANE-A-${p}`))],
  ["stale", 202, async (p) => {
    await viaRoute(signed("ticketing", event(`CASE-LANE-S-${p}`, 5)));
    return signed("ticketing", event(`CASE-LANE-S-${p}`, 4));
  }],
  ["duplicate", 200, async (p) => {
    const first = signed("ticketing", event(`CASE-LANE-D-${p}`));
    await viaRoute(first);
    return first;
  }],
  ["unknown source", 404, () => signed("no-such-source", event("CASE-LANE-X"))],
  ["malformed percent-encoding in the source", 400, () => ({ ...signed("ticketing", event("CASE-LANE-X")), path: "/api/webhooks/tick%E0%A4%A" })],
  ["wrong secret", 401, () => signed("ticketing", event("CASE-LANE-X"), { secret: OTHER })],
  ["timestamp ten minutes old", 401, () => signed("ticketing", event("CASE-LANE-X"), { timestamp: new Date(Date.now() - 600_000) })],
  ["missing signature header", 401, () => {
    const s = signed("ticketing", event("CASE-LANE-X"));
    const { "webhook-signature": _omit, ...headers } = s.headers;
    return { ...s, headers };
  }],
  ["body changed after signing", 401, () => ({ ...signed("ticketing", event("CASE-LANE-X")), body: event("CASE-LANE-Y") })],
  ["text/plain", 415, () => {
    const s = signed("ticketing", event("CASE-LANE-X"));
    return { ...s, headers: { ...s.headers, "content-type": "text/plain" } };
  }],
  ["content-type with charset is fine", 202, (p) => {
    const s = signed("ticketing", event(`CASE-LANE-C-${p}`));
    return { ...s, headers: { ...s.headers, "content-type": "application/json; charset=utf-8" } };
  }],
  ["oversized body", 413, () => signed("ticketing", JSON.stringify({ pad: "x".repeat(MAX_BODY_BYTES) }))],
  ["body exactly at the limit (signed, but not an event)", 400, () => {
    const shell = JSON.stringify({ pad: "" });
    return signed("ticketing", JSON.stringify({ pad: "x".repeat(MAX_BODY_BYTES - shell.length) }));
  }],
  ["broken JSON", 400, () => signed("ticketing", '{"type": "ticket.updated",')],
  ["nesting 100 levels deep", 400, () => signed("ticketing", "[".repeat(100) + "]".repeat(100))],
  ["schema problems", 400, () => signed("ticketing", JSON.stringify({ ...ticket("CASE-LANE-X", 1).body, version: -1, entity: { kind: "ticket" } }))],
  ["NUL character", 400, () => signed("ticketing", event("CASE-LANE-X", 1, { subject: "a\u0000b" }))],
  ["rate limited", 429, async () => {
    // The limiter is shared: use the probe source's one token, then ask again.
    await viaRoute(signed("lane-probe", event("CASE-LANE-R"), { secret: probeSecret }));
    return signed("lane-probe", event("CASE-LANE-R"), { secret: probeSecret });
  }],
  ["forged deliveries do not spend the rate limit", 202, async (p) => {
    // Signature before rate limit: wrongly signed and unsigned traffic leaves the one token unspent.
    for (let i = 0; i < 5; i++) {
      expect((await viaRoute(signed(`lane-forged-${p}`, event(`CASE-LANE-F-${p}`), { secret: OTHER }))).status).toBe(401);
      const unsigned = signed(`lane-forged-${p}`, event(`CASE-LANE-F-${p}`));
      const { "webhook-signature": _omit, ...headers } = unsigned.headers;
      expect((await viaLane({ ...unsigned, headers })).status).toBe(401);
    }
    return signed(`lane-forged-${p}`, event(`CASE-LANE-F-${p}`), { secret: forgedSecrets[p] });
  }],
  ["extra properties in data are accepted", 202, (p) =>
    signed("ticketing", JSON.stringify(ticket(`CASE-LANE-E-${p}`, 1, { priority: "P1", reproduction: { status: "in_progress", steps: "x", environment: "staging" } }).body))],
];

describe("webhook lane and App Router route answer alike", () => {
  it.each(CASES)("%s → %i", async (_name, status, make) => {
    const route = normalise(await viaRoute(await make("route")));
    const { all, ...laneAnswer } = await viaLane(await make("lane"));
    const lane = normalise(laneAnswer);
    expect(lane.status).toBe(status);
    expect(lane).toEqual(route);
    // The headers next.config.js gives API routes come with the lane's answers too.
    for (const [k, v] of Object.entries(STATIC_SECURITY_HEADERS)) expect(all.get(k)).toBe(v);
    expect(all.get("content-security-policy")).toBe(API_CSP);
  });

  it("stores extra data properties with the event through either door", async () => {
    for (const door of [viaRoute, viaLane]) {
      const body = ticket(`CASE-LANE-X-${door.name}`, 1, { priority: "P1", notes: [{ id: "n1", author: "a", body: "b", at: "2026-11-27T01:00:00Z", pinned: true }] }).body;
      const answer = await door(signed("ticketing", JSON.stringify(body)));
      expect(answer.status).toBe(202);
      const row = await t.db.webhookEvent.findUnique({ where: { id: (answer.body as { eventId: string }).eventId }, select: { data: true } });
      expect(row!.data).toEqual(body.data);
    }
  });

  it("serves only POST to exactly one path segment", () => {
    expect(matchWebhookPath("/api/webhooks/ticketing")).toBe("ticketing");
    expect(matchWebhookPath("/api/webhooks/ticketing?x=1")).toBe("ticketing");
    expect(matchWebhookPath("/api/webhooks/ticket%20ing")).toBe("ticket%20ing");
    for (const p of ["/api/webhooks/", "/api/webhooks/a/b", "/api/webhooks", "/api/webhooksx/a", "/api/v1/events/a"]) expect(matchWebhookPath(p)).toBeNull();
  });

  it("scripts/start.mjs dispatches through the installed lane's own matcher, with no pattern of its own", async () => {
    const before = (globalThis as Record<symbol, unknown>)[WEBHOOK_LANE];
    try {
      installWebhookLane(laneRuntime);
      const installed = (globalThis as Record<symbol, unknown>)[WEBHOOK_LANE] as InstalledLane;
      expect(installed.match("/api/webhooks/ticketing?x=1")).toBe("ticketing");
      expect(installed.match("/api/webhooks/a/b")).toBeNull();
      expect(typeof installed.serve).toBe("function");
    } finally {
      (globalThis as Record<symbol, unknown>)[WEBHOOK_LANE] = before;
    }
    const { readFileSync } = await import("node:fs");
    const script = readFileSync(new URL("../../scripts/start.mjs", import.meta.url), "utf8");
    expect(script).toContain("lane.match(url)");
    expect(script).not.toContain(String.raw`\/api\/webhooks`); // no regex of its own
  });
});

describe("a client that aborts its body", () => {
  it("is logged at info, not as an error, and leaves nothing behind", async () => {
    const { log } = await import("../lib/log");
    const error = vi.spyOn(log, "error");
    const info = vi.spyOn(log, "info");
    const refusalsBefore = await t.db.refusal.count();
    const { port } = new URL(base);
    await new Promise<void>((resolve) => {
      const socket = net.connect(Number(port), "127.0.0.1", () => {
        socket.write(`POST /api/webhooks/ticketing HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{"type":`);
        setTimeout(() => socket.destroy(), 100);
      });
      socket.on("close", () => resolve());
    });
    await vi.waitFor(() => expect(info).toHaveBeenCalledWith(expect.anything(), "client aborted the request body"), { timeout: 5000 });
    expect(error).not.toHaveBeenCalled();
    // Nothing was delivered, so nothing is stored or counted.
    expect(await t.db.refusal.count()).toBe(refusalsBefore);
    error.mockRestore();
    info.mockRestore();
  });
});
