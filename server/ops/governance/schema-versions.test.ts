import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../lib/audit";
import { JobRunner } from "../jobs/job-runner";
import { caseState, createUser } from "../../../dev/testing/refresh";
import { environment, ticket } from "../../../dev/testing/events";
import { ingestAndDrain } from "../../../dev/testing/ingest";
import { createTestDb, TEST_DB_KIND, type TestDb } from "../../../dev/testing/test-db";
import { createDraft, diffSchema, discardDraft, listSchemaVersions, publishSchema, saveDraft } from "./schema-versions";
import { getJob } from "../jobs/jobs";
import { expectAppError } from "../../../dev/testing/ops";

const V1_REQUIRED = ["case.accountId", "case.id", "case.product", "case.severity", "case.status", "case.subject"];

let t: TestDb;
let admin: Actor;
let specialist: Actor;
let runner: JobRunner;

beforeAll(async () => {
  t = await createTestDb();
  admin = await createUser(t.db, "admin", "Ada Admin");
  specialist = await createUser(t.db, "specialist", "Sam Specialist");
  runner = new JobRunner(t, { progressEveryMs: 0 });
  // CASE-SE has an environment, CASE-SN does not.
  await ingestAndDrain(t, ticket("CASE-SE", 1, { environmentId: "ENV-SE" }), environment("ENV-SE", 1, {}, "CASE-SE"), ticket("CASE-SN", 1));
});
afterAll(async () => {
  await t?.close();
});

describe(`escalation schema versions (${TEST_DB_KIND})`, () => {
  it("draft, review against the published version, publish: every record re-materialised, missing fields open SCHEMA_INVALID", async () => {
    const { version } = await createDraft(t.db, admin);
    expect(version).toBe(2);
    await expectAppError(createDraft(t.db, admin), "CONFLICT");
    await saveDraft(t.db, admin, { version, required: [...V1_REQUIRED, "environment.id"] as never, note: "duty managers need the environment" });

    const diff = await diffSchema(t.db, admin, version);
    expect(diff).toEqual({
      version: 2,
      against: 1,
      newlyRequired: [{ path: "environment.id", missingIn: 1 }],
      noLongerRequired: [],
      unchangedRequired: [...V1_REQUIRED].sort(),
      currentRecords: 2,
      addedFields: [],
      removedFields: [],
    });

    const { jobId } = await publishSchema(t, admin, { version, note: "environment is now required" });
    const listed = await listSchemaVersions(t.db, admin);
    expect(listed.active).toBe(2);
    expect(listed.versions.map((v) => [v.version, v.status])).toEqual([[2, "published"], [1, "retired"]]);
    const audit = await t.db.auditLog.findFirstOrThrow({ where: { action: "schema.publish", targetId: "2" } });
    expect(audit.before).toMatchObject({ activeVersion: 1 });
    expect(audit.after).toMatchObject({ activeVersion: 2, jobId });
    expect((audit.after as { required: string[] }).required).toContain("environment.id");

    // Queued until the runner takes it; nothing has changed in the records yet.
    expect((await getJob(t.db, jobId)).status).toBe("queued");
    expect((await caseState(t.db, "CASE-SN")).live).toEqual([]);
    expect(await runner.drain()).toBe(1);

    const job = await getJob(t.db, jobId);
    expect(job).toMatchObject({ kind: "schema_publish", status: "succeeded", total: 2, done: 2 });
    expect(job.result).toMatchObject({ schemaVersion: 2, activeSchemaVersion: 2, cases: 2, schemaInvalid: 1, schemaInvalidCases: ["CASE-SN"], opened: 1, openedCases: ["CASE-SN"], cleared: 0 });
    const sn = await caseState(t.db, "CASE-SN");
    expect(sn.current).toBe(1);
    expect(sn.live.map((e) => e.rule)).toEqual(["SCHEMA_INVALID"]);
    const exc = await t.db.caseException.findUniqueOrThrow({ where: { id: sn.live[0]!.id } });
    expect(JSON.stringify(exc.detail)).toContain("environment.id");
    expect((await caseState(t.db, "CASE-SE")).live).toEqual([]);

    // A later version that drops the requirement clears it, again through a job.
    const v3 = await createDraft(t.db, admin);
    await saveDraft(t.db, admin, { version: v3.version, required: V1_REQUIRED as never });
    expect((await diffSchema(t.db, admin, v3.version)).noLongerRequired).toEqual(["environment.id"]);
    const revert = await publishSchema(t, admin, { version: v3.version, note: "too strict for on-prem cases" });
    await runner.drain();
    expect((await getJob(t.db, revert.jobId)).result).toMatchObject({ opened: 0, cleared: 1, clearedCases: ["CASE-SN"], schemaInvalid: 0 });
    expect((await caseState(t.db, "CASE-SN")).live).toEqual([]);
    expect(await t.db.caseException.findUniqueOrThrow({ where: { id: exc.id } })).toMatchObject({ status: "resolved", resolution: "cleared" });
    expect((await listSchemaVersions(t.db, admin)).versions.map((v) => v.status)).toEqual(["published", "retired", "retired"]);
  });

  it("only drafts change; publishing needs a note and the admin role; drafts can be discarded", async () => {
    await expectAppError(saveDraft(t.db, admin, { version: 1, required: V1_REQUIRED as never }), "CONFLICT");
    await expectAppError(publishSchema(t, admin, { version: 1, note: "again please" }), "CONFLICT");
    const { version } = await createDraft(t.db, admin);
    await expect(publishSchema(t, admin, { version, note: "" })).rejects.toThrow(/say why/);
    await expectAppError(publishSchema(t, specialist, { version, note: "not mine" }), "FORBIDDEN");
    await expect(saveDraft(t.db, admin, { version, required: ["case.nonsense"] as never })).rejects.toThrow();
    await discardDraft(t.db, admin, { version });
    expect(await t.db.escalationSchemaVersion.findUnique({ where: { version } })).toBeNull();
    expect(await t.db.auditLog.count({ where: { action: "schema.draft_discard", targetId: String(version) } })).toBe(1);
  });
});
