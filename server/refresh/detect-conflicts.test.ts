import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "../lib/ids";
import { bundle, entitlement, environment, incident, SHA, ticket, type TestEvent } from "../../dev/testing/events";
import { ingest, ingestAndDrain } from "../../dev/testing/ingest";
import { createTestDb, type TestDb } from "../../dev/testing/test-db";
import { drain } from "./process-events";
import { caseState } from "../../dev/testing/refresh";

let t: TestDb;
let n = 0;
/** A fresh case (and account) per test, so tests share one database without sharing state. */
const fresh = () => {
  n++;
  return { caseId: `CASE-C${n}`, account: `ACC-C${n}` };
};

beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t?.close();
});

const tk = (caseId: string, account: string, version: number, data: Record<string, unknown> = {}) => ticket(caseId, version, { accountId: account, ...data });
const inc = (id: string, caseId: string, account: string, version: number, data: Record<string, unknown> = {}) =>
  incident(id, version, { caseIds: [caseId], affectedAccounts: [account], ...data });

/** The case's first version from its ticket, then the events under test: returns the case's state. */
async function afterFirstVersion(caseId: string, account: string, first: Record<string, unknown>, ...events: TestEvent[]) {
  await ingestAndDrain(t, tk(caseId, account, 1, first));
  const before = await caseState(t.db, caseId);
  expect(before.current).toBe(1);
  await ingestAndDrain(t, ...events);
  return caseState(t.db, caseId);
}

function expectHeld(state: Awaited<ReturnType<typeof caseState>>, rule: string) {
  expect(state.live.map((e) => e.rule)).toContain(rule);
  expect(state.current).toBe(1);
  const held = state.versions.find((v) => v.status === "held");
  expect(held).toBeDefined();
  expect(state.live.find((e) => e.rule === rule)!.candidateVersion).toBe(held!.version);
}

function expectApplied(state: Awaited<ReturnType<typeof caseState>>) {
  expect(state.live).toEqual([]);
  expect(state.current).toBe(2);
  expect(state.versions.some((v) => v.status === "held")).toBe(false);
}

describe("SEVERITY_CONFLICT", () => {
  it("fires when the ticket and an open linked incident are two levels apart (S1 vs S3)", async () => {
    const { caseId, account } = fresh();
    const s = await afterFirstVersion(caseId, account, { severity: "S1" }, inc(`INC-${caseId}`, caseId, account, 1, { severity: "S3" }));
    expectHeld(s, "SEVERITY_CONFLICT");
    expect(s.live).toHaveLength(1);
  });

  it("does not fire one level apart (S2 vs S3)", async () => {
    const { caseId, account } = fresh();
    expectApplied(await afterFirstVersion(caseId, account, { severity: "S2" }, inc(`INC-${caseId}`, caseId, account, 1, { severity: "S3" })));
  });

  it("ignores a resolved incident however far apart (S1 vs resolved S4)", async () => {
    const { caseId, account } = fresh();
    expectApplied(
      await afterFirstVersion(caseId, account, { severity: "S1" }, inc(`INC-${caseId}`, caseId, account, 1, { severity: "S4", status: "resolved" })),
    );
  });

  it("fires when the ticket moves away from an incident it agreed with (S4 ticket vs S2 incident)", async () => {
    const { caseId, account } = fresh();
    await ingestAndDrain(t, tk(caseId, account, 1, { severity: "S2" }), inc(`INC-${caseId}`, caseId, account, 1, { severity: "S2" }));
    const v1 = await caseState(t.db, caseId);
    expect(v1.live).toEqual([]);
    await ingestAndDrain(t, tk(caseId, account, 2, { severity: "S4" }));
    const s = await caseState(t.db, caseId);
    expect(s.live.map((e) => e.rule)).toEqual(["SEVERITY_CONFLICT"]);
    expect(s.current).toBe(v1.current);
  });
});

describe("ENTITLEMENT_INCONSISTENT", () => {
  it("treats an alias of the same tier as consistent (declared 'Premium Support' vs entitlement 'premium')", async () => {
    const { caseId, account } = fresh();
    const s = await afterFirstVersion(
      caseId,
      account,
      { declaredServiceTier: "Premium Support" },
      entitlement(account, 1, { serviceTier: "premium" }),
    );
    expectApplied(s);
  });

  it("fires when the declared tier differs from the entitlement tier after normalisation", async () => {
    const { caseId, account } = fresh();
    const s = await afterFirstVersion(caseId, account, { declaredServiceTier: "ENT" }, entitlement(account, 1, { serviceTier: "Premium Support" }));
    expectHeld(s, "ENTITLEMENT_INCONSISTENT");
  });

  it("fires when the entitlement tier is not in the registry", async () => {
    const { caseId, account } = fresh();
    expectHeld(await afterFirstVersion(caseId, account, {}, entitlement(account, 1, { serviceTier: "diamond" })), "ENTITLEMENT_INCONSISTENT");
  });

  it.each(["expired", "suspended"])("fires when the entitlement status is %s", async (status) => {
    const { caseId, account } = fresh();
    expectHeld(await afterFirstVersion(caseId, account, {}, entitlement(account, 1, { status })), "ENTITLEMENT_INCONSISTENT");
  });

  it.each([
    ["an empty reason", { reason: "" }],
    ["a blank reason", { reason: "   " }],
    ["no reason", {}],
  ])("fires on a correction with %s", async (_label, correction) => {
    const { caseId, account } = fresh();
    expectHeld(await afterFirstVersion(caseId, account, {}, entitlement(account, 1, { correction })), "ENTITLEMENT_INCONSISTENT");
  });

  it("accepts a correction that gives a reason", async () => {
    const { caseId, account } = fresh();
    expectApplied(await afterFirstVersion(caseId, account, {}, entitlement(account, 1, { correction: { reason: "Contract renewed early" } })));
  });
});

describe("DIAGNOSTIC_CORRUPTED", () => {
  const log = (over: Record<string, unknown> = {}) => [{ name: "app.log", uri: "s3://diag/app.log", sha256: SHA, sizeBytes: 10, ...over }];
  it.each([
    ["integrity failed", { integrity: "failed" }],
    ["a malformed sha256", { sha256: "not-a-digest" }],
    ["a sha256 one character short", { sha256: SHA.slice(1) }],
    ["size 0", { sizeBytes: 0 }],
    ["a log with a malformed sha256", { logs: log({ sha256: "xyz" }) }],
    ["a log of size 0", { logs: log({ sizeBytes: 0 }) }],
  ])("fires on a bundle with %s", async (_label, data) => {
    const { caseId, account } = fresh();
    expectHeld(await afterFirstVersion(caseId, account, {}, bundle(caseId, `BND-${caseId}`, 1, data)), "DIAGNOSTIC_CORRUPTED");
  });

  it("does not fire on a healthy bundle", async () => {
    const { caseId, account } = fresh();
    expectApplied(await afterFirstVersion(caseId, account, {}, bundle(caseId, `BND-${caseId}`, 1)));
  });
});

describe("UNAPPROVED_EVIDENCE", () => {
  const approved = (caseId: string) => bundle(caseId, `BND-A-${caseId}`, 1);
  async function withApproved(caseId: string, account: string) {
    await ingestAndDrain(t, tk(caseId, account, 1), approved(caseId));
    const s = await caseState(t.db, caseId);
    expect(s.live).toEqual([]);
    return s.current;
  }

  it("fires when an unapproved bundle supersedes a customer-approved one", async () => {
    const { caseId, account } = fresh();
    const current = await withApproved(caseId, account);
    await ingestAndDrain(
      t,
      bundle(caseId, `BND-U-${caseId}`, 1, {
        supersedes: `BND-A-${caseId}`,
        approval: { status: "unapproved" },
        logs: [{ name: "other.log", uri: "s3://x/other.log", sha256: SHA, sizeBytes: 5 }],
      }),
    );
    const s = await caseState(t.db, caseId);
    expect(s.live.map((e) => e.rule)).toEqual(["UNAPPROVED_EVIDENCE"]);
    expect(s.current).toBe(current);
  });

  it("fires when a pending upload carries a log of the same name as approved evidence", async () => {
    const { caseId, account } = fresh();
    const current = await withApproved(caseId, account);
    await ingestAndDrain(t, bundle(caseId, `BND-U-${caseId}`, 1, { approval: { status: "pending" } }));
    const s = await caseState(t.db, caseId);
    expect(s.live.map((e) => e.rule)).toEqual(["UNAPPROVED_EVIDENCE"]);
    expect(s.current).toBe(current);
  });

  it("does not fire when an unapproved bundle replaces nothing, and keeps it out of approvedLogs", async () => {
    const { caseId, account } = fresh();
    const current = await withApproved(caseId, account);
    await ingestAndDrain(
      t,
      bundle(caseId, `BND-U-${caseId}`, 1, {
        approval: { status: "unapproved" },
        logs: [{ name: "fresh.log", uri: "s3://x/fresh.log", sha256: SHA, sizeBytes: 5 }],
      }),
    );
    const s = await caseState(t.db, caseId);
    expect(s.live).toEqual([]);
    expect(s.current).toBe(current! + 1);
    const v = await t.db.recordVersion.findFirstOrThrow({ where: { caseId, isCurrent: true }, select: { record: true } });
    const rec = v.record as { artifacts: { bundleId: string }[]; approvedLogs: { name: string; bundleId: string }[] };
    expect(rec.artifacts.map((a) => a.bundleId).sort()).toEqual([`BND-A-${caseId}`, `BND-U-${caseId}`]);
    expect(rec.approvedLogs).toEqual([expect.objectContaining({ name: "app.log", bundleId: `BND-A-${caseId}` })]);
  });
});

describe("CASE_BOUNDARY_CONFLICT", () => {
  it("fires when a linked incident's affected accounts exclude the case's account", async () => {
    const { caseId, account } = fresh();
    expectHeld(
      await afterFirstVersion(caseId, account, {}, inc(`INC-${caseId}`, caseId, account, 1, { affectedAccounts: ["ACC-SOMEONE-ELSE"] })),
      "CASE_BOUNDARY_CONFLICT",
    );
  });

  it("fires when an incident the record links no longer lists the case", async () => {
    const { caseId, account } = fresh();
    await ingestAndDrain(t, tk(caseId, account, 1), inc(`INC-${caseId}`, caseId, account, 1));
    const linked = await caseState(t.db, caseId);
    expect(linked.live).toEqual([]);
    await ingestAndDrain(t, inc(`INC-${caseId}`, "CASE-ELSEWHERE", account, 2));
    const s = await caseState(t.db, caseId);
    expect(s.live.map((e) => e.rule)).toEqual(["CASE_BOUNDARY_CONFLICT"]);
    expect(s.current).toBe(linked.current);
  });

  it("does not fire for an incident whose affected accounts include the case's account", async () => {
    const { caseId, account } = fresh();
    expectApplied(await afterFirstVersion(caseId, account, {}, inc(`INC-${caseId}`, caseId, account, 1, { affectedAccounts: ["ACC-X", account] })));
  });
});

describe("SCHEMA_INVALID", () => {
  it("fires when the product area cannot be normalised", async () => {
    const { caseId, account } = fresh();
    expectHeld(await afterFirstVersion(caseId, account, {}, tk(caseId, account, 2, { productArea: "Quantum Ledger" })), "SCHEMA_INVALID");
  });

  it("fires on the first ticket already, leaving no current version", async () => {
    const { caseId, account } = fresh();
    await ingestAndDrain(t, tk(caseId, account, 1, { productArea: "nowhere" }));
    const s = await caseState(t.db, caseId);
    expect(s.current).toBeNull();
    expect(s.versions).toEqual([{ version: 1, status: "held" }]);
    expect(s.live.map((e) => e.rule)).toEqual(["SCHEMA_INVALID"]);
  });

  it("fires when a field the active schema requires is missing, and not under a schema that leaves it optional", async () => {
    const { caseId, account } = fresh();
    await ingestAndDrain(t, tk(caseId, account, 1));
    expect((await caseState(t.db, caseId)).live).toEqual([]);
    const v1 = await t.db.escalationSchemaVersion.findUniqueOrThrow({ where: { version: 1 } });
    const fields = (v1.fields as { path: string; required: boolean }[]).map((f) => (f.path === "environment.id" ? { ...f, required: true } : f));
    await t.db.escalationSchemaVersion.create({ data: { version: 2, status: "published", fields, publishedAt: new Date() } });
    t.reference.invalidate();
    try {
      await ingestAndDrain(t, tk(caseId, account, 2, { subject: "Now without an environment" }));
      const s = await caseState(t.db, caseId);
      expectHeld(s, "SCHEMA_INVALID");
      const exc = await t.db.caseException.findFirstOrThrow({ where: { caseId, rule: "SCHEMA_INVALID", liveKey: { not: null } } });
      expect(JSON.stringify(exc.detail)).toContain("environment.id");
      // Satisfying the schema clears it.
      await ingestAndDrain(t, environment(`ENV-${caseId}`, 1, {}, caseId), tk(caseId, account, 3, { subject: "Now with one", environmentId: `ENV-${caseId}` }));
      const after = await caseState(t.db, caseId);
      expect(after.live).toEqual([]);
      expect(after.current).toBeGreaterThan(1);
    } finally {
      await t.db.escalationSchemaVersion.update({ where: { version: 2 }, data: { status: "retired" } });
      t.reference.invalidate();
    }
  });
});

describe("REVIEW_REQUIRED", () => {
  it("holds a change from a source onboarded later (every field 'review'), but not the same change from a built-in source", async () => {
    const { caseId, account } = fresh();
    const name = `diag-partner-${n}`;
    await t.db.source.create({ data: { id: newId("src"), name, kind: "diagnostics", defaultPolicy: "review" } });
    t.registry.invalidate();
    t.reference.invalidate();
    await ingestAndDrain(t, tk(caseId, account, 1));
    await ingest(t, bundle(caseId, `BND-P-${caseId}`, 1, { logs: [] }), undefined, name);
    await drain(t);
    const s = await caseState(t.db, caseId);
    expectHeld(s, "REVIEW_REQUIRED");
    const exc = await t.db.caseException.findFirstOrThrow({ where: { caseId, rule: "REVIEW_REQUIRED", liveKey: { not: null } } });
    expect(exc.sourceName).toBe(name);
    expect(exc.field).toBe("artifacts");

    const other = fresh();
    expectApplied(await afterFirstVersion(other.caseId, other.account, {}, bundle(other.caseId, `BND-P-${other.caseId}`, 1, { logs: [] })));
  });

  it("honours an explicit 'auto' field policy of an onboarded source", async () => {
    const { caseId, account } = fresh();
    const name = `diag-trusted-${n}`;
    const id = newId("src");
    await t.db.source.create({ data: { id, name, kind: "diagnostics", defaultPolicy: "review" } });
    await t.db.fieldPolicy.create({ data: { id: newId("fpo"), sourceId: id, field: "artifacts", mode: "auto" } });
    t.registry.invalidate();
    t.reference.invalidate();
    await ingestAndDrain(t, tk(caseId, account, 1));
    await ingest(t, bundle(caseId, `BND-T-${caseId}`, 1, { logs: [] }), undefined, name);
    await drain(t);
    expectApplied(await caseState(t.db, caseId));
  });
});
