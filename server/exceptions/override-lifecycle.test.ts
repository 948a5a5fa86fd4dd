import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "../lib/audit";
import { caseState, createUser, currentRecord } from "../../dev/testing/refresh";
import { entitlement, incident, ticket, type TestEvent } from "../../dev/testing/events";
import { ingestAndDrain } from "../../dev/testing/ingest";
import { createTestDb, type TestDb } from "../../dev/testing/test-db";
import { claimException, resolveException } from "./resolve-exception";
import type { LineageMap } from "../refresh/types";

/**
 * docs/domain.md "What these mean precisely": an override holds while the overridden field's own source
 * value stays what it was when it was made; when that value changes it lapses visibly and the rules
 * judge the new value. An override is always visible: a manual_override delta entry (also when the
 * value is unchanged) and a summary naming the specialist and the note.
 */
let t: TestDb;
let alice: Actor;
let n = 0;

beforeAll(async () => {
  t = await createTestDb();
  alice = await createUser(t.db, "specialist", "Alice Specialist");
});
afterAll(async () => {
  await t?.close();
});

const note = (id: string, body: string) => ({ id, author: "agent", body, at: "2026-11-27T05:00:00Z" });
const post = (...events: TestEvent[]) => ingestAndDrain(t, ...events);

async function live(caseId: string, rule: string): Promise<string> {
  const e = (await caseState(t.db, caseId)).live.find((x) => x.rule === rule);
  if (!e) throw new Error(`no live ${rule} on ${caseId}: ${JSON.stringify((await caseState(t.db, caseId)).live)}`);
  return e.id;
}

async function override(exceptionId: string, path: string, value: string, text: string) {
  await claimException(t, alice, exceptionId);
  return resolveException(t, alice, exceptionId, { kind: "override", path, value, note: text });
}

async function version(caseId: string, v: number) {
  const row = await t.db.recordVersion.findUniqueOrThrow({ where: { caseId_version: { caseId, version: v } }, include: { delta: true } });
  return { ...row, lineage: row.lineage as unknown as LineageMap, record: row.record as Record<string, Record<string, unknown>> };
}

/**
 * Entitlement premium; ticket v1 declares premium (current); ticket v2 declares enterprise: held by
 * ENTITLEMENT_INCONSISTENT; the specialist overrides the declared tier with "Premium Support".
 */
async function declaredTierOverridden() {
  n++;
  const caseId = `CASE-OV${n}`;
  const account = `ACC-OV${n}`;
  const tk = (v: number, data: Record<string, unknown> = {}) => ticket(caseId, v, { accountId: account, declaredServiceTier: "enterprise", ...data });
  await post(entitlement(account, 1, { serviceTier: "premium" }), tk(1, { declaredServiceTier: "premium" }));
  await post(tk(2));
  const exceptionId = await live(caseId, "ENTITLEMENT_INCONSISTENT");
  const [r] = await override(exceptionId, "/case/declaredTier", "Premium Support", "Contract says premium; the agent picked the wrong tier");
  expect(r).toMatchObject({ caseId, outcome: "applied" });
  return { caseId, tk, exceptionId, overridden: r!.version! };
}

describe("an override holds while its field's own source value stays the same", () => {
  it("a notes-only ticket update applies with the declared-tier override kept; the exception does not reopen", async () => {
    const { caseId, tk, exceptionId, overridden } = await declaredTierOverridden();
    await post(tk(3, { notes: [note("n1", "Customer sent logs")] }));
    const s = await caseState(t.db, caseId);
    expect(s.live).toEqual([]);
    expect(s.current).toBe(overridden + 1);
    const cur = (await currentRecord(t.db, caseId))!;
    expect(cur.record.case).toMatchObject({ declaredTier: "premium" });
    expect(cur.record.notes).toEqual([note("n1", "Customer sent logs")]);
    expect(cur.lineage["/case/declaredTier"]).toMatchObject({ source: "manual_override", entityId: exceptionId });
    expect(await t.db.fieldOverride.count({ where: { caseId, active: true } })).toBe(1);
  });

  it("when the declared tier itself changes, the override lapses visibly (lineage, audit, summary) and the rules judge the new value: held again", async () => {
    const { caseId, tk, exceptionId, overridden } = await declaredTierOverridden();
    await post(tk(3, { declaredServiceTier: "standard" }));
    const s = await caseState(t.db, caseId);
    expect(s.current).toBe(overridden);
    expect(s.live.map((e) => e.rule)).toEqual(["ENTITLEMENT_INCONSISTENT"]);
    const held = await version(caseId, s.live[0]!.candidateVersion!);
    expect(held.record.case!.declaredTier).toBe("standard");
    expect(held.lineage["/case/declaredTier"]).toMatchObject({ source: "ticketing", entityVersion: 3, overrideLapsed: { exceptionId, by: "Alice Specialist" } });
    expect(held.summary).toContain("Alice Specialist's override of case declared tier lapsed");
    expect(await t.db.fieldOverride.count({ where: { caseId, active: true } })).toBe(0);
    const lapse = await t.db.auditLog.findFirstOrThrow({ where: { targetId: caseId, action: "record.override_lapsed" } });
    // The note is for people (the audit log shows it): the tables' words, no JSON path.
    expect(lapse.note).toBe('The source value of Case › Declared tier changed from "enterprise" to "standard"; the override of Case › Declared tier lapsed and the rules judge the new value.');
    expect(lapse.after).toMatchObject({ path: "/case/declaredTier", sourceValue: "standard" });

    // Approved as it is: the version that becomes current still says the override ended there.
    await claimException(t, alice, s.live[0]!.id);
    const [approved] = await resolveException(t, alice, s.live[0]!.id, { kind: "approve", note: "Standard it is" });
    const cur = await version(caseId, approved!.version!);
    const entry = cur.delta.find((d) => d.path === "/case/declaredTier")!;
    expect(entry).toMatchObject({ before: "premium", after: "standard", cause: "ticket_update" });
    expect(entry.lineage).toMatchObject({ source: "ticketing", overrideLapsed: { exceptionId, by: "Alice Specialist", value: "premium" } });
    expect(cur.summary).toContain("Alice Specialist's override of case declared tier lapsed");
  });

  it("while a declared-tier override holds, a later entitlement change is judged against the overridden value, not the ticket's raw tier", async () => {
    const { caseId, exceptionId, overridden } = await declaredTierOverridden();
    const account = `ACC-OV${n}`;
    // The ticket still declares "enterprise"; the record says premium (the override). An entitlement
    // that now says enterprise agrees with the ticket's raw text but not with the record.
    await post(entitlement(account, 2, { serviceTier: "enterprise" }));
    const s = await caseState(t.db, caseId);
    expect(s.current).toBe(overridden);
    expect(s.live.map((e) => e.rule)).toEqual(["ENTITLEMENT_INCONSISTENT"]);
    const exc = await t.db.caseException.findUniqueOrThrow({ where: { id: s.live[0]!.id } });
    const hits = (exc.detail as { hits: { fingerprint: string; evidence: { value: unknown; lineage: { source: string; entityId: string } }[] }[] }).hits;
    expect(hits.map((h) => h.fingerprint)).toEqual(["mismatch:premium|enterprise"]);
    expect(hits[0]!.evidence[0]).toMatchObject({ value: "premium", lineage: { source: "manual_override", entityId: exceptionId } });
    expect(await t.db.fieldOverride.count({ where: { caseId, active: true } })).toBe(1);

    // An entitlement back on premium agrees with the record: current again, the override still kept.
    await post(entitlement(account, 3, { serviceTier: "premium" }));
    const after = await caseState(t.db, caseId);
    expect(after.live).toEqual([]);
    expect((await currentRecord(t.db, caseId))!.lineage["/case/declaredTier"]).toMatchObject({ source: "manual_override", entityId: exceptionId });
  });

  it("an override settles only the hits that dispute its field: an unrelated hit of the same exception is judged again at once", async () => {
    n++;
    const caseId = `CASE-OV${n}`;
    const account = `ACC-OV${n}`;
    await post(entitlement(account, 1, { serviceTier: "premium", status: "suspended" }), ticket(caseId, 1, { accountId: account, declaredServiceTier: "enterprise" }));
    const exceptionId = await live(caseId, "ENTITLEMENT_INCONSISTENT");
    const hitsOf = async (id: string) => ((await t.db.caseException.findUniqueOrThrow({ where: { id } })).detail as { hits: { fingerprint: string }[] }).hits.map((h) => h.fingerprint).sort();
    expect(await hitsOf(exceptionId)).toEqual(["mismatch:enterprise|premium", "status:suspended"]);
    const [r] = await override(exceptionId, "/case/declaredTier", "premium", "Contract says premium");
    // The tier dispute is settled by the override; the suspended entitlement is not, and holds the case again.
    expect(r).toMatchObject({ caseId, outcome: "held" });
    expect(await t.db.approvedConflict.findMany({ where: { caseId }, select: { fingerprint: true } })).toEqual([{ fingerprint: "mismatch:enterprise|premium" }]);
    const again = await live(caseId, "ENTITLEMENT_INCONSISTENT");
    expect(again).not.toBe(exceptionId);
    expect(await hitsOf(again)).toEqual(["status:suspended"]);
    const held = await version(caseId, (await t.db.caseException.findUniqueOrThrow({ where: { id: again } })).candidateVersion!);
    expect(held.lineage["/case/declaredTier"]).toMatchObject({ source: "manual_override", entityId: exceptionId });
  });

  it("a lapse to a value the rules accept makes a current version whose delta and lineage say the override ended", async () => {
    const { caseId, tk, overridden } = await declaredTierOverridden();
    await post(tk(3, { declaredServiceTier: "PREM" }));
    const s = await caseState(t.db, caseId);
    expect(s.live).toEqual([]);
    const cur = await version(caseId, s.current!);
    expect(s.current).toBe(overridden + 1);
    expect(cur.record.case!.declaredTier).toBe("PREM");
    expect(cur.delta.map((d) => [d.path, d.before, d.after, d.cause])).toEqual([["/case/declaredTier", "premium", "PREM", "ticket_update"]]);
    expect(cur.summary).toContain("override of case declared tier lapsed");
  });

  it("a severity override is kept through a ticket update that changes other fields, and lapses when the ticket's severity changes", async () => {
    n++;
    const caseId = `CASE-OV${n}`;
    await post(ticket(caseId, 1, { severity: "S1" }), incident(`INC-OV${n}`, 1, { caseIds: [caseId], severity: "S2" }));
    await post(incident(`INC-OV${n}`, 2, { caseIds: [caseId], severity: "S3" }));
    await override(await live(caseId, "SEVERITY_CONFLICT"), "/case/severity", "S2", "Agreed S2 with the duty manager");
    await post(ticket(caseId, 2, { severity: "S1", status: "pending" }));
    expect((await currentRecord(t.db, caseId))!.record.case).toMatchObject({ severity: "S2", status: "pending" });
    await post(ticket(caseId, 3, { severity: "S4", status: "pending" }));
    const cur = (await currentRecord(t.db, caseId))!;
    expect(cur.record.case).toMatchObject({ severity: "S4" });
    expect(cur.lineage["/case/severity"]).toMatchObject({ source: "ticketing", entityVersion: 3, overrideLapsed: { by: "Alice Specialist" } });
  });
});

describe("an override is always visible", () => {
  it("an override that keeps the current value still makes a version with a manual_override delta entry and a summary naming the specialist and the note", async () => {
    n++;
    const caseId = `CASE-OV${n}`;
    await post(ticket(caseId, 1, { severity: "S1" }), incident(`INC-OV${n}`, 1, { caseIds: [caseId], severity: "S2" }));
    const before = (await caseState(t.db, caseId)).current!;
    await post(incident(`INC-OV${n}`, 2, { caseIds: [caseId], severity: "S3" }));
    const exceptionId = await live(caseId, "SEVERITY_CONFLICT");
    const [r] = await override(exceptionId, "/case/severity", "S1", "Customer impact is S1 whatever the incident says");
    expect(r).toMatchObject({ outcome: "applied" });
    expect(r!.version).toBeGreaterThan(before);
    const v = await version(caseId, r!.version!);
    const entry = v.delta.find((d) => d.path === "/case/severity");
    expect(entry).toMatchObject({ before: "S1", after: "S1", cause: "manual_override" });
    expect(entry!.lineage).toMatchObject({ source: "manual_override", entityId: exceptionId, override: { by: "Alice Specialist", note: "Customer impact is S1 whatever the incident says" } });
    expect(v.causes).toContain("manual_override");
    expect(v.summary).toContain("Manual override by Alice Specialist: case severity kept at S1");
    expect(v.summary).toContain("Customer impact is S1 whatever the incident says");
  });

  it("a product override is normalised like source data (an alias sets the product's code and name) and holds while the ticket's product area stays", async () => {
    n++;
    const caseId = `CASE-OV${n}`;
    await post(ticket(caseId, 1, { productArea: "Billng" }));
    const exceptionId = await live(caseId, "SCHEMA_INVALID");
    const [r] = await override(exceptionId, "/case/product", "payments/billing", "Typo for the billing API");
    expect(r).toMatchObject({ outcome: "applied" });
    const v = await version(caseId, r!.version!);
    expect(v.record.case).toMatchObject({ productArea: "Billng", product: "billing-api", productName: "Billing API" });
    expect(v.lineage["/case/product"]).toMatchObject({ source: "manual_override" });
    expect(v.lineage["/case/productName"]).toMatchObject({ source: "manual_override" });
    expect(v.lineage["/case/productArea"]).toMatchObject({ source: "ticketing" });
    expect(v.summary).toContain("Alice Specialist");
    expect(v.summary).toContain("Typo for the billing API");
    await post(ticket(caseId, 2, { productArea: "Billng", notes: [note("n1", "Any news?")] }));
    const s = await caseState(t.db, caseId);
    expect(s.live).toEqual([]);
    expect((await currentRecord(t.db, caseId))!.record.case).toMatchObject({ product: "billing-api", productName: "Billing API" });
  });

  it("a tier override given as an alias becomes the canonical tier with its name and SLA minutes", async () => {
    n++;
    const caseId = `CASE-OV${n}`;
    const account = `ACC-OV${n}`;
    await post(ticket(caseId, 1, { accountId: account }));
    await post(entitlement(account, 1, { serviceTier: "Gold Plus" }, caseId));
    const exceptionId = await live(caseId, "ENTITLEMENT_INCONSISTENT");
    const [r] = await override(exceptionId, "/entitlement/tier", "ENT", "Gold Plus is sold as enterprise");
    const v = await version(caseId, r!.version!);
    expect(v.record.entitlement).toMatchObject({ tier: "enterprise", tierName: "Enterprise", slaMinutes: 30 });
    for (const p of ["/entitlement/tier", "/entitlement/tierName", "/entitlement/slaMinutes"]) expect(v.lineage[p]).toMatchObject({ source: "manual_override" });
    expect(v.delta.filter((d) => d.cause === "manual_override").map((d) => d.path).sort()).toEqual(["/entitlement/slaMinutes", "/entitlement/tier", "/entitlement/tierName"]);
  });
});
