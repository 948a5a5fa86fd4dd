import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../lib/audit";
import { newId } from "../../lib/ids";
import { drain } from "../../refresh/process-events";
import { createUser, isCompleteLineage, leafAndItemPaths } from "../../../dev/testing/refresh";
import type { LineageMap } from "../../refresh/types";
import { entitlement, incident, ticket } from "../../../dev/testing/events";
import { ingest, ingestAndDrain } from "../../../dev/testing/ingest";
import { createTestDb, TEST_DB_KIND, TEST_SECRET_KEY, type TestDb } from "../../../dev/testing/test-db";
import { claimException, resolveException } from "../../exceptions/resolve-exception";
import { getDashboard } from "./dashboard-metrics";
import { binOf, histogramPercentile } from "./latency-histogram";
import { foldRollups, runMetricsMaintenance } from "./metrics-maintenance";
import { onboardNewSource } from "../../sources/manage-sources";
import { recurringExceptions, widenFromReport } from "../../exceptions/recurring";
import { expectAppError } from "../../../dev/testing/ops";

let t: TestDb;
let admin: Actor;

beforeAll(async () => {
  t = await createTestDb();
  admin = await createUser(t.db, "admin", "Ada Admin");
  // One at a time, so each event's outcome is its own.
  for (const ev of [
    ticket("CASE-D1", 1, { accountId: "ACC-D" }),
    ticket("CASE-D2", 1, { accountId: "ACC-D", severity: "S1" }),
    entitlement("ACC-D", 1),
    ticket("CASE-D1", 2, { accountId: "ACC-D", status: "pending" }),
    // S1 ticket vs S3 incident: held behind SEVERITY_CONFLICT.
    incident("INC-D", 1, { caseIds: ["CASE-D2"], affectedAccounts: ["ACC-D"], severity: "S3" }),
    // No ticket for CASE-D9 yet: waiting.
    incident("INC-W", 1, { caseIds: ["CASE-D9"], affectedAccounts: ["ACC-D"] }),
  ]) {
    await ingestAndDrain(t, ev);
  }
  // A stale redelivery of an older ticket version.
  await ingestAndDrain(t, ticket("CASE-D1", 1, { accountId: "ACC-D" }));
  await t.db.refusal.createMany({
    data: [
      { id: newId("ref"), sourceName: "ticketing", httpStatus: 401, reason: "bad signature" },
      { id: newId("ref"), sourceName: "ticketing", httpStatus: 401, reason: "bad signature" },
      { id: newId("ref"), sourceName: "nosuch", httpStatus: 404, reason: "unknown source" },
    ],
  });
});
afterAll(async () => {
  await t?.close();
});

/** percentile_cont's definition: linear interpolation between the closest ranks. */
function percentileCont(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  const pos = p * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/** The dashboard after the lineage audit caught up (the maintenance loop's job in a running app). */
async function dashboard(window: "1h" | "24h" | "7d") {
  await runMetricsMaintenance(t.db);
  return getDashboard(t.db, window);
}

/** The same measure computed in TypeScript from the rows, independently of the SQL. */
async function expectedChanges() {
  const events = await t.db.webhookEvent.findMany({ where: { status: { not: "stale" } }, include: { cases: true } });
  let good = 0;
  for (const e of events) {
    if (e.status !== "applied" && e.status !== "no_change") continue;
    let ok = e.cases.some((c) => c.outcome === "applied" || c.outcome === "no_change");
    for (const c of e.cases.filter((x) => x.outcome === "applied" || x.outcome === "no_change")) {
      const kase = await t.db.case.findUniqueOrThrow({ where: { id: c.caseId } });
      const version = c.recordVersion ?? kase.currentVersion;
      const v = version === null ? null : await t.db.recordVersion.findUnique({ where: { caseId_version: { caseId: c.caseId, version } }, include: { delta: true } });
      const currents = await t.db.recordVersion.count({ where: { caseId: c.caseId, isCurrent: true } });
      const lineage = (v?.lineage ?? {}) as unknown as LineageMap;
      const lined = !!v && leafAndItemPaths(v.record).every((p) => isCompleteLineage(lineage[p]));
      const traced = !!v && v.delta.length > 0 && v.delta.every((d) => isCompleteLineage(d.lineage as never));
      ok &&= lined && currents === 1 && (c.outcome !== "applied" || traced);
    }
    if (ok) good++;
  }
  return { total: events.length, good };
}

describe(`dashboard metrics (${TEST_DB_KIND})`, () => {
  it("authoritative changes: share complete, with every other outcome counted; agrees with a TypeScript recount", async () => {
    const d = await dashboard("24h");
    const c = d.changes;
    const expected = await expectedChanges();
    expect(c.auditPending).toBe(0);
    expect(c.total).toBe(expected.total);
    expect(c.applied + c.unchanged).toBe(expected.good);
    expect(c.held).toBe(1);
    expect(c.waiting).toBe(1);
    expect(c.incomplete).toBe(0);
    expect(c.applied + c.unchanged + c.incomplete + c.held + c.waiting + c.received + c.quarantined + c.failed).toBe(c.total);
    expect(c.share).toBeCloseTo(expected.good / expected.total, 10);

    // Drop one lineage entry of a current version: the events counted against it become incomplete.
    const v = await t.db.recordVersion.findFirstOrThrow({ where: { caseId: "CASE-D1", isCurrent: true } });
    const lineage = { ...(v.lineage as Record<string, unknown>) };
    delete lineage["/case/subject"];
    await t.db.recordVersion.update({ where: { id: v.id }, data: { lineage: lineage as never } });
    // Until the audit has looked at the changed version, it is pending, not judged.
    expect((await getDashboard(t.db, "24h")).changes.auditPending).toBe(1);
    const broken = (await dashboard("24h")).changes;
    const recount = await expectedChanges();
    expect(recount.good).toBeLessThan(expected.good);
    expect(broken.applied + broken.unchanged).toBe(recount.good);
    expect(broken.incomplete).toBe(expected.good - recount.good);
    await t.db.recordVersion.update({ where: { id: v.id }, data: { lineage: v.lineage as never } });

    // A version without its delta trace is incomplete too.
    const d2 = await t.db.recordVersion.findFirstOrThrow({ where: { caseId: "CASE-D2", version: 1 }, include: { delta: true } });
    await t.db.deltaEntry.deleteMany({ where: { versionId: d2.id } });
    const untraced = (await dashboard("24h")).changes;
    expect(untraced.incomplete).toBeGreaterThan(0);
    expect(untraced.applied + untraced.unchanged).toBe((await expectedChanges()).good);
    await t.db.deltaEntry.createMany({ data: d2.delta.map((x) => ({ ...x, before: x.before ?? undefined, after: x.after ?? undefined, lineage: x.lineage as never })) });
    expect((await dashboard("24h")).changes.incomplete).toBe(0);
  });

  it("latency: receipt to current for events never held, kept as a histogram whose percentiles match the events' own", async () => {
    // Every applied event of this fixture went current directly, when it settled: processedAt.
    const applied = await t.db.webhookEvent.findMany({ where: { status: "applied" } });
    const values = applied.map((e) => Math.max(0, e.processedAt!.getTime() - e.receivedAt.getTime()));
    expect(values.length).toBeGreaterThan(3);
    const d = await dashboard("1h");
    expect(d.latency.events).toBe(values.length);
    const bins = values.map((v) => ({ bin: binOf(v), n: 1 }));
    expect(d.latency.p50Ms).toBe(histogramPercentile(bins, 0.5));
    expect(d.latency.p99Ms).toBe(histogramPercentile(bins, 0.99));
    // Within the histogram's 10% bins of the exact percentile (or of a millisecond).
    for (const [got, p] of [[d.latency.p50Ms!, 0.5], [d.latency.p99Ms!, 0.99]] as const) {
      const exact = percentileCont(values, p);
      expect(Math.abs(got - exact)).toBeLessThanOrEqual(Math.max(1, exact * 0.11));
    }
    expect(d.latency.series.reduce((n, s) => n + s.events, 0)).toBe(values.length);
    expect(d.latency.held.events).toBe(0);
  });

  it("intake and refusals per source, exceptions per rule with resolutions, the backlog now and over time", async () => {
    const d = await dashboard("24h");
    const accepted = await t.db.webhookEvent.groupBy({ by: ["sourceId"], where: { status: { not: "stale" } }, _count: { _all: true } });
    const sources = await t.db.source.findMany();
    for (const a of accepted) {
      const name = sources.find((s) => s.id === a.sourceId)!.name;
      expect(d.intake.bySource.find((s) => s.source === name)!.accepted).toBe(a._count._all);
    }
    expect(d.intake.stale).toBe(1);
    expect(d.intake.refusals).toEqual([
      { source: "ticketing", httpStatus: 401, count: 2 },
      { source: "nosuch", httpStatus: 404, count: 1 },
    ]);
    expect(d.intake.bySource.find((s) => s.source === "ticketing")!.refused).toBe(2);
    // Whole hourly buckets, from the one 24 hours ago to the current one.
    expect(d.intake.buckets).toHaveLength(25);
    expect(d.intake.buckets.reduce((n, b) => n + Object.values(b.bySource).reduce((m, s) => m + s.accepted, 0), 0)).toBe(d.intake.accepted);
    expect(d.exceptions).toEqual([{ rule: "SEVERITY_CONFLICT", opened: 1, open: 1, claimed: 0, approve: 0, reject: 0, override: 0, cleared: 0 }]);

    expect(d.backlog.now).toBe(0);
    const pending = await ingest(t, ticket("CASE-D5", 1));
    const withBacklog = await getDashboard(t.db, "1h");
    expect(withBacklog.backlog.now).toBe(1);
    expect(withBacklog.backlog.bySource).toEqual([{ source: "ticketing", backlog: 1 }]);
    expect(withBacklog.backlog.oldestReceivedAt).toEqual((await t.db.webhookEvent.findUniqueOrThrow({ where: { id: pending.eventId } })).receivedAt);
    expect(withBacklog.backlog.series.at(-1)!.backlog).toBe(1);
    expect(withBacklog.backlog.series[0]!.backlog).toBe(0);
    await drain(t);
    expect((await getDashboard(t.db, "1h")).backlog.now).toBe(0);

    // Outside the window: moved two days back, gone from 24 h, still in 7 d.
    await t.db.webhookEvent.update({ where: { id: pending.eventId }, data: { receivedAt: new Date(Date.now() - 2 * 86_400_000) } });
    expect((await getDashboard(t.db, "24h")).intake.accepted).toBe(d.intake.accepted);
    expect((await getDashboard(t.db, "7d")).intake.accepted).toBe(d.intake.accepted + 1);
  });

  it("recurring exceptions grouped by source, field and rule; a review field is moved to auto from its group", async () => {
    const made = await onboardNewSource(t, { key: TEST_SECRET_KEY, envSecrets: {} }, admin, { name: "ticketing-emea", kind: "ticketing", note: "EMEA desk" });
    // Three cases, each first ticketed by EMEA: every field it writes opens REVIEW_REQUIRED.
    for (const n of [1, 2, 3]) await ingest(t, ticket(`CASE-RE${n}`, 1, { accountId: "ACC-RE" }, `TCK-RE${n}`), undefined, "ticketing-emea");
    await drain(t);
    const report = await recurringExceptions(t.db, "24h");
    const emea = report.groups.filter((g) => g.source === "ticketing-emea");
    // One exception per case, counted under each field it holds for review.
    expect(emea.map((g) => g.field).sort()).toEqual(
      ["case.accountId", "case.customerName", "case.id", "case.product", "case.productArea", "case.productName", "case.severity", "case.status", "case.subject", "reproduction.status", "reproduction.steps"].sort(),
    );
    for (const g of emea) expect(g).toMatchObject({ rule: "REVIEW_REQUIRED", total: 3, cases: 3, open: 3, policy: "review", canWiden: true });
    expect(await t.db.caseException.count({ where: { sourceName: "ticketing-emea" } })).toBe(3);
    expect(report.exceptions).toBe(await t.db.caseException.count());
    expect(report.groups[0]!.total).toBe(3);
    const severity = report.groups.find((g) => g.rule === "SEVERITY_CONFLICT")!;
    expect(severity).toMatchObject({ total: 1, open: 1, policy: "auto", canWiden: false });

    await widenFromReport(t, admin, { source: "ticketing-emea", field: "case.accountId", window: "24h", note: "account ids come from the CRM" });
    const audit = await t.db.auditLog.findFirstOrThrow({ where: { action: "policy.set", targetId: made.id } });
    expect(audit.note).toBe("account ids come from the CRM (from the recurring-exceptions report, last 24 hours)");
    const after = (await recurringExceptions(t.db, "24h")).groups.filter((g) => g.source === "ticketing-emea");
    expect(after.find((g) => g.field === "case.accountId")).toMatchObject({ policy: "auto", canWiden: false });
    expect(after.find((g) => g.field === "case.subject")).toMatchObject({ policy: "review", canWiden: true });
    await expectAppError(widenFromReport(t, admin, { source: "ticketing-emea", field: "case.accountId", window: "24h", note: "twice" }), "CONFLICT");
    expect((await recurringExceptions(t.db, "1h")).groups.find((g) => g.source === "ticketing-emea" && g.field === "case.subject")!.total).toBe(3);
  });
});

describe(`dashboard rollups (${TEST_DB_KIND})`, () => {
  it("an event held behind an exception, then approved, is measured apart from the direct ones", async () => {
    const before = await dashboard("24h");
    const exc = await t.db.caseException.findFirstOrThrow({ where: { rule: "SEVERITY_CONFLICT", status: "open" } });
    const specialist = await createUser(t.db, "specialist", "Sam Held");
    await claimException(t, specialist, exc.id);
    await resolveException(t, specialist, exc.id, { kind: "approve", note: "incident severity confirmed" });
    const after = await dashboard("24h");
    expect(after.latency.held.events).toBe(before.latency.held.events + 1);
    expect(after.latency.events).toBe(before.latency.events);
    expect(after.changes.held).toBe(before.changes.held - 1);
    expect(after.exceptions.find((r) => r.rule === "SEVERITY_CONFLICT")).toMatchObject({ opened: 1, open: 0, approve: 1 });
  });

  it("folding writers' shards into shard 0 changes no figure, and the counters match a recount", async () => {
    const figures = (d: Awaited<ReturnType<typeof getDashboard>>) => ({
      changes: d.changes,
      events: d.events,
      intake: [d.intake.accepted, d.intake.stale, d.intake.refused],
      exceptions: d.exceptions,
      latency: [d.latency.events, d.latency.p50Ms, d.latency.p99Ms, d.latency.held.events],
      counts: [d.records, d.withExceptions, d.backlog.now],
      recurring: d.recurring,
    });
    // A new delivery: the intake's insert adds to its connection's own shard rows.
    await ingest(t, ticket("CASE-F1", 1));
    const before = await getDashboard(t.db, "7d");
    const sharded = await t.db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS "n" FROM "EventRollup" WHERE "shard" <> 0`);
    expect(sharded[0]!.n).toBeGreaterThan(0);
    expect(await foldRollups(t.db)).toBeGreaterThan(0);
    const shards = await t.db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS "n" FROM "EventRollup" WHERE "shard" <> 0`);
    expect(shards[0]!.n).toBe(0);
    const after = await getDashboard(t.db, "7d");
    expect(figures(after)).toEqual(figures(before));
    expect(after.records).toBe(await t.db.case.count({ where: { currentVersion: { not: null } } }));
    expect(after.withExceptions).toBe(await t.db.case.count({ where: { currentVersion: { not: null }, openExceptionCount: { gt: 0 } } }));
    expect(after.totalEvents).toBe(await t.db.webhookEvent.count());
  });
});
