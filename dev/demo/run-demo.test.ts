import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoUsers } from "../../server/auth/users";
import { ensureDevelopmentSecrets, type SecretContext } from "../../server/sources/registry";
import { getHealth } from "../../server/ops/health";
import { CAUSES, RULES, type LineageMap } from "../../server/refresh/types";
import { internalHealthToken } from "../../server/ops/health";
import { startIntakeServer } from "../simulator/intake-server";
// What instrumentation.ts loads for the embedded default: the demo's progress in the health answer.
import "../embedded";
import { createTestDb, TEST_SECRET_KEY, type TestDb } from "../testing/test-db";
import { pathLikeTokens } from "../testing/path-like";
import { getVersion, listExceptions, listVersions } from "../../server/api/read-api";
import { buildDemoScenario, DEMO_CASES, packRounds } from "./build-demo-scenario";
import { clearDemoProgress, readDemoProgress, type DemoProgress } from "./demo-progress";
import { scheduleDemo } from "./schedule-demo";

const START = Date.UTC(2026, 10, 25, 12);

/** Every leaf path of a record (JSON Pointer), list items included, as docs/api.md's lineage keys them. */
function leafPaths(value: unknown, path = ""): string[] {
  if (Array.isArray(value)) return value.length ? value.flatMap((v, i) => leafPaths(v, `${path}/${i}`)) : [];
  if (value && typeof value === "object") {
    const entries = Object.entries(value);
    return entries.length ? entries.flatMap(([k, v]) => leafPaths(v, `${path}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`)) : [];
  }
  return [path];
}

async function waitForDemo(until: (p: DemoProgress | null) => boolean, ms: number): Promise<DemoProgress | null> {
  const deadline = Date.now() + ms;
  for (;;) {
    const p = readDemoProgress();
    if (until(p) || Date.now() > deadline) return p;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("demo scenario (pure)", () => {
  it("is deterministic for a start time and valid against the event contract", () => {
    const a = buildDemoScenario(START);
    const b = buildDemoScenario(START);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(JSON.stringify(buildDemoScenario(START + 3_600_000))).not.toBe(JSON.stringify(a));
  });

  it("never touches a case twice in one round, so versions do not depend on worker batching", () => {
    const s = buildDemoScenario(START);
    expect(s.rounds.length).toBeGreaterThan(5);
    for (const round of s.rounds) {
      const touched = [...round.events, ...round.actions].flatMap((st) => st.touches);
      expect(new Set(touched).size).toBe(touched.length);
    }
    const ids = s.rounds.flatMap((r) => r.events.map((e) => e.webhookId));
    expect(new Set(ids).size).toBe(s.events);
  });

  it("packs an event after the previous event of every case it touches", () => {
    const ev = (id: string, touches: string[]) => ({ kind: "event" as const, source: "ticketing", sourceKind: "ticketing" as const, webhookId: id, body: {} as never, touches });
    const rounds = packRounds([ev("a", ["C1"]), ev("b", ["C2"]), ev("c", ["C1", "C2"]), ev("d", ["C3"]), ev("e", ["C2"])]);
    expect(rounds.map((r) => r.events.map((e) => e.webhookId))).toEqual([["a", "b", "d"], ["c"], ["e"]]);
  });
});

describe("embedded demo through the HTTP intake", () => {
  let t: TestDb;
  let server: Awaited<ReturnType<typeof startIntakeServer>>;
  let progress: DemoProgress | null;
  const scenario = buildDemoScenario(START);

  beforeAll(async () => {
    t = await createTestDb();
    await seedDemoUsers(t.db);
    const secrets: SecretContext = { key: TEST_SECRET_KEY, envSecrets: {} };
    await ensureDevelopmentSecrets(t.db, secrets);
    t.registry.invalidate();
    server = await startIntakeServer({ ...t, secrets, worker: true });
    // A server under load: every fifth delivery is shed (503 + Retry-After, nothing stored), and the
    // demo must deliver it again, as a well-behaved source does (docs/faults.md). (On the embedded
    // database deliveries rarely overlap, so a small in-flight bound would not shed reliably.)
    const gate = server.rt.intakeGate;
    const enter = gate.tryEnter.bind(gate);
    let deliveries = 0;
    gate.tryEnter = () => {
      if (++deliveries % 5 === 0) {
        gate.shed++;
        return false;
      }
      return enter();
    };
    clearDemoProgress();
    // The demo delivers a shed event again after a short wait instead of the 1 s Retry-After (about
    // 50 sheds here, most rounds waiting out one): the same redeliveries, without half a minute of sleep.
    scheduleDemo(server.rt, { retryDelayMs: () => 20 });
    progress = await waitForDemo((p) => p?.state === "done" || p?.state === "failed", 200_000);
  }, 240_000);

  afterAll(async () => {
    clearDemoProgress();
    await server?.close();
    await t?.close();
  });

  it("delivers again what the server shed under load, and loses nothing", () => {
    expect(server.rt.intakeGate.shed).toBeGreaterThan(0);
    expect(progress?.state).toBe("done");
  });

  it("finishes and reports its progress in /api/health", async () => {
    expect(progress?.error).toBeUndefined();
    expect(progress).toEqual({ state: "done", posted: scenario.events, total: scenario.events });
    const health = await getHealth(server.rt);
    expect(health.checks.demo).toEqual(progress);
    const res = await fetch(`${server.url}/api/health`, { headers: { authorization: `Bearer ${internalHealthToken()}` } });
    expect(((await res.json()) as { checks: { demo: unknown } }).checks.demo).toEqual(progress);
    // Anonymous callers learn the status only.
    expect(await (await fetch(`${server.url}/api/health`)).json()).toEqual({ status: "ok" });
  });

  it("stored every event through the intake and refreshed all of them", async () => {
    const byStatus = await t.db.webhookEvent.groupBy({ by: ["status"], _count: true });
    const counts = Object.fromEntries(byStatus.map((r) => [r.status, r._count]));
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(scenario.events);
    expect(counts.received ?? 0).toBe(0);
    expect(counts.failed ?? 0).toBe(0);
    // The only refusals are the 503s of the shedding gate above, each delivered again.
    expect(await t.db.refusal.count({ where: { httpStatus: { not: 503 } } })).toBe(0);
  });

  it("builds at least 12 cases with histories of 5 to 40 versions and a current record with complete lineage", async () => {
    const cases = await t.db.case.findMany({ where: { id: { in: DEMO_CASES } }, select: { id: true, lastVersion: true, currentVersion: true } });
    expect(cases.length).toBeGreaterThanOrEqual(12);
    for (const c of cases) {
      const versions = await t.db.recordVersion.count({ where: { caseId: c.id } });
      expect({ id: c.id, versions }).toEqual({ id: c.id, versions: c.lastVersion });
      expect(versions, c.id).toBeGreaterThanOrEqual(5);
      expect(versions, c.id).toBeLessThanOrEqual(40);
      const current = await t.db.recordVersion.findFirst({ where: { caseId: c.id, isCurrent: true }, select: { record: true, lineage: true } });
      expect(current, c.id).not.toBeNull();
      const lineage = current!.lineage as unknown as LineageMap;
      const missing = leafPaths(current!.record).filter((p) => !lineage[p]);
      expect({ id: c.id, missing }).toEqual({ id: c.id, missing: [] });
    }
    const currents = await t.db.recordVersion.groupBy({ by: ["caseId"], where: { isCurrent: true }, _count: true });
    expect(currents.every((r) => r._count === 1)).toBe(true);
  });

  it("speaks the tables' words in every version's summary read through the read API: no JSON path", async () => {
    const found: string[] = [];
    let read = 0;
    for (const caseId of DEMO_CASES) {
      for (const v of await listVersions(t.db, caseId)) {
        const one = await getVersion(t.db, caseId, v.version);
        for (const text of [v.summary, one.summary]) {
          read++;
          const tokens = pathLikeTokens(text ?? "");
          if (tokens.length) found.push(`${caseId} v${v.version}: ${tokens.join(", ")} in “${text}”`);
        }
      }
    }
    expect(read).toBeGreaterThan(100);
    // The exceptions' messages are read by people too (the evidence labels and fields are the API's paths).
    for (const e of await listExceptions(t.db, { limit: 1000 })) {
      const detail = e.detail as { hits?: { message?: string }[]; message?: string };
      for (const text of [detail.message, ...(detail.hits ?? []).map((h) => h.message)]) {
        read++;
        const tokens = pathLikeTokens(text ?? "");
        if (tokens.length) found.push(`${e.caseId} ${e.rule}: ${tokens.join(", ")} in “${text}”`);
      }
    }
    expect(found).toEqual([]);
  });

  it("has every delta cause", async () => {
    const causes = await t.db.deltaEntry.groupBy({ by: ["cause"], _count: true });
    expect(causes.map((c) => c.cause).sort()).toEqual([...CAUSES].sort());
    const schema = await t.db.deltaEntry.findFirst({ where: { cause: "schema_change", path: "/entitlement/tier" }, select: { before: true, after: true, caseId: true } });
    expect(schema).toEqual({ caseId: "CASE-1052", before: "Premium Plus", after: "premium" });
    const override = await t.db.deltaEntry.findFirst({ where: { cause: "manual_override" }, select: { path: true, after: true, caseId: true } });
    expect(override).toEqual({ caseId: "CASE-1041", path: "/case/severity", after: "S2" });
  });

  it("leaves an open exception for every rule, on the case the story meant", async () => {
    const open = await t.db.caseException.findMany({ where: { status: "open" }, select: { caseId: true, rule: true, candidateVersion: true } });
    for (const rule of RULES) {
      expect(open.some((e) => e.rule === rule && e.caseId === scenario.openByRule[rule]), rule).toBe(true);
    }
    expect(open.every((e) => e.candidateVersion !== null)).toBe(true);
    expect(open.some((e) => (e.rule as string) === "PROCESSING_FAILED")).toBe(false);
  });

  it("has exceptions a specialist approved, rejected and overrode, each in the audit log", async () => {
    const resolved = await t.db.caseException.findMany({ where: { status: "resolved", resolvedById: { not: null } }, select: { id: true, rule: true, caseId: true, resolution: true } });
    expect(resolved.map((r) => `${r.caseId}:${r.rule}:${r.resolution}`).sort()).toEqual([
      "CASE-1041:SEVERITY_CONFLICT:override",
      "CASE-1047:DIAGNOSTIC_CORRUPTED:reject",
      "CASE-1051:SCHEMA_INVALID:approve",
      "CASE-1052:ENTITLEMENT_INCONSISTENT:approve",
    ]);
    for (const r of resolved) {
      expect(await t.db.auditLog.count({ where: { targetId: r.id, action: `exception.${r.resolution}`, actorLabel: "Sam Specialist" } })).toBe(1);
    }
    expect(await t.db.quarantinedEvent.count()).toBe(1);
  });

  it("onboarded a review source and added reference aliases through the domain functions", async () => {
    const emea = await t.db.source.findUnique({ where: { name: "ticketing-emea" }, select: { kind: true, defaultPolicy: true, builtIn: true } });
    expect(emea).toEqual({ kind: "ticketing", defaultPolicy: "review", builtIn: false });
    expect(await t.db.productAlias.count({ where: { alias: "scheduled reports", productCode: "data-export" } })).toBe(1);
    expect(await t.db.tierAlias.count({ where: { alias: "premium plus", tierCode: "premium" } })).toBe(1);
    const jobs = await t.db.job.findMany({ where: { kind: "reference_change" }, select: { status: true, total: true, done: true } });
    expect(jobs).toEqual([
      { status: "succeeded", total: 1, done: 1 },
      { status: "succeeded", total: 1, done: 1 },
    ]);
    const lamna = await t.db.recordVersion.findFirst({ where: { caseId: "CASE-1051", isCurrent: true }, select: { record: true } });
    expect((lamna!.record as { case: { product?: string } }).case.product).toBe("data-export");
  });

  it("reports done again on a later start without posting anything", async () => {
    const before = await t.db.webhookEvent.count();
    clearDemoProgress();
    scheduleDemo(server.rt);
    const again = await waitForDemo((p) => p !== null, 10_000);
    expect(again).toEqual({ state: "done", posted: scenario.events, total: scenario.events });
    expect(await t.db.webhookEvent.count()).toBe(before);
  });

  it("reports an interrupted demo as failed, with the way out, instead of leaving e2e waiting", async () => {
    await t.db.auditLog.deleteMany({ where: { action: "demo.complete" } });
    clearDemoProgress();
    scheduleDemo(server.rt);
    const again = await waitForDemo((p) => p !== null, 10_000);
    expect(again).toMatchObject({ state: "failed", error: expect.stringContaining("interrupted") });
  });
});
