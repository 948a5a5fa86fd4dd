import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../../lib/audit";
import { JobRunner } from "../jobs/job-runner";
import { caseState, createUser, currentRecord } from "../../../dev/testing/refresh";
import { entitlement, ticket } from "../../../dev/testing/events";
import { ingestAndDrain } from "../../../dev/testing/ingest";
import { createTestDb, TEST_DB_KIND, type TestDb } from "../../../dev/testing/test-db";
import { addAlias, createProduct, createTier, listReferenceData, removeAlias, updateProduct, updateTier } from "./edit-reference-data";
import { getJob } from "../jobs/jobs";
import { expectAppError } from "../../../dev/testing/ops";

let t: TestDb;
let admin: Actor;
let runner: JobRunner;

beforeAll(async () => {
  t = await createTestDb();
  admin = await createUser(t.db, "admin", "Ada Admin");
  runner = new JobRunner(t, { progressEveryMs: 0 });
  await ingestAndDrain(
    t,
    ticket("CASE-P1", 1, { accountId: "ACC-P", productArea: "payments/billing" }),
    ticket("CASE-P2", 1, { accountId: "ACC-P", productArea: "Checkout" }),
    ticket("CASE-E1", 1, { accountId: "ACC-E", productArea: "identity" }),
    entitlement("ACC-P", 1, { serviceTier: "Premium Support" }),
    entitlement("ACC-E", 1, { serviceTier: "ENT" }),
    ticket("CASE-U1", 1, { accountId: "ACC-U", productArea: "Fraud Shield" }),
  );
});
afterAll(async () => {
  await t?.close();
});

const record = async (caseId: string) => (await currentRecord(t.db, caseId))!.record as { case: Record<string, unknown>; entitlement?: Record<string, unknown> };

describe(`reference data edits (${TEST_DB_KIND})`, () => {
  it("a tier's SLA minutes: exactly the records on that tier re-materialise, as a job with progress", async () => {
    expect((await record("CASE-P1")).entitlement).toMatchObject({ tier: "premium", slaMinutes: 120 });
    const { jobId } = await updateTier(t, admin, { code: "premium", name: "Premium", slaMinutes: 90, note: "contract renegotiated" });
    await runner.drain();
    const job = await getJob(t.db, jobId);
    expect(job).toMatchObject({ kind: "reference_change", status: "succeeded", total: 2, done: 2 });
    expect(job.result).toMatchObject({ cases: 2, caseIds: ["CASE-P1", "CASE-P2"], outcomes: { applied: 2 } });
    expect((await record("CASE-P1")).entitlement).toMatchObject({ slaMinutes: 90 });
    expect((await record("CASE-E1")).entitlement).toMatchObject({ tier: "enterprise", slaMinutes: 30 });
    const v = await t.db.recordVersion.findFirstOrThrow({ where: { caseId: "CASE-P1", isCurrent: true }, include: { delta: true } });
    expect(v.delta.map((d) => [d.path, d.before, d.after, d.cause])).toEqual([["/entitlement/slaMinutes", 120, 90, "schema_change"]]);
    const audit = await t.db.auditLog.findFirstOrThrow({ where: { action: "reference.tier.update", targetId: "premium" } });
    expect(audit).toMatchObject({ before: { name: "Premium", slaMinutes: 120 }, after: { slaMinutes: 90, jobId }, note: "contract renegotiated" });
  });

  it("removing an alias makes its cases unnormalisable (SCHEMA_INVALID); adding it back clears that", async () => {
    const { jobId } = await removeAlias(t, admin, { kind: "product", alias: "Payments/Billing", note: "ambiguous after the split" });
    await runner.drain();
    expect((await getJob(t.db, jobId)).result).toMatchObject({ cases: 1, caseIds: ["CASE-P1"] });
    const held = await caseState(t.db, "CASE-P1");
    expect(held.live.map((e) => e.rule)).toEqual(["SCHEMA_INVALID"]);

    const back = await addAlias(t, admin, { kind: "product", alias: "payments/billing", code: "billing-api", note: "split reverted" });
    expect(back.affectedCases).toEqual(["CASE-P1"]);
    expect((await getJob(t.db, back.jobId)).status).toBe("queued");
    await runner.drain();
    expect((await getJob(t.db, back.jobId)).status).toBe("succeeded");
    expect((await caseState(t.db, "CASE-P1")).live).toEqual([]);
  });

  it("a new product picks up cases whose product area was unknown; a rename reaches every record of it", async () => {
    expect((await caseState(t.db, "CASE-U1")).live.map((e) => e.rule)).toEqual(["SCHEMA_INVALID"]);
    const made = await createProduct(t, admin, { code: "fraud-shield", name: "Fraud Shield", aliases: ["fraud"], note: "new product launched" });
    await runner.drain();
    expect((await getJob(t.db, made.jobId)).result).toMatchObject({ caseIds: ["CASE-U1"] });
    expect((await caseState(t.db, "CASE-U1")).live).toEqual([]);
    expect((await record("CASE-U1")).case).toMatchObject({ product: "fraud-shield", productName: "Fraud Shield" });

    await updateProduct(t, admin, { code: "fraud-shield", name: "Fraud Shield Pro", note: "marketing rename" });
    await runner.drain();
    expect((await record("CASE-U1")).case).toMatchObject({ productName: "Fraud Shield Pro" });

    const listed = await listReferenceData(t.db, admin);
    expect(listed.products.find((p) => p.code === "fraud-shield")).toMatchObject({ name: "Fraud Shield Pro", records: 1 });
    expect(listed.products.find((p) => p.code === "fraud-shield")!.aliases.map((a) => a.alias)).toEqual(["fraud", "fraud shield", "fraud-shield"]);
    expect(listed.tiers.find((x) => x.code === "premium")).toMatchObject({ slaMinutes: 90, records: 2 });
  });

  it("a new tier with an alias; conflicts and the code itself are refused", async () => {
    const { jobId } = await createTier(t, admin, { code: "elite", name: "Elite", slaMinutes: 15, aliases: ["Elite Plus"], note: "new top tier" });
    await runner.drain();
    expect((await getJob(t.db, jobId)).status).toBe("succeeded");
    await expectAppError(createTier(t, admin, { code: "elite", name: "Elite", slaMinutes: 15, note: "twice" }), "CONFLICT");
    await expectAppError(createProduct(t, admin, { code: "other", name: "Other", aliases: ["checkout-web"], note: "steals an alias" }), "CONFLICT");
    await expectAppError(removeAlias(t, admin, { kind: "tier", alias: "elite", note: "own code" }), "BAD_REQUEST");
    await expectAppError(removeAlias(t, admin, { kind: "tier", alias: "no such alias", note: "missing" }), "NOT_FOUND");
    await expect(updateTier(t, admin, { code: "elite", name: "Elite", slaMinutes: 20, note: "" })).rejects.toThrow(/say why/);
    expect(await t.db.product.count({ where: { code: "other" } })).toBe(0);
  });

  it("adding a tier, or a tier alias, clears an open ENTITLEMENT_INCONSISTENT at once (tier not in the registry, declared tier unknown)", async () => {
    await ingestAndDrain(
      t,
      ticket("CASE-T1", 1, { accountId: "ACC-T1" }),
      entitlement("ACC-T1", 1, { serviceTier: "Diamond" }),
      ticket("CASE-T2", 1, { accountId: "ACC-T2", declaredServiceTier: "Premium Care" }),
      entitlement("ACC-T2", 1, { serviceTier: "Premium" }),
    );
    const live = async (caseId: string) =>
      (await t.db.caseException.findMany({ where: { caseId, liveKey: { not: null } }, select: { rule: true, detail: true } })).map((e) => ({
        rule: e.rule,
        fingerprints: (e.detail as { hits: { fingerprint: string }[] }).hits.map((h) => h.fingerprint),
      }));
    expect(await live("CASE-T1")).toEqual([{ rule: "ENTITLEMENT_INCONSISTENT", fingerprints: ["tier-unknown:Diamond"] }]);
    expect(await live("CASE-T2")).toEqual([{ rule: "ENTITLEMENT_INCONSISTENT", fingerprints: ["declared-unknown:Premium Care"] }]);

    // A new tier: no event arrives, the job re-evaluates the case and the exception is gone.
    const tier = await createTier(t, admin, { code: "diamond", name: "Diamond", slaMinutes: 10, note: "new tier sold" });
    await runner.drain();
    expect((await getJob(t.db, tier.jobId)).result).toMatchObject({ caseIds: ["CASE-T1"] });
    expect(await live("CASE-T1")).toEqual([]);
    expect((await record("CASE-T1")).entitlement).toMatchObject({ tier: "diamond", slaMinutes: 10 });

    // A tier alias for the ticket's declared wording does the same.
    const alias = await addAlias(t, admin, { kind: "tier", alias: "premium care", code: "premium", note: "sales wording" });
    expect(alias.affectedCases).toEqual(["CASE-T2"]);
    await runner.drain();
    expect(await live("CASE-T2")).toEqual([]);
    expect((await record("CASE-T2")).entitlement).toMatchObject({ tier: "premium" });
  });
});
