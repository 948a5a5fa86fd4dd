import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SourceKind } from "../../intake/event-schemas";
import type { Actor } from "../../lib/audit";
import { fieldOf } from "../../../shared/pointer";
import { caseState, createUser, currentRecord } from "../../../dev/testing/refresh";
import { bundle, entitlement, environment, incident, ticket } from "../../../dev/testing/events";
import { ingestAndDrain } from "../../../dev/testing/ingest";
import { createTestDb, TEST_SECRET_KEY, TEST_DB_KIND, type TestDb } from "../../../dev/testing/test-db";
import { listPolicies, setDefaultPolicy, setFieldPolicies } from "./manage-policies";
import { onboardNewSource } from "../../sources/manage-sources";
import { POLICY_FIELDS } from "./policy-fields";
import { getJob } from "../jobs/jobs";
import { expectAppError } from "../../../dev/testing/ops";
import { JobRunner } from "../jobs/job-runner";

let t: TestDb;
let admin: Actor;
let manager: Actor;

beforeAll(async () => {
  t = await createTestDb();
  admin = await createUser(t.db, "admin", "Ada Admin");
  manager = await createUser(t.db, "duty_manager", "Dana Manager");
});
afterAll(async () => {
  await t?.close();
});

describe(`overwrite policies (${TEST_DB_KIND})`, () => {
  it("POLICY_FIELDS lists exactly the fields each source kind writes into a fully populated record", async () => {
    await ingestAndDrain(
      t,
      ticket("CASE-PF", 1, { declaredServiceTier: "Premium Support", environmentId: "ENV-PF", notes: [{ id: "n1", author: "a", body: "b", at: "2026-11-27T00:00:00Z" }] }),
      entitlement("ACC-1", 1, { correction: { reason: "contract amended" } }),
      incident("INC-PF", 1, { caseIds: ["CASE-PF"], severity: "S2" }),
      bundle("CASE-PF", "BND-PF", 1),
      environment("ENV-PF", 1, {}, "CASE-PF"),
    );
    const current = await currentRecord(t.db, "CASE-PF");
    expect(current).not.toBeNull();
    const written = new Map<SourceKind, Set<string>>();
    for (const [path, lin] of Object.entries(current!.lineage)) {
      const kind = lin.source as SourceKind;
      written.set(kind, (written.get(kind) ?? new Set()).add(fieldOf(path)));
    }
    for (const kind of Object.keys(POLICY_FIELDS) as SourceKind[]) {
      expect([...(written.get(kind) ?? [])].sort(), kind).toEqual([...POLICY_FIELDS[kind]].sort());
    }
  });

  it("field changes are audited per field with the effective mode before; repeating one changes nothing", async () => {
    const src = await t.db.source.findUniqueOrThrow({ where: { name: "incident" } });
    const first = await setFieldPolicies(t, admin, { source: "incident", fields: ["incidents"], mode: "review", note: "incident feed is flaky this week" });
    expect(first.changed).toEqual([{ field: "incidents", before: "auto", after: "review" }]);
    const again = await setFieldPolicies(t, admin, { source: "incident", fields: ["incidents"], mode: "review", note: "again" });
    expect(again).toEqual({ source: "incident", changed: [], unchanged: ["incidents"] });
    const audits = await t.db.auditLog.findMany({ where: { targetId: src.id, action: "policy.set" } });
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ note: "incident feed is flaky this week", before: { source: "incident", field: "incidents", mode: "auto", explicit: false }, after: { mode: "review" } });
    const listed = (await listPolicies(t.db, admin)).find((s) => s.name === "incident")!;
    expect(listed.fields).toEqual([expect.objectContaining({ field: "incidents", mode: "review", explicit: true })]);
    expect(listed.history[0]).toMatchObject({ action: "policy.set", note: "incident feed is flaky this week" });

    // The engine sees it at once: an incident change now opens REVIEW_REQUIRED.
    await ingestAndDrain(t, ticket("CASE-PI", 1, { accountId: "ACC-PI" }), incident("INC-PI", 1, { caseIds: ["CASE-PI"], affectedAccounts: ["ACC-PI"], severity: "S2" }));
    const state = await caseState(t.db, "CASE-PI");
    expect(state.live.map((e) => e.rule)).toEqual(["REVIEW_REQUIRED"]);
    await setFieldPolicies(t, admin, { source: "incident", fields: ["incidents"], mode: "auto", note: "feed fixed" });
  });

  it("the default policy covers every field without its own row, and is audited", async () => {
    const made = await onboardNewSource(t, { key: TEST_SECRET_KEY, envSecrets: {} }, admin, { name: "environment-onprem", kind: "environment", note: "on-prem collector" });
    await setFieldPolicies(t, admin, { source: "environment-onprem", fields: ["environment.os"], mode: "review", note: "OS strings are unreliable" });
    const r = await setDefaultPolicy(t, admin, { source: "environment-onprem", mode: "auto", note: "collector validated for a month" });
    expect(r).toEqual({ source: "environment-onprem", before: "review", after: "auto", changed: true });
    const fields = (await listPolicies(t.db, admin)).find((s) => s.name === "environment-onprem")!.fields;
    expect(fields.filter((f) => f.mode === "review").map((f) => f.field)).toEqual(["environment.os"]);
    expect(fields.find((f) => f.field === "environment.region")).toMatchObject({ mode: "auto", explicit: false });
    const audit = await t.db.auditLog.findFirstOrThrow({ where: { targetId: made.id, action: "policy.default" } });
    expect(audit).toMatchObject({ before: { defaultPolicy: "review" }, after: { defaultPolicy: "auto", explicitFields: 1 }, note: "collector validated for a month" });
    await expectAppError(setDefaultPolicy(t, manager, { source: "environment-onprem", mode: "review", note: "not allowed" }), "FORBIDDEN");
    await expectAppError(listPolicies(t.db, manager), "FORBIDDEN");
    await expectAppError(setDefaultPolicy(t, admin, { source: "nope", mode: "review", note: "unknown source" }), "NOT_FOUND");
  });

  it("widening a policy re-evaluates at once, as a job, the open review exceptions it may settle; narrowing queues nothing", async () => {
    const runner = new JobRunner(t, { progressEveryMs: 0 });
    const held = ["CASE-PW1", "CASE-PW2"];
    await ingestAndDrain(t, ...held.map((c) => ticket(c, 1, { accountId: "ACC-PW" })), ticket("CASE-PW3", 1, { accountId: "ACC-PW" }));
    const narrowed = await setFieldPolicies(t, admin, { source: "ticketing", fields: ["case.subject"], mode: "review", note: "subjects need a look" });
    expect(narrowed.jobId).toBeUndefined();
    await ingestAndDrain(t, ...held.map((c) => ticket(c, 2, { accountId: "ACC-PW", subject: `Renamed ${c}` })));
    for (const c of held) expect((await caseState(t.db, c)).live.map((e) => e.rule)).toEqual(["REVIEW_REQUIRED"]);

    const widened = await setFieldPolicies(t, admin, { source: "ticketing", fields: ["case.subject"], mode: "auto", note: "subjects are fine" });
    expect(widened.jobId).toEqual(expect.any(String));
    // Queued, nothing moved yet; then the runner takes it without waiting for another event.
    expect((await getJob(t.db, widened.jobId!)).status).toBe("queued");
    // (Earlier tests of this file may have queued jobs of their own.)
    expect(await runner.drain()).toBeGreaterThanOrEqual(1);
    const job = await getJob(t.db, widened.jobId!);
    expect(job).toMatchObject({ kind: "policy_change", status: "succeeded", total: 2, done: 2 });
    expect(job.result).toMatchObject({ source: "ticketing", fields: ["case.subject"], cases: 2, settled: 2, outcomes: { applied: 2 } });
    for (const c of held) {
      const state = await caseState(t.db, c);
      expect(state.live).toEqual([]);
      expect(state.current).toBe(2);
      expect((await currentRecord(t.db, c))!.record.case).toMatchObject({ subject: `Renamed ${c}` });
    }
    // Nothing left to settle: widening again (through the default) queues no job.
    const again = await setDefaultPolicy(t, admin, { source: "ticketing", mode: "review", note: "tighten" });
    expect(again.jobId).toBeUndefined();
    expect((await setDefaultPolicy(t, admin, { source: "ticketing", mode: "auto", note: "loosen" })).jobId).toBeUndefined();
  });
});
