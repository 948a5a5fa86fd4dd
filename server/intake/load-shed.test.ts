import http from "node:http";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { POST } from "@/app/api/webhooks/[source]/route";
import { parseEnv } from "../env";
import { startIntakeServer } from "../../dev/simulator/intake-server";
import { signWebhook, type SignedRequest } from "../../dev/simulator/sign";
import { ticket } from "../../dev/testing/events";
import { createTestDb, TEST_DB_KIND, TEST_SECRET_KEY, type TestDb } from "../../dev/testing/test-db";
import { log } from "../lib/log";
import { refusedFor } from "../../dev/testing/metrics";
import { AdmissionControl, defaultIntakeLimit, IntakeGate, MIN_ADMITTED_PER_TICK, OverloadBound, overloadedIntakeLimit, PROBE_TICKS } from "./intake-gate";

/**
 * An admission control on a clock of the test's own. `admitted(n)` offers n deliveries at the end of
 * the current tick (where pacing holds nothing back); `at(ms, n)` offers them `ms` into it.
 */
function control(targetLagMs: number, floor?: number) {
  let tickStart = 0;
  let now = 0;
  const a = new AdmissionControl(targetLagMs, floor, () => now);
  const tick = a.tick.bind(a);
  a.tick = (lagMs, utilization) => {
    now = tickStart += 1_000;
    tick(lagMs, utilization);
  };
  const at = (ms: number, n: number) => {
    now = tickStart + ms;
    return Array.from({ length: n }, () => a.tryAdmit()).filter(Boolean).length;
  };
  return { a, at, admitted: (n: number) => at(100, n) };
}

/**
 * Load shedding: with LIMIT deliveries in flight (here held open by senders that have sent their
 * headers but not yet their bodies), every further delivery is answered 503 with Retry-After at
 * once, before its body is read, by the lane and the App Router route alike. The held ones are
 * accepted when their bodies arrive, each refused one is accepted when sent again, and nothing is
 * stored twice or lost.
 */
const SECRET = "whsec_" + Buffer.alloc(32, 81).toString("base64");
const LIMIT = 4;

let t: TestDb;
let server: Awaited<ReturnType<typeof startIntakeServer>>;

beforeAll(async () => {
  t = await createTestDb({ envSecrets: { ticketing: [SECRET] } });
  server = await startIntakeServer({ ...t, secrets: { key: TEST_SECRET_KEY, envSecrets: { ticketing: [SECRET] } }, intakeLimit: LIMIT });
});

afterAll(async () => {
  await server?.close();
  await t?.close();
});

const signed = (webhookId: string, caseNo: number): SignedRequest =>
  signWebhook({ baseUrl: server.url, source: "ticketing", secret: SECRET, webhookId, body: JSON.stringify(ticket(`CASE-SHED-${caseNo}`, 1).body) });

interface Answer {
  status: number;
  retryAfter: string | undefined;
  body: Record<string, unknown>;
  ms: number;
}

/** Sends the headers now and the body when `send` is called (or never). */
function open(req: SignedRequest): { answer: Promise<Answer>; send: () => void; abort: () => void } {
  const started = performance.now();
  const r = http.request(req.url, { method: "POST", headers: { ...req.headers, "content-length": String(Buffer.byteLength(req.body)) } });
  r.flushHeaders();
  const answer = new Promise<Answer>((resolve, reject) => {
    r.on("error", reject);
    r.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode!, retryAfter: res.headers["retry-after"] as string | undefined, body: JSON.parse(Buffer.concat(chunks).toString() || "{}"), ms: performance.now() - started }),
      );
    });
  });
  return { answer, send: () => r.end(req.body), abort: () => r.destroy() };
}

async function post(req: SignedRequest): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(req.url, { method: "POST", headers: req.headers, body: req.body });
  return { status: res.status, retryAfter: res.headers.get("retry-after") ?? undefined, body: (await res.json()) as Record<string, unknown>, ms: performance.now() - started };
}

async function until(check: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe(`load shedding (${TEST_DB_KIND})`, () => {
  it("refuses deliveries beyond the bound with 503 and Retry-After at once; each is accepted when retried", async () => {
    const before = await refusedFor("overload_in_flight");
    const lines: { obj: Record<string, unknown>; msg: string }[] = [];
    const spy = vi.spyOn(log, "info").mockImplementation(((obj: Record<string, unknown>, msg: string) => {
      lines.push({ obj, msg });
    }) as typeof log.info);
    try {
      await refuseAndRetry();
    } finally {
      spy.mockRestore();
    }
    // Shed deliveries are logged together, a line per flush of the intake log, never line by line:
    // under overload a line each would cost the loop as much as the rest of the refusal.
    expect(lines.filter((l) => l.msg === "webhook refused" && l.obj.httpStatus === 503)).toEqual([]);
    const shedLines = lines.filter((l) => l.msg === "webhooks shed");
    expect(shedLines.reduce((n, l) => n + (l.obj.refused as number), 0)).toBe(14);
    expect(shedLines.every((l) => Object.keys(l.obj.reasons as object).every((r) => /intake capacity/.test(r)))).toBe(true);
    // The metric says why: every place was taken (not the admission control, not a stall).
    expect((await refusedFor("overload_in_flight")) - before).toBe(14);
    // Admitted deliveries keep their own line.
    expect(lines.filter((l) => l.msg === "webhook stored").length).toBeGreaterThanOrEqual(LIMIT + 13);
  });

  async function refuseAndRetry() {
    const gate = server.rt.intakeGate;
    const held = Array.from({ length: LIMIT }, (_, i) => open(signed(`shed-held-${i}`, i)));
    await until(() => gate.current === LIMIT);

    // Full: complete deliveries, and one whose body never comes, are all answered at once.
    const excess = await Promise.all(Array.from({ length: 12 }, (_, i) => post(signed(`shed-excess-${i}`, 100 + i))));
    const bodiless = open(signed("shed-bodiless", 200));
    const noBody = await bodiless.answer;
    bodiless.abort();
    const viaRoute = await POST(new Request(signed("shed-route", 300).url, { method: "POST", headers: signed("shed-route", 300).headers, body: signed("shed-route", 300).body }));
    for (const a of [...excess, noBody]) {
      expect({ status: a.status, retryAfter: a.retryAfter, error: typeof a.body.error }).toEqual({ status: 503, retryAfter: "1", error: "string" });
    }
    // "At once" without a clock: the gate refused them before reading anything (the bodiless one was
    // answered although its body never came), and counted each.
    expect(gate.shed).toBeGreaterThanOrEqual(excess.length + 2);
    expect(String(excess[0]!.body.error)).toMatch(/intake capacity/);
    expect({ status: viaRoute.status, retryAfter: viaRoute.headers.get("retry-after") }).toEqual({ status: 503, retryAfter: "1" });
    expect(gate.current).toBe(LIMIT);

    // The held ones complete and are accepted; the gate is free again.
    for (const h of held) h.send();
    const heldAnswers = await Promise.all(held.map((h) => h.answer));
    expect(heldAnswers.map((a) => a.status)).toEqual(Array(LIMIT).fill(202));
    await until(() => gate.current === 0);

    // Each refused delivery succeeds when sent again, and is stored once.
    const retried: Answer[] = [];
    for (const i of excess.keys()) retried.push(await post(signed(`shed-excess-${i}`, 100 + i)));
    expect(retried.map((a) => a.status)).toEqual(Array(12).fill(202));
    expect((await post(signed("shed-route", 300))).status).toBe(202);
    const stored = await t.db.webhookEvent.findMany({ where: { webhookId: { startsWith: "shed-" } }, select: { webhookId: true, id: true } });
    expect(stored.map((s) => s.webhookId).sort()).toEqual([...held.map((_, i) => `shed-held-${i}`), ...excess.map((_, i) => `shed-excess-${i}`), "shed-route"].sort());
    const ids = new Map(stored.map((s) => [s.webhookId, s.id]));
    expect(heldAnswers.map((a, i) => a.body.eventId === ids.get(`shed-held-${i}`))).toEqual(Array(LIMIT).fill(true));
    expect(retried.map((a, i) => a.body.eventId === ids.get(`shed-excess-${i}`))).toEqual(Array(12).fill(true));

    // Every refusal is counted in the intake log (written in batches, one row per sender and minute
    // keeping the latest webhook id), exactly once.
    await server.rt.refusals.flush();
    expect(server.rt.refusals.waiting).toBe(0);
    const refusals = await t.db.refusal.findMany({ where: { httpStatus: 503 }, select: { webhookId: true, count: true, reason: true } });
    expect(refusals.reduce((n, r) => n + r.count, 0)).toBe(excess.length + 2);
    expect(refusals.length).toBeLessThanOrEqual(2 * 2); // lane and route senders, at most two minutes each
    expect(refusals.every((r) => /intake capacity/.test(r.reason))).toBe(true);
  }

  it("sizes the bound from the database by default, or from INTAKE_MAX_IN_FLIGHT", () => {
    // The measured sizes (intake-gate.ts, docs/faults.md), not whatever a later edit leaves there.
    expect(defaultIntakeLimit("postgres")).toBe(32);
    expect(defaultIntakeLimit("pglite")).toBe(8);
    // Halved while overloaded on PostgreSQL; the embedded database keeps its bound.
    expect(overloadedIntakeLimit("postgres", 32)).toBe(16);
    expect(overloadedIntakeLimit("postgres", 5)).toBe(3);
    expect(overloadedIntakeLimit("postgres", 1)).toBe(1);
    expect(overloadedIntakeLimit("pglite", 8)).toBe(8);
    expect(parseEnv({ INTAKE_MAX_IN_FLIGHT: "12" }).INTAKE_MAX_IN_FLIGHT).toBe(12);
    expect(parseEnv({ INTAKE_OVERLOADED_IN_FLIGHT: "6" }).INTAKE_OVERLOADED_IN_FLIGHT).toBe(6);
    expect(() => parseEnv({ INTAKE_OVERLOADED_IN_FLIGHT: "0" })).toThrow(/INTAKE_OVERLOADED_IN_FLIGHT/);
    expect(parseEnv({}).INTAKE_MAX_IN_FLIGHT).toBeUndefined();
    expect(() => parseEnv({ INTAKE_MAX_IN_FLIGHT: "0" })).toThrow(/INTAKE_MAX_IN_FLIGHT/);
    expect(parseEnv({ INTAKE_MAX_LAG_MS: "0" }).INTAKE_MAX_LAG_MS).toBe(0);
    expect(parseEnv({ INTAKE_TARGET_LAG_MS: "50" }).INTAKE_TARGET_LAG_MS).toBe(50);
    expect(() => parseEnv({ INTAKE_TARGET_LAG_MS: "-1" })).toThrow(/INTAKE_TARGET_LAG_MS/);
  });

  it("works to the smaller bound for 100 ms after a tick that refused a delivery, and to the full one after a tick that did not", () => {
    const b = new OverloadBound(32, 16);
    expect(b.current).toBe(32);
    b.tick();
    expect(b.current).toBe(32); // nothing refused: unchanged
    b.noteRefusal();
    expect(b.current).toBe(32); // not before the tick ends
    b.tick();
    expect(b.current).toBe(16);
    b.noteRefusal();
    b.tick();
    expect(b.current).toBe(16); // still refusing: still overloaded
    b.tick();
    expect(b.current).toBe(32); // a tick without a refusal: the full bound again

    // Refusing in every tick: the full bound every PROBE_TICKS-th tick, so that a sender between
    // the two bounds that never waits can find the full one refusing nothing.
    const seen: number[] = [];
    for (let t = 1; t <= 2 * PROBE_TICKS; t++) {
      b.noteRefusal();
      b.tick();
      seen.push(b.current);
    }
    expect(seen.filter((n) => n === 32).length).toBe(2);
    expect(seen[PROBE_TICKS - 1]).toBe(32);
    expect(seen[2 * PROBE_TICKS - 1]).toBe(32);
    b.tick(); // the probe refused nothing
    expect(b.current).toBe(32);

    // In the gate: the bound of the tick decides, and every kind of refusal counts.
    const gate = new IntakeGate(4, { overloadedLimit: 2 });
    try {
      for (let i = 0; i < 4; i++) expect(gate.tryEnter()).toBe(true);
      expect(gate.tryEnter()).toBe(false);
      for (let i = 0; i < 4; i++) gate.leave();
      gate.bound.tick(); // what the gate's 100 ms timer does
      expect([gate.tryEnter(), gate.tryEnter(), gate.tryEnter()]).toEqual([true, true, false]);
      expect(gate.lastCause).toBe("overload_in_flight");
      gate.leave();
      gate.leave();
      gate.bound.tick();
      expect(gate.bound.current).toBe(2); // the tick refused one
      gate.bound.tick();
      expect([gate.tryEnter(), gate.tryEnter(), gate.tryEnter(), gate.tryEnter(), gate.tryEnter()]).toEqual([true, true, true, true, false]);
    } finally {
      gate.close();
    }
    // Never above the configured bound, whatever is asked for.
    const odd = new IntakeGate(3, { overloadedLimit: 10 });
    expect(odd.bound.overloaded).toBe(3);
    odd.close();
  });

  it("paces a cut tick's admissions over the tick instead of letting them all in at its start", () => {
    const { a, at } = control(10, 1);
    // Uncut: everything at once, whenever it comes.
    expect(at(0, 500)).toBe(500);
    a.tick(40, 0.95); // late and busy after 500 admitted: 400 this tick
    expect(a.perTick).toBe(400);
    // At the tick's start a tenth of them (a burst), then in step with the clock.
    expect(at(0, 1_000)).toBe(40);
    expect(at(25, 1_000)).toBe(100); // 35 % of 400 by then
    expect(at(50, 1_000)).toBe(100);
    // A quiet spell leaves its share for later in the same tick, never more than the tick's bound.
    expect(at(99, 1_000)).toBe(160);
    expect(at(100, 1_000)).toBe(0);
    expect(at(300, 1_000)).toBe(0);
    // The next tick starts its pacing again from its own start.
    a.tick(5, 0.95); // on time: 400 × 1.25
    expect(a.perTick).toBe(500);
    expect(at(0, 1_000)).toBe(50);
    expect(at(10, 1_000)).toBe(50); // 20 % of 500 by then
  });

  it("cuts admissions while the event loop lags beyond its target and lifts the cut once it keeps to it", () => {
    // Floor of one a tick, to follow the arithmetic down; the default floor has a test of its own.
    const { a, admitted } = control(100, 1);
    // On time: no bound at all.
    expect(admitted(500)).toBe(500);
    a.tick(40);
    expect(a.perTick).toBe(Infinity);
    // A late tick in which 100 were admitted: the next admits 80, then 64, ...; the rest are refused.
    expect(admitted(100)).toBe(100);
    a.tick(250);
    expect(admitted(500)).toBe(80);
    a.tick(101);
    expect(admitted(500)).toBe(64);
    // A loop that stays late never closes intake completely.
    for (let i = 0; i < 40; i++) {
      admitted(500);
      a.tick(900);
    }
    expect(admitted(500)).toBe(1);
    // On time again: the bound grows each tick (×1.25) and is lifted once it no longer binds.
    a.tick(100);
    expect(a.perTick).toBe(2);
    let ticks = 0;
    while (a.perTick !== Infinity && ticks < 100) {
      admitted(10_000);
      a.tick(60);
      ticks++;
    }
    expect(ticks).toBeLessThan(100);
    // Lifted only once the admissions of a tick stopped reaching the bound.
    const { a: b } = control(100, 1);
    b.tick(300); // nothing admitted in a late tick: one per tick
    expect(b.perTick).toBe(1);
    b.tick(0);
    expect(b.perTick).toBe(2);
  });

  it("does not cut while the loop is late but mostly idle (one long task, not overload)", () => {
    const { a, admitted } = control(10);
    // 7 deliveries a tick (70/s) and a refresh that made the loop 40 ms late in a tick 30 % busy.
    expect(admitted(7)).toBe(7);
    a.tick(40, 0.3);
    expect(a.perTick).toBe(Infinity);
    expect(admitted(7)).toBe(7);
    // The same lateness in a tick the loop was busy throughout is overload: cut.
    const c = control(10, 1);
    expect(c.admitted(7)).toBe(7);
    c.a.tick(40, 0.95);
    expect(c.admitted(7)).toBe(5);
  });

  it("never cuts below its floor: at 7 deliveries a tick (70/s) a late, busy loop is not intake's doing", () => {
    expect(MIN_ADMITTED_PER_TICK).toBe(20);
    const { a, admitted, at } = control(10);
    // The soak's rate, a tick late and busy (a refresh in the same process): nothing refused, however long it lasts.
    for (let i = 0; i < 20; i++) {
      expect(admitted(7)).toBe(7);
      a.tick(40, 0.95);
    }
    expect(a.perTick).toBe(MIN_ADMITTED_PER_TICK);
    // Pacing does not go below the floor either: the 7 read together at the very start of a tick are all admitted.
    a.tick(40, 0.95);
    expect(at(0, 7)).toBe(7);
    // Overload proper (300 a tick) is still cut, down to the floor and no further.
    a.tick(0, 0);
    a.tick(0, 0);
    expect(a.perTick).toBe(Infinity);
    expect(admitted(300)).toBe(300);
    a.tick(40, 0.95);
    expect(admitted(300)).toBe(240);
    for (let i = 0; i < 40; i++) {
      admitted(300);
      a.tick(900, 1);
    }
    expect(admitted(300)).toBe(MIN_ADMITTED_PER_TICK);
  });

  it("the gate refuses what the admission control refuses, and counts it", () => {
    // At the end of a tick (on the test's clock), where pacing holds nothing back.
    let now = 0;
    const gate = new IntakeGate(1_000, { targetLagMs: 100, now: () => now, sampleTimer: false });
    try {
      now = 100;
      gate.admission!.perTick = 2;
      expect([gate.tryEnter(), gate.tryEnter(), gate.tryEnter()]).toEqual([true, true, false]);
      expect(gate.shed).toBe(1);
      expect(gate.lastCause).toBe("overload_admission");
      expect(new IntakeGate(10).admission).toBeNull();
    } finally {
      gate.close();
    }
  });

  it("also refuses while the event loop lags behind (requests waiting unparsed), and admits again once it catches up", () => {
    // On the gate's own clock: a sample 100 ms after the last is on time; one 1,100 ms after it
    // says the loop was held for a second, as a long synchronous query of the embedded database would.
    let clock = 0;
    const gate = new IntakeGate(1_000, { maxLagMs: 300, now: () => clock, sampleTimer: false });
    /** A sample `ms` after the last, then whether a delivery is admitted. */
    const admittedAfter = (ms: number) => {
      clock += ms;
      gate.sample();
      const admitted = gate.tryEnter();
      if (admitted) gate.leave();
      return admitted;
    };
    // On time; a second late; late by exactly the limit (not a stall); one millisecond more; caught up.
    expect([100, 1_100, 400, 401, 100].map(admittedAfter)).toEqual([true, false, true, false, true]);
    expect(gate.shed).toBe(2);
    expect(gate.lastCause).toBe("overload_stall");
    gate.close();
  });

  it("samples the real event loop on its own timer: a second's block is seen as a stall", async () => {
    const gate = new IntakeGate(1_000, { maxLagMs: 300 });
    const seen: boolean[] = [];
    // Every sample's verdict, read right after it (the timer's own callback runs first).
    const original = gate.sample.bind(gate);
    gate.sample = () => {
      original();
      seen.push(gate.tryEnter() ? (gate.leave(), true) : false);
    };
    try {
      await new Promise((r) => setTimeout(r, 250));
      const before = seen.length;
      const until = performance.now() + 1_000;
      while (performance.now() < until) {
        // busy
      }
      // The first sample after the block, however late the machine lets it run: at least 900 ms
      // late, since the sample before it came at most a tick before the block began.
      while (seen.length === before) await new Promise((r) => setTimeout(r, 20));
      expect(seen[before]).toBe(false);
      expect(gate.lastCause).toBe("overload_stall");
    } finally {
      gate.close();
    }
  });
});

describe(`503 refusals in the intake log (${TEST_DB_KIND})`, () => {
  it("counts them per sender and minute, loses none counted during a write, and bounds what waits", async () => {
    const { RefusalLog } = await import("./intake-gate");
    const log = new RefusalLog(t.db, { flushMs: 60_000, max: 3 });
    const entry = (source: string, addr: string, n: number) => ({ sourceName: source, httpStatus: 503, reason: "test overload", webhookId: `rl-${source}-${n}`, remoteAddr: addr });
    try {
      for (let i = 0; i < 5; i++) log.add(entry("ticketing", "10.0.0.1", i));
      log.add(entry("incident", "10.0.0.1", 0));
      log.add(entry("ticketing", "10.0.0.2", 0));
      log.add(entry("diagnostics", "10.0.0.3", 0)); // a fourth group: over `max`, only counted
      expect(log.waiting).toBe(7);
      // Counted again while the write runs: written by the next batch, not lost, not doubled.
      const writing = log.flush();
      log.add(entry("ticketing", "10.0.0.1", 5));
      await writing;
      await log.flush();
      expect(log.waiting).toBe(0);
      const rows = await t.db.refusal.findMany({ where: { reason: "test overload" }, orderBy: { sourceName: "asc" } });
      const byGroup = rows.map((r) => [r.sourceName, r.remoteAddr, r.count, r.webhookId]);
      // The two flushes may straddle a minute: then the sixth ticketing refusal has a row of its own.
      const ticket1 = rows.filter((r) => r.sourceName === "ticketing" && r.remoteAddr === "10.0.0.1");
      expect(ticket1.reduce((n, r) => n + r.count, 0)).toBe(6);
      expect(ticket1.map((r) => r.webhookId)).toContain("rl-ticketing-5");
      expect(byGroup.filter((g) => g[0] !== "ticketing" || g[1] !== "10.0.0.1")).toEqual([
        ["incident", "10.0.0.1", 1, "rl-incident-0"],
        ["ticketing", "10.0.0.2", 1, "rl-ticketing-0"],
      ]);
    } finally {
      log.close();
    }
  });

  it("keys them like every refusal: an IPv6 /64 is one address, unknown source names one source", async () => {
    const { RefusalLog } = await import("./intake-gate");
    const log = new RefusalLog(t.db, { flushMs: 60_000, max: 1_000 });
    try {
      for (let i = 0; i < 20; i++) {
        log.add({ sourceName: `nosuch-${i}`, httpStatus: 503, reason: "test v6 overload", webhookId: null, remoteAddr: `2001:db8:9:9::${i + 1}`, groupSource: "*" });
      }
      await log.flush();
      const rows = await t.db.refusal.findMany({ where: { reason: "test v6 overload" }, orderBy: { createdAt: "asc" } });
      // One row (two if the minute turned while adding), keeping the first refusal as its sample.
      expect(rows.length).toBeLessThanOrEqual(2);
      expect(rows.reduce((n, r) => n + r.count, 0)).toBe(20);
      expect([rows[0]!.sourceName, rows[0]!.remoteAddr]).toEqual(["nosuch-0", "2001:db8:9:9::1"]);
    } finally {
      log.close();
    }
  });
});
