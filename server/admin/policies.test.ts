import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SourceKind } from "../intake/event-schemas";
import type { Actor } from "../lib/audit";
import { fieldOf } from "../refresh/pointer";
import { caseState, createUser, currentRecord } from "../refresh/test-support";
import { bundle, entitlement, environment, incident, ticket } from "../testing/events";
import { ingestAndDrain } from "../testing/ingest";
import { createTestDb, TEST_SECRET_KEY, TEST_DB_KIND, type TestDb } from "../testing/test-db";
import { listPolicies, setDefaultPolicy, setFieldPolicies } from "./manage-policies";
import { onboardNewSource } from "./manage-sources";
import { POLICY_FIELDS } from "./policy-fields";
import { expectAppError } from "./test-helpers";

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
});
