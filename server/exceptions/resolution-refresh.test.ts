import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { getEventStatus } from "../api/read-api";
import type { Actor } from "../lib/audit";
import { caseState, createUser, currentRecord } from "../../dev/testing/refresh";
import { incident, ticket } from "../../dev/testing/events";
import { ingest, ingestAndDrain } from "../../dev/testing/ingest";
import { createTestDb, TEST_DB_KIND, type TestDb } from "../../dev/testing/test-db";
import { JobRunner } from "../ops/jobs/job-runner";
import { drain } from "../refresh/process-events";
import { claimException, resolveException } from "./resolve-exception";

// Injects a failure into every case refresh while `failing.on` (a lock wait that timed out, a lost connection).
const failing = vi.hoisted(() => ({ on: false }));
vi.mock("../refresh/refresh-case", async (importOriginal) => {
  const mod = await importOriginal<typeof import("../refresh/refresh-case")>();
  return {
    ...mod,
    refreshCase: (...args: Parameters<typeof mod.refreshCase>) => (failing.on ? Promise.reject(new Error("injected: refresh failed")) : mod.refreshCase(...args)),
  };
});

let t: TestDb;
let alice: Actor;

beforeAll(async () => {
  t = await createTestDb();
  alice = await createUser(t.db, "specialist", "Alice Specialist");
});
afterAll(async () => {
  await t?.close();
});

const webhookOf = async (eventId: string) => (await t.db.webhookEvent.findUniqueOrThrow({ where: { id: eventId } })).webhookId;

describe(`a resolution's refresh cannot be lost (${TEST_DB_KIND})`, () => {
  it("approve whose immediate refresh fails: the job runner completes it, with the approval lineage and the events' statuses", async () => {
    const caseId = "CASE-RR-1";
    const inc = (version: number, data: Record<string, unknown> = {}) => incident("INC-RR-1", version, { caseIds: [caseId], severity: "S2", ...data });
    await ingestAndDrain(t, ticket(caseId, 1, { severity: "S1" }), inc(1));
    const conflicting = await ingest(t, inc(2, { severity: "S3", title: "Escalated" }));
    await drain(t);
    // An innocent ticket note arrives while the case is held.
    const note = await ingest(t, ticket(caseId, 2, { severity: "S1", notes: [{ id: "n1", author: "agent", body: "Customer called", at: "2026-11-27T03:00:00Z" }] }));
    await drain(t);
    const held = await caseState(t.db, caseId);
    expect(held.current).toBe(1);
    const exceptionId = held.live[0]!.id;
    expect((await getEventStatus(t.db, "incident", await webhookOf(conflicting.eventId))).status).toBe("held");
    expect((await getEventStatus(t.db, "ticketing", await webhookOf(note.eventId))).status).toBe("held");

    await claimException(t, alice, exceptionId);
    failing.on = true;
    // The resolution stands although its refresh failed; nothing changed on the case yet.
    expect(await resolveException(t, alice, exceptionId, { kind: "approve", note: "Incident commander confirmed S3" })).toEqual([]);
    expect(await t.db.caseException.findUniqueOrThrow({ where: { id: exceptionId } })).toMatchObject({ status: "resolved", resolution: "approve" });
    expect((await caseState(t.db, caseId)).current).toBe(1);
    const job = await t.db.job.findFirstOrThrow({ where: { kind: "exception_refresh", params: { path: ["exceptionId"], equals: exceptionId } } });
    expect(job).toMatchObject({ status: "queued", createdBy: alice.id });
    expect(job.params).toMatchObject({ caseIds: [caseId], approval: { exceptionId, by: alice.label } });

    // While the refresh still fails, the runner keeps the job to try again (not failed, not lost).
    const runner = new JobRunner(t);
    expect(await runner.drain()).toBe(1);
    expect(await t.db.job.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({ status: "running", params: expect.objectContaining({ attempts: 1 }), error: expect.stringMatching(/tried again later/) });
    expect((await caseState(t.db, caseId)).current).toBe(1);

    // The failure passes; once the job's row is stale (as after the runner's wait, or a process that
    // stopped mid-way), the runner takes it over and completes the refresh.
    failing.on = false;
    await t.db.job.update({ where: { id: job.id }, data: { updatedAt: new Date(Date.now() - 3_600_000) } });
    expect(await runner.drain()).toBe(1);
    expect(await t.db.job.findUniqueOrThrow({ where: { id: job.id } })).toMatchObject({ status: "succeeded", error: null });

    const after = await caseState(t.db, caseId);
    expect(after.live).toEqual([]);
    const cur = (await currentRecord(t.db, caseId))!;
    expect(cur.version).toBe(after.current);
    expect((cur.record.incidents as { severity: string }[])[0]!.severity).toBe("S3");
    expect(cur.lineage["/incidents/0/severity"]!.approval).toMatchObject({ exceptionId, by: alice.label });
    expect((cur.record.notes as { id: string }[]).map((n) => n.id)).toEqual(["n1"]);
    for (const [source, eventId] of [["incident", conflicting.eventId], ["ticketing", note.eventId]] as const) {
      expect(await getEventStatus(t.db, source, await webhookOf(eventId))).toMatchObject({ status: "applied", cases: [{ caseId, outcome: "applied", version: cur.version }] });
    }
  });

  it("in the normal case the specialist's call refreshes at once and its job is done", async () => {
    const caseId = "CASE-RR-2";
    await ingestAndDrain(t, ticket(caseId, 1, { severity: "S1" }), incident("INC-RR-2", 1, { caseIds: [caseId], severity: "S2" }));
    await ingestAndDrain(t, incident("INC-RR-2", 2, { caseIds: [caseId], severity: "S3" }));
    const exceptionId = (await caseState(t.db, caseId)).live[0]!.id;
    await claimException(t, alice, exceptionId);
    const [r] = await resolveException(t, alice, exceptionId, { kind: "approve", note: "Confirmed S3" });
    expect(r).toMatchObject({ caseId, outcome: "applied" });
    const job = await t.db.job.findFirstOrThrow({ where: { kind: "exception_refresh", params: { path: ["exceptionId"], equals: exceptionId } } });
    expect(job).toMatchObject({ status: "succeeded", done: 1, total: 1 });
    expect(await new JobRunner(t).drain()).toBe(0);
  });
});
