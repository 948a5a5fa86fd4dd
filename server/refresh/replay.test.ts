import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimException, resolveException } from "../exceptions/resolve-exception";
import { bundle, entitlement, environment, incident, ticket } from "../../dev/testing/events";
import { ingest, ingestAndDrain } from "../../dev/testing/ingest";
import { createTestDb, type TestDb } from "../../dev/testing/test-db";
import { drain } from "./process-events";
import { refreshCase } from "./refresh-case";
import { diffPaths, replayAll, replayCase, type ReplayProgress } from "./replay";
import { eventSetArb } from "../../dev/testing/event-sets";
import { caseState, createUser, currentRecords, resetEventTables } from "../../dev/testing/refresh";

/** docs/domain.md: "Any case, or every case, can be re-materialised from stored events; the result is the same." */
let t: TestDb;
let copy: TestDb;
beforeAll(async () => {
  t = await createTestDb();
  copy = await createTestDb();
});
afterAll(async () => {
  await t?.close();
  await copy?.close();
});

/** Copies the event log (and nothing derived from it) into another database, mapping sources by name. */
async function copyEventLog(from: TestDb, to: TestDb): Promise<void> {
  await resetEventTables(to.db);
  const [fromSources, toSources] = await Promise.all([from.db.source.findMany(), to.db.source.findMany()]);
  const idOf = new Map(toSources.map((s) => [s.name, s.id]));
  const nameOf = new Map(fromSources.map((s) => [s.id, s.name]));
  const events = await from.db.webhookEvent.findMany({ orderBy: { seq: "asc" } });
  await to.db.webhookEvent.createMany({
    data: events.map(({ seq: _seq, sourceId, data, ...e }) => ({ ...e, sourceId: idOf.get(nameOf.get(sourceId)!)!, data: data as object })),
  });
}

/** A history with every source, a stale delivery, waiting events and a specialist's rejection. */
async function history(): Promise<void> {
  await ingestAndDrain(t, bundle("CASE-R1", "BND-R1", 1), environment("ENV-R", 1, {}, "CASE-R1"), entitlement("ACC-R", 1, { serviceTier: "ENT" }));
  await ingestAndDrain(
    t,
    ticket("CASE-R1", 1, { accountId: "ACC-R", environmentId: "ENV-R", severity: "S1" }),
    ticket("CASE-R2", 3, { accountId: "ACC-R", subject: "Exports time out", productArea: "export" }),
    incident("INC-R", 1, { caseIds: ["CASE-R1", "CASE-R2"], affectedAccounts: ["ACC-R"], severity: "S2" }),
  );
  await ingestAndDrain(t, ticket("CASE-R2", 2, { accountId: "ACC-R", subject: "stale" }), environment("ENV-R", 2, { region: "us-east-1" }, "CASE-R1"));
  await ingestAndDrain(t, incident("INC-R", 2, { caseIds: ["CASE-R1", "CASE-R2"], affectedAccounts: ["ACC-R"], severity: "S4" }));
  const specialist = await createUser(t.db, "specialist", "Rey");
  for (const caseId of ["CASE-R1", "CASE-R2"]) {
    const live = (await caseState(t.db, caseId)).live;
    for (const e of live) {
      await claimException(t, specialist, e.id);
      await resolveException(t, specialist, e.id, { kind: "reject", note: "Wrong severity on the incident" });
    }
  }
  await ingestAndDrain(t, bundle("CASE-R2", "BND-R2", 1), ticket("CASE-R1", 2, { accountId: "ACC-R", environmentId: "ENV-R", severity: "S1", subject: "Now with logs" }));
  await ingest(t, bundle("CASE-R3", "BND-R3", 1)); // waits for a ticket that never comes
  await drain(t);
}

describe("replay", () => {
  it("replaying every case of a live database matches incremental refresh and makes no version", async () => {
    await history();
    expect(await t.db.webhookEvent.count({ where: { status: "quarantined" } })).toBeGreaterThan(0);
    const before = await currentRecords(t.db);
    const versionsBefore = await t.db.recordVersion.count();
    const progress: ReplayProgress[] = [];
    const result = await replayAll(t, { onProgress: (p) => void progress.push(p) });
    expect(result.differed).toEqual([]);
    expect(result.matched).toEqual(expect.arrayContaining(["CASE-R1", "CASE-R2", "CASE-R3"]));
    expect(result.cases.find((c) => c.caseId === "CASE-R3")).toMatchObject({ outcome: "waiting", matched: true });
    expect(result.cases.every((c) => c.differences.length === 0 && c.heldDifferences.length === 0)).toBe(true);
    expect(await currentRecords(t.db)).toEqual(before);
    expect(await t.db.recordVersion.count()).toBe(versionsBefore);
    const cases = progress.filter((p) => p.phase === "cases");
    expect(cases.map((p) => p.done)).toEqual(cases.map((_, i) => i + 1));
    expect(cases.at(-1)!.done).toBe(cases.at(-1)!.total);
    expect(progress[0]).toMatchObject({ phase: "entities" });
  });

  it("replaying from the event log alone, in an empty database, gives the same records", async () => {
    const expected = await currentRecords(t.db);
    await copyEventLog(t, copy);
    expect(await currentRecords(copy.db)).toEqual(new Map());
    const result = await replayAll(copy);
    expect(await currentRecords(copy.db)).toEqual(expected);
    expect(result.differed.sort()).toEqual([...expected.keys()].sort()); // every record was new there
    // And the rejected incident version stays out: the records use its previous accepted version.
    const r1 = JSON.parse(expected.get("CASE-R1")!) as { incidents: { severity: string }[] };
    expect(r1.incidents[0]!.severity).toBe("S2");
  });

  it("replaying one case repairs a lost entity update and reports the paths that differed", async () => {
    const expected = await currentRecords(t.db);
    // Simulate a lost update: the ticket's entity points at its older event, and the case refreshed from it.
    const ticketEntity = await t.db.sourceEntity.findFirstOrThrow({ where: { entityKind: "ticket", caseId: "CASE-R1" } });
    const older = await t.db.webhookEvent.findFirstOrThrow({ where: { entityId: ticketEntity.entityId, entityVersion: 1 } });
    await t.db.sourceEntity.update({ where: { id: ticketEntity.id }, data: { currentEventId: older.id } });
    expect((await refreshCase(t, "CASE-R1")).outcome).toBe("applied");
    expect((await currentRecords(t.db)).get("CASE-R1")).not.toBe(expected.get("CASE-R1"));

    const result = await replayCase(t, "CASE-R1");
    expect(result.differed).toEqual(["CASE-R1"]);
    expect(result.cases[0]!.differences).toEqual([{ path: "/case/subject", before: "Invoices fail to render", after: "Now with logs" }]);
    expect((await currentRecords(t.db)).get("CASE-R1")).toBe(expected.get("CASE-R1"));
    // A second replay finds nothing left to repair.
    expect((await replayCase(t, "CASE-R1")).matched).toEqual(["CASE-R1"]);
  });

  it("replay from stored events equals incremental refresh for generated event sets", async () => {
    for (const deliveries of fc.sample(eventSetArb, { numRuns: 8, seed: 4242 })) {
      await resetEventTables(t.db);
      for (const d of deliveries) {
        await ingest(t, d.event, d.webhookId);
        await drain(t);
      }
      const incremental = await currentRecords(t.db);
      await copyEventLog(t, copy);
      await replayAll(copy);
      expect(await currentRecords(copy.db)).toEqual(incremental);
    }
  });

  it("a case with an open exception matches when its held candidate comes out the same", async () => {
    await ingestAndDrain(t, ticket("CASE-R9", 1, { severity: "S1" }), incident("INC-R9", 1, { caseIds: ["CASE-R9"], severity: "S4" }));
    expect((await caseState(t.db, "CASE-R9")).live.map((e) => e.rule)).toEqual(["SEVERITY_CONFLICT"]);
    const result = await replayCase(t, "CASE-R9");
    expect(result.cases[0]).toMatchObject({ caseId: "CASE-R9", outcome: "held", matched: true, differences: [], heldDifferences: [] });
  });

  it("diffPaths lists leaf paths only where values differ", () => {
    expect(diffPaths({ a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [1, 3] }, d: "x" })).toEqual([
      { path: "/b/c/1", before: 2, after: 3 },
      { path: "/d", before: null, after: "x" },
    ]);
    expect(diffPaths({ a: 1 }, { a: 1 })).toEqual([]);
  });
});
