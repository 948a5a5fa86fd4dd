import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../lib/audit";
import { JobRunner } from "./job-runner";
import { createUser, currentRecords } from "../../../dev/testing/refresh";
import { entitlement, incident, ticket } from "../../../dev/testing/events";
import { ingestAndDrain } from "../../../dev/testing/ingest";
import { createTestDb, TEST_DB_KIND, type TestDb } from "../../../dev/testing/test-db";
import { getJob } from "./jobs";
import { requestReplay } from "./replay-jobs";
import { expectAppError } from "../../../dev/testing/ops";

let t: TestDb;
let admin: Actor;
let manager: Actor;
let runner: JobRunner;

beforeAll(async () => {
  t = await createTestDb();
  admin = await createUser(t.db, "admin", "Ada Admin");
  manager = await createUser(t.db, "duty_manager", "Dana Manager");
  runner = new JobRunner(t, { progressEveryMs: 0 });
  await ingestAndDrain(
    t,
    ticket("CASE-R1", 1, { accountId: "ACC-R" }),
    ticket("CASE-R2", 1, { accountId: "ACC-R", severity: "S3" }),
    ticket("CASE-R3", 1, { accountId: "ACC-Q" }),
    entitlement("ACC-R", 1),
    incident("INC-R", 1, { caseIds: ["CASE-R1", "CASE-R2"], affectedAccounts: ["ACC-R"], severity: "S3" }),
    ticket("CASE-R1", 2, { accountId: "ACC-R", status: "pending" }),
  );
});
afterAll(async () => {
  await t?.close();
});

async function run(jobId: string) {
  await runner.drain();
  return getJob(t.db, jobId);
}

describe(`replay from stored events (${TEST_DB_KIND})`, () => {
  it("one case, a window and everything re-materialise to the same records and say so", async () => {
    const before = await currentRecords(t.db);
    expect(before.size).toBe(3);

    const one = await run((await requestReplay(t.db, admin, { scope: "case", caseId: "CASE-R1" })).jobId);
    expect(one).toMatchObject({ kind: "replay_case", status: "succeeded", done: 1, total: 1 });
    expect(one.result).toMatchObject({ scope: { caseId: "CASE-R1" }, cases: 1, matched: 1, differedCount: 0, differed: [] });

    const from = new Date(Date.now() - 3_600_000);
    const to = new Date(Date.now() + 60_000);
    const win = await run((await requestReplay(t.db, admin, { scope: "window", from, to })).jobId);
    expect(win).toMatchObject({ kind: "replay_window", status: "succeeded", done: 3, total: 3 });
    expect(win.result).toMatchObject({ cases: 3, matched: 3, differedCount: 0 });

    const all = await run((await requestReplay(t.db, admin, { scope: "all" })).jobId);
    expect(all).toMatchObject({ kind: "replay_all", status: "succeeded", done: 3, total: 3 });
    expect(all.result).toMatchObject({ cases: 3, matched: 3, differedCount: 0 });
    expect(await currentRecords(t.db)).toEqual(before);

    // An empty window replays nothing and says so.
    const empty = await run((await requestReplay(t.db, admin, { scope: "window", from: new Date("2020-01-01T00:00:00Z"), to: new Date("2020-01-02T00:00:00Z") })).jobId);
    expect(empty).toMatchObject({ status: "succeeded", total: 0, done: 0 });
    expect(empty.result).toMatchObject({ cases: 0, matched: 0, differedCount: 0 });
  });

  it("a stored record that drifted from its events is reported path by path, then repaired", async () => {
    const current = await t.db.recordVersion.findFirstOrThrow({ where: { caseId: "CASE-R2", isCurrent: true } });
    const drifted = structuredClone(current.record) as { case: Record<string, unknown> };
    drifted.case.severity = "S1";
    drifted.case.subject = "Tampered subject";
    await t.db.recordVersion.update({ where: { id: current.id }, data: { record: drifted as never } });

    const job = await run((await requestReplay(t.db, admin, { scope: "case", caseId: "CASE-R2" })).jobId);
    expect(job.status).toBe("succeeded");
    expect(job.result).toMatchObject({ cases: 1, matched: 0, differedCount: 1 });
    const [report] = (job.result as { differed: { caseId: string; outcome: string; differences: unknown[] }[] }).differed;
    expect(report).toMatchObject({ caseId: "CASE-R2", outcome: "applied" });
    expect(report!.differences).toEqual([
      // Each with the field's name for people (the replay screen shows it; the path stays in the API).
      { record: "current", path: "/case/severity", label: "Case › Severity", before: "S1", after: "S3" },
      { record: "current", path: "/case/subject", label: "Case › Subject", before: "Tampered subject", after: "Invoices fail to render" },
    ]);
    const repaired = await t.db.recordVersion.findFirstOrThrow({ where: { caseId: "CASE-R2", isCurrent: true } });
    expect((repaired.record as { case: { severity: string } }).case.severity).toBe("S3");
  });

  it("a case an exception holds matches when both its current record and the held candidate come out the same", async () => {
    await ingestAndDrain(t, ticket("CASE-R4", 1, { accountId: "ACC-R4", severity: "S1" }));
    await ingestAndDrain(t, incident("INC-R4", 1, { caseIds: ["CASE-R4"], affectedAccounts: ["ACC-R4"], severity: "S3" }));
    const versions = await t.db.recordVersion.findMany({ where: { caseId: "CASE-R4" }, orderBy: { version: "asc" }, select: { version: true, status: true } });
    expect(versions).toEqual([{ version: 1, status: "current" }, { version: 2, status: "held" }]);

    const job = await run((await requestReplay(t.db, admin, { scope: "case", caseId: "CASE-R4" })).jobId);
    expect(job.result).toMatchObject({ cases: 1, matched: 1, differedCount: 0, heldCases: 1, outcomes: { held: 1 } });

    // A held candidate that drifted is reported as such, path by path.
    const held = await t.db.recordVersion.findFirstOrThrow({ where: { caseId: "CASE-R4", status: "held" } });
    const drifted = structuredClone(held.record) as { case: Record<string, unknown> };
    drifted.case.status = "closed";
    await t.db.recordVersion.update({ where: { id: held.id }, data: { record: drifted as never } });
    const again = await run((await requestReplay(t.db, admin, { scope: "case", caseId: "CASE-R4" })).jobId);
    expect(again.result).toMatchObject({ matched: 0, differedCount: 1 });
    expect((again.result as { differed: { differences: unknown[] }[] }).differed[0]!.differences).toEqual([{ record: "held", path: "/case/status", label: "Case › Status", before: "closed", after: "open" }]);
  });

  it("validates the request, audits it, and is for admins only", async () => {
    await expectAppError(requestReplay(t.db, admin, { scope: "case", caseId: "CASE-NOPE" }), "NOT_FOUND");
    await expectAppError(requestReplay(t.db, admin, { scope: "window", from: new Date("2026-01-02"), to: new Date("2026-01-01") }), "BAD_REQUEST");
    await expectAppError(requestReplay(t.db, admin, { scope: "window", from: new Date("2026-01-01"), to: new Date("2026-03-01") }), "BAD_REQUEST");
    await expectAppError(requestReplay(t.db, manager, { scope: "all" }), "FORBIDDEN");
    const { jobId } = await requestReplay(t.db, admin, { scope: "case", caseId: "CASE-R3" });
    const audit = await t.db.auditLog.findFirstOrThrow({ where: { action: "replay.request", targetId: jobId } });
    expect(audit).toMatchObject({ actorId: admin.id, after: { scope: "case", caseId: "CASE-R3" } });
    await runner.drain();
  });
});
