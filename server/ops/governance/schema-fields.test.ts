import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../lib/audit";
import { JobRunner } from "../jobs/job-runner";
import { replayAll } from "../../refresh/replay";
import { caseState, createUser, currentRecord, isCompleteLineage, leafAndItemPaths } from "../../../dev/testing/refresh";
import type { LineageMap } from "../../refresh/types";
import { entitlement, ticket } from "../../../dev/testing/events";
import { ingestAndDrain } from "../../../dev/testing/ingest";
import { createTestDb, TEST_DB_KIND, type TestDb } from "../../../dev/testing/test-db";
import { listOverrideFields } from "../../exceptions/override-options";
import { claimException, resolveException } from "../../exceptions/resolve-exception";
import { getJob } from "../jobs/jobs";
import { listPolicies, setFieldPolicies } from "./manage-policies";
import { defineField, previewField, removeField } from "./schema-fields";
import { createDraft, diffSchema, listSchemaVersions, publishSchema } from "./schema-versions";
import { expectAppError } from "../../../dev/testing/ops";

/** docs/domain.md, escalation schema: a schema version adds a field the record never had, filled from stored and later events. */
let t: TestDb;
let admin: Actor;
let runner: JobRunner;

const IMPACT = { name: "case.customerImpact", type: "enum", values: ["low", "medium", "high"], source: "ticketing", pointer: "/customerImpact", required: false } as const;
const REGION = { name: "entitlement.supportRegion", type: "string", source: "entitlement", pointer: "/supportRegion", required: false } as const;
const VIP = { name: "case.vip", type: "boolean", source: "ticketing", pointer: "/flags/vip", required: true } as const;

beforeAll(async () => {
  t = await createTestDb();
  admin = await createUser(t.db, "admin", "Ada Admin");
  runner = new JobRunner(t, { progressEveryMs: 0 });
  await ingestAndDrain(
    t,
    ticket("CASE-A", 1, { customerImpact: "High" }),
    ticket("CASE-B", 1),
    ticket("CASE-C", 1, { customerImpact: "enormous" }),
    ticket("CASE-D", 1, { accountId: "ACC-D" }),
    entitlement("ACC-D", 1, { supportRegion: "emea" }),
  );
});
afterAll(async () => {
  await t?.close();
});

async function publish(fields: object[], note: string): Promise<number> {
  const { version } = await createDraft(t.db, admin);
  for (const field of fields) await defineField(t.db, admin, { version, field });
  const { jobId } = await publishSchema(t, admin, { version, note });
  await runner.drain();
  expect((await getJob(t.db, jobId)).status).toBe("succeeded");
  return version;
}

const deltaOf = (caseId: string, path: string) => t.db.deltaEntry.findMany({ where: { caseId, path }, orderBy: { createdAt: "asc" }, select: { cause: true, after: true, version: { select: { version: true, status: true } } } });
const liveRules = async (caseId: string) => (await caseState(t.db, caseId)).live.map((e) => e.rule);

describe(`fields a schema version adds (${TEST_DB_KIND})`, () => {
  it("stores data properties beyond docs/api.md's shapes with the event, and leaves them out of the record until mapped", async () => {
    const ev = await t.db.webhookEvent.findFirstOrThrow({ where: { caseId: "CASE-A" }, select: { data: true } });
    expect((ev.data as Record<string, unknown>).customerImpact).toBe("High");
    const ent = await t.db.webhookEvent.findFirstOrThrow({ where: { entityId: "ACC-D" }, select: { data: true } });
    expect((ent.data as Record<string, unknown>).supportRegion).toBe("emea");
    const a = await currentRecord(t.db, "CASE-A");
    expect(a!.record.case).not.toHaveProperty("customerImpact");
  });

  it("refuses invalid definitions with a 400 that names the problem, and changes nothing", async () => {
    const { version } = await createDraft(t.db, admin);
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ name: "" }, /name the field/],
      [{ name: "customerImpact" }, /section and a name/],
      [{ name: "case..impact" }, /empty segment/],
      [{ name: "case.impact.level" }, /section and a name/],
      [{ name: "case.__proto__" }, /reserved/],
      [{ name: "case.constructor" }, /reserved/],
      [{ name: "case.prototype" }, /reserved/],
      [{ name: "case.toString" }, /reserved/],
      [{ name: "case.customer-impact" }, /letters, digits and _/],
      [{ name: "case.1st" }, /start with a letter/],
      [{ name: "case.subject" }, /built-in field/],
      [{ name: "case.Severity" }, /built-in field/],
      [{ name: "entitlement.tierName", source: "entitlement" }, /built-in field/],
      [{ name: "incidents.owner" }, /cannot take new fields/],
      [{ name: "notes.owner" }, /cannot take new fields/],
      [{ type: "json" }, /must be one of string, number, boolean, enum, date/],
      [{ values: [] }, /needs its allowed values/],
      [{ values: ["low", "Low"] }, /listed twice/],
      [{ type: "string", values: ["a"] }, /only an enum field/],
      [{ source: "billing" }, /no source named "billing"/],
      [{ source: "incident" }, /cannot feed a single field/],
      [{ source: "diagnostics" }, /cannot feed a single field/],
      [{ source: "entitlement" }, /entitlement feeds entitlement/],
      [{ pointer: "customerImpact" }, /starting with "\/"/],
      [{ pointer: "/a//b" }, /empty segment/],
      [{ pointer: "/__proto__/x" }, /reserved/],
      [{ pointer: "/constructor" }, /reserved/],
      [{ pointer: "/a~2b" }, /~0/],
      [{ required: "yes" }, /required/],
      [{ extra: 1 }, /extra/],
    ];
    for (const [change, message] of bad) {
      const err = await expectAppError(defineField(t.db, admin, { version, field: { ...IMPACT, ...change } }), "BAD_REQUEST");
      expect(err.message, JSON.stringify(change)).toMatch(message);
    }
    await expectAppError(previewField(t.db, admin, { field: { ...IMPACT, name: "case.__proto__" } }), "BAD_REQUEST");
    await expectAppError(removeField(t.db, admin, { version, name: "case.subject" }), "BAD_REQUEST");
    await expectAppError(defineField(t.db, admin, { version: 1, field: IMPACT }), "CONFLICT");
    expect((await listSchemaVersions(t.db, admin)).versions.find((v) => v.version === version)!.added).toEqual([]);
    expect(await t.db.auditLog.count({ where: { action: "schema.field_define" } })).toBe(0);
    await t.db.escalationSchemaVersion.delete({ where: { version } });
  });

  it("previews, then publishes optional fields: records gain them with lineage from events already received (cause schema_change); a value that does not fit is SCHEMA_INVALID", async () => {
    const preview = await previewField(t.db, admin, { field: IMPACT });
    expect(preview).toMatchObject({ currentRecords: 4, filled: 1, samples: [{ caseId: "CASE-A", value: "high" }], lacking: 2, invalid: 1 });
    expect(preview.lackingCases.map((c) => c.caseId)).toEqual(["CASE-B", "CASE-D"]);
    expect(preview.invalidCases).toEqual([{ caseId: "CASE-C", reason: expect.stringMatching(/"enormous" is not one of low, medium, high/) }]);
    const region = await previewField(t.db, admin, { field: REGION });
    expect(region).toMatchObject({ filled: 1, samples: [{ caseId: "CASE-D", value: "emea" }], lacking: 3, invalid: 0 });
    expect(region.lackingCases[0]!.why).toMatch(/no entitlement section/);

    const { version } = await createDraft(t.db, admin);
    await defineField(t.db, admin, { version, field: IMPACT });
    await defineField(t.db, admin, { version, field: REGION });
    const diff = await diffSchema(t.db, admin, version);
    expect(diff.addedFields.map((f) => [f.field.path, f.change, f.filled, f.lacking, f.invalid])).toEqual([
      ["case.customerImpact", "added", 1, 2, 1],
      ["entitlement.supportRegion", "added", 1, 3, 0],
    ]);
    expect(diff.newlyRequired).toEqual([]);
    // Before publishing nothing changed.
    expect((await currentRecord(t.db, "CASE-A"))!.record.case).not.toHaveProperty("customerImpact");

    const { jobId } = await publishSchema(t, admin, { version, note: "duty managers sort by customer impact" });
    await runner.drain();
    expect((await getJob(t.db, jobId)).result).toMatchObject({ opened: 1, openedCases: ["CASE-C"] });

    const a = (await currentRecord(t.db, "CASE-A"))!;
    expect(a.version).toBe(2);
    expect((a.record.case as Record<string, unknown>).customerImpact).toBe("high");
    const ticketEvent = await t.db.webhookEvent.findFirstOrThrow({ where: { caseId: "CASE-A" }, select: { webhookId: true } });
    expect(a.lineage["/case/customerImpact"]).toMatchObject({ source: "ticketing", entityKind: "ticket", entityId: "TCK-CASE-A", entityVersion: 1, webhookId: ticketEvent.webhookId });
    expect(isCompleteLineage(a.lineage["/case/customerImpact"])).toBe(true);
    expect(await deltaOf("CASE-A", "/case/customerImpact")).toEqual([{ cause: "schema_change", after: "high", version: { version: 2, status: "current" } }]);

    const d = (await currentRecord(t.db, "CASE-D"))!;
    expect((d.record.entitlement as Record<string, unknown>).supportRegion).toBe("emea");
    expect(d.lineage["/entitlement/supportRegion"]).toMatchObject({ source: "entitlement", entityKind: "account", entityId: "ACC-D", entityVersion: 1 });
    expect(await deltaOf("CASE-D", "/entitlement/supportRegion")).toEqual([{ cause: "schema_change", after: "emea", version: { version: 2, status: "current" } }]);

    // Optional and absent: nothing changes, nothing is held.
    expect(await caseState(t.db, "CASE-B")).toMatchObject({ current: 1, live: [] });

    // Does not fit the type: held with SCHEMA_INVALID naming the value; the current version stays.
    expect(await liveRules("CASE-C")).toEqual(["SCHEMA_INVALID"]);
    expect((await caseState(t.db, "CASE-C")).current).toBe(1);
    const exc = await t.db.caseException.findFirstOrThrow({ where: { caseId: "CASE-C", liveKey: { not: null } } });
    expect(exc.field).toBe("case.customerImpact");
    expect(JSON.stringify(exc.detail)).toContain("enormous");

    // The source sends a value that fits: released, the field comes with the new ticket version.
    await ingestAndDrain(t, ticket("CASE-C", 2, { customerImpact: " Medium " }));
    expect(await liveRules("CASE-C")).toEqual([]);
    const c = (await currentRecord(t.db, "CASE-C"))!;
    expect((c.record.case as Record<string, unknown>).customerImpact).toBe("medium");
    expect(c.lineage["/case/customerImpact"]).toMatchObject({ entityId: "TCK-CASE-C", entityVersion: 2 });
    expect((await deltaOf("CASE-C", "/case/customerImpact")).at(-1)).toMatchObject({ cause: "ticket_update", after: "medium" });
  });

  it("a new required field holds every record whose source lacks it with SCHEMA_INVALID; the event that provides it releases the case", async () => {
    const before = await previewField(t.db, admin, { field: VIP });
    expect(before).toMatchObject({ currentRecords: 4, lacking: 4, filled: 0 });
    const version = await publish([VIP], "VIP customers must be flagged");
    for (const caseId of ["CASE-A", "CASE-B", "CASE-C", "CASE-D"]) {
      expect(await liveRules(caseId), caseId).toEqual(["SCHEMA_INVALID"]);
      const exc = await t.db.caseException.findFirstOrThrow({ where: { caseId, liveKey: { not: null } } });
      expect(JSON.stringify(exc.detail)).toContain(`case vip (escalation schema version ${version}) is missing; it comes from ticketing`);
      expect(exc.sourceName).toBe("ticketing");
    }
    const bCurrent = (await caseState(t.db, "CASE-B")).current;

    await ingestAndDrain(t, ticket("CASE-B", 2, { flags: { vip: "true" } }));
    expect(await liveRules("CASE-B")).toEqual([]);
    const b = (await currentRecord(t.db, "CASE-B"))!;
    expect(b.version).toBeGreaterThan(bCurrent!);
    expect((b.record.case as Record<string, unknown>).vip).toBe(true);
    expect(b.lineage["/case/vip"]).toMatchObject({ source: "ticketing", entityId: "TCK-CASE-B", entityVersion: 2 });
    expect((await deltaOf("CASE-B", "/case/vip")).at(-1)).toMatchObject({ cause: "ticket_update", after: true });
    const resolved = await t.db.caseException.findFirstOrThrow({ where: { caseId: "CASE-B", rule: "SCHEMA_INVALID" }, orderBy: { openedAt: "desc" } });
    expect(resolved).toMatchObject({ status: "resolved", resolution: "cleared" });

    // A value that does not fit the boolean is held too, now as "cannot be normalised".
    await ingestAndDrain(t, ticket("CASE-A", 2, { customerImpact: "high", flags: { vip: "maybe" } }));
    const exc = await t.db.caseException.findFirstOrThrow({ where: { caseId: "CASE-A", liveKey: { not: null } } });
    expect(JSON.stringify(exc.detail)).toContain('\\"maybe\\" is not true or false');
    await ingestAndDrain(t, ticket("CASE-A", 3, { customerImpact: "high", flags: { vip: false } }));
    expect(await liveRules("CASE-A")).toEqual([]);
    expect(((await currentRecord(t.db, "CASE-A"))!.record.case as Record<string, unknown>).vip).toBe(false);
  });

  it("a specialist can supply a missing required field by override: typed like the source, held until the source sends its own value", async () => {
    const held = await t.db.caseException.findFirstOrThrow({ where: { caseId: "CASE-C", liveKey: { not: null } } });
    expect(held.rule).toBe("SCHEMA_INVALID");
    const specialist = await createUser(t.db, "specialist", "Sam Specialist");
    expect(await listOverrideFields(t, held.id)).toEqual([{ path: "/case/vip", value: null, kind: "enum", options: [{ value: "true", label: "true" }, { value: "false", label: "false" }] }]);
    await claimException(t, specialist, held.id);
    expect((await expectAppError(resolveException(t, specialist, held.id, { kind: "override", note: "trying a value", path: "/case/vip", value: "banana" }), "BAD_REQUEST")).message).toMatch(/^Case › Vip must be a boolean: "banana" is not true or false/);
    expect((await expectAppError(resolveException(t, specialist, held.id, { kind: "override", note: "trying a value", path: "/case/customerImpact", value: "low" }), "BAD_REQUEST")).message).toMatch(/not disputed/);
    expect(await liveRules("CASE-C")).toEqual(["SCHEMA_INVALID"]);

    await resolveException(t, specialist, held.id, { kind: "override", note: "Account team confirms VIP", path: "/case/vip", value: "true" });
    expect(await liveRules("CASE-C")).toEqual([]);
    let c = (await currentRecord(t.db, "CASE-C"))!;
    expect((c.record.case as Record<string, unknown>).vip).toBe(true);
    expect(c.lineage["/case/vip"]).toMatchObject({ source: "manual_override", override: { by: "Sam Specialist", note: "Account team confirms VIP" } });
    expect((await deltaOf("CASE-C", "/case/vip")).at(-1)).toMatchObject({ cause: "manual_override", after: true });

    // The ticket still sends no flag: the override holds through a routine update.
    await ingestAndDrain(t, ticket("CASE-C", 3, { customerImpact: "medium", notes: [{ id: "n1", author: "agent", body: "Called back", at: "2026-11-27T06:00:00Z" }] }));
    c = (await currentRecord(t.db, "CASE-C"))!;
    expect(await liveRules("CASE-C")).toEqual([]);
    expect((c.record.case as Record<string, unknown>).vip).toBe(true);
    expect(c.lineage["/case/vip"]).toMatchObject({ source: "manual_override" });
    expect(c.record.notes).toHaveLength(1);

    // The source's own value arrives: the override lapses and the source value stands, with its lineage.
    await ingestAndDrain(t, ticket("CASE-C", 4, { customerImpact: "medium", flags: { vip: false } }));
    c = (await currentRecord(t.db, "CASE-C"))!;
    expect(await liveRules("CASE-C")).toEqual([]);
    expect((c.record.case as Record<string, unknown>).vip).toBe(false);
    expect(c.lineage["/case/vip"]).toMatchObject({ source: "ticketing", entityVersion: 4, overrideLapsed: { exceptionId: held.id } });
  });

  it("overwrite policies know the added field for its source", async () => {
    const policies = await listPolicies(t.db, admin);
    const fieldsOf = (name: string) => policies.find((p) => p.name === name)!.fields.map((f) => f.field);
    expect(fieldsOf("ticketing")).toEqual(expect.arrayContaining(["case.customerImpact", "case.vip"]));
    expect(fieldsOf("entitlement")).toContain("entitlement.supportRegion");
    expect(fieldsOf("entitlement")).not.toContain("case.customerImpact");
    await setFieldPolicies(t, admin, { source: "ticketing", fields: ["case.customerImpact"], mode: "review", note: "impact changes need a look" });
    await expectAppError(setFieldPolicies(t, admin, { source: "entitlement", fields: ["case.customerImpact"], mode: "review", note: "not its field" }), "BAD_REQUEST");
    await ingestAndDrain(t, ticket("CASE-A", 4, { customerImpact: "low", flags: { vip: false } }));
    const exc = await t.db.caseException.findFirstOrThrow({ where: { caseId: "CASE-A", liveKey: { not: null } } });
    expect(exc).toMatchObject({ rule: "REVIEW_REQUIRED", field: "case.customerImpact", sourceName: "ticketing" });
  });

  it("every version keeps complete lineage, and replaying every case from stored events gives the same records", async () => {
    const versions = await t.db.recordVersion.findMany({ select: { version: true, caseId: true, record: true, lineage: true } });
    for (const v of versions) {
      const lineage = v.lineage as unknown as LineageMap;
      for (const p of leafAndItemPaths(v.record)) expect(isCompleteLineage(lineage[p]), `${v.caseId} v${v.version} ${p}`).toBe(true);
    }
    const result = await replayAll(t);
    expect(result.differed).toEqual([]);
    expect(result.matched.sort()).toEqual(["CASE-A", "CASE-B", "CASE-C", "CASE-D"]);
  });

  it("a later version can drop an added field: records lose it, as a schema change", async () => {
    await ingestAndDrain(t, ticket("CASE-D", 2, { accountId: "ACC-D", flags: { vip: true } }));
    expect((await currentRecord(t.db, "CASE-D"))!.record.entitlement).toHaveProperty("supportRegion", "emea");
    const { version } = await createDraft(t.db, admin);
    await removeField(t.db, admin, { version, name: "entitlement.supportRegion" });
    const diff = await diffSchema(t.db, admin, version);
    expect(diff.removedFields.map((f) => f.path)).toEqual(["entitlement.supportRegion"]);
    expect(diff.addedFields).toEqual([]);
    await publishSchema(t, admin, { version, note: "nobody reads the region" });
    await runner.drain();
    const d = (await currentRecord(t.db, "CASE-D"))!;
    expect(d.record.entitlement).not.toHaveProperty("supportRegion");
    expect(d.lineage).not.toHaveProperty("/entitlement/supportRegion");
    expect((await deltaOf("CASE-D", "/entitlement/supportRegion")).at(-1)).toMatchObject({ cause: "schema_change", after: null });
  });
});
