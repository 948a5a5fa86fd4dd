import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { getCurrentRecord } from "../api/read-api";
import type { Actor } from "../lib/audit";
import { drain } from "../refresh/process-events";
import { entitlement, ticket } from "../../dev/testing/events";
import { ingest } from "../../dev/testing/ingest";
import { createTestDb, type TestDb } from "../../dev/testing/test-db";
import { JobRunner } from "../ops/jobs/job-runner";
import { addReferenceAlias } from "./edit-reference";

const admin: Actor = { id: "usr_ref_admin", label: "Alex Admin", role: "admin" };

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t?.close();
});

describe("addReferenceAlias", () => {
  it("a product alias makes an unknown product area normalise and re-materialises the cases using it", async () => {
    await ingest(t, ticket("CASE-R1", 1, { productArea: "Scheduled  Reports " }, "TCK-R1"));
    await ingest(t, ticket("CASE-R2", 1, { productArea: "Checkout" }, "TCK-R2"));
    await drain(t);
    expect(await t.db.caseException.count({ where: { caseId: "CASE-R1", rule: "SCHEMA_INVALID", liveKey: { not: null } } })).toBe(1);
    await expect(getCurrentRecord(t.db, "CASE-R1")).rejects.toMatchObject({ code: "NOT_FOUND" });

    const change = await addReferenceAlias(t, admin, { kind: "product", alias: "Scheduled reports", code: "data-export", note: "customer wording" });
    expect(change).toMatchObject({ alias: "scheduled reports", code: "data-export", affectedCases: ["CASE-R1"] });
    // Queued in the edit's own transaction, like every governance edit; the job runner re-materialises.
    expect(await t.db.job.findUniqueOrThrow({ where: { id: change.jobId } })).toMatchObject({ kind: "reference_change", status: "queued", params: expect.objectContaining({ runner: "ops" }) });
    expect(await new JobRunner(t).drain()).toBe(1);
    const record = await getCurrentRecord(t.db, "CASE-R1");
    expect((record.record as { case: { product: string; productName: string } }).case).toMatchObject({ product: "data-export", productName: "Data Export" });
    expect(record.openExceptions).toEqual([]);
    const job = await t.db.job.findUniqueOrThrow({ where: { id: change.jobId } });
    expect(job).toMatchObject({ kind: "reference_change", status: "succeeded", total: 1, done: 1, result: { cases: 1, caseIds: ["CASE-R1"], outcomes: { applied: 1 } } });
    expect(await t.db.auditLog.count({ where: { action: "reference.product_alias.add", targetId: "data-export", note: "customer wording" } })).toBe(1);
  });

  it("a tier alias re-materialises every case of the accounts whose entitlement uses it", async () => {
    await ingest(t, ticket("CASE-R3", 1, { accountId: "ACC-R3" }, "TCK-R3"));
    await ingest(t, ticket("CASE-R4", 1, { accountId: "ACC-R3" }, "TCK-R4"));
    await ingest(t, entitlement("ACC-R3", 1, { serviceTier: "Premium Plus" }));
    await drain(t);
    const held = await t.db.caseException.findMany({ where: { rule: "ENTITLEMENT_INCONSISTENT", liveKey: { not: null } }, select: { caseId: true } });
    expect(held.map((h) => h.caseId).sort()).toEqual(["CASE-R3", "CASE-R4"]);

    const change = await addReferenceAlias(t, admin, { kind: "tier", alias: "premium PLUS", code: "premium" });
    expect(change.affectedCases).toEqual(["CASE-R3", "CASE-R4"]);
    expect(await new JobRunner(t).drain()).toBe(1);
    for (const caseId of change.affectedCases) {
      const record = await getCurrentRecord(t.db, caseId);
      expect((record.record as { entitlement: { tier: string; slaMinutes: number } }).entitlement).toMatchObject({ tier: "premium", slaMinutes: 120 });
    }
    // The previous current version had no entitlement, so the tier arrives with the entitlement's
    // cause; re-normalising a value that is already current is a schema_change (run-demo.test.ts).
    const current = await t.db.recordVersion.findFirstOrThrow({ where: { caseId: "CASE-R3", isCurrent: true }, select: { delta: { where: { path: "/entitlement/tier" }, select: { cause: true, after: true } } } });
    expect(current.delta).toEqual([{ cause: "entitlement_correction", after: "premium" }]);
  });

  it("a case whose sources do not use the alias is left alone", async () => {
    const before = await t.db.recordVersion.count();
    const change = await addReferenceAlias(t, admin, { kind: "product", alias: "Mobile SDK", code: "identity" });
    expect(change.affectedCases).toEqual([]);
    expect(await new JobRunner(t).drain()).toBe(1);
    expect(await t.db.recordVersion.count()).toBe(before);
  });

  it("refuses an alias that already normalises, an unknown code, a blank alias and a non-admin", async () => {
    await expect(addReferenceAlias(t, admin, { kind: "product", alias: "payments/billing", code: "checkout" })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(addReferenceAlias(t, admin, { kind: "tier", alias: "Gold", code: "enterprise" })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(addReferenceAlias(t, admin, { kind: "product", alias: "Payments Hub", code: "payments-hub" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(addReferenceAlias(t, admin, { kind: "product", alias: "   ", code: "checkout" })).rejects.toBeInstanceOf(ZodError);
    await expect(addReferenceAlias(t, { id: "usr_dm", label: "Dana", role: "duty_manager" }, { kind: "product", alias: "Payments Hub", code: "checkout" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await t.db.productAlias.count({ where: { alias: "payments hub" } })).toBe(0);
  });
});
