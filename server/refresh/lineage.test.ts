import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { claimException, resolveException } from "../exceptions/resolve-exception";
import { bundle, entitlement, environment, incident, SHA, ticket } from "../../dev/testing/events";
import { ingestAndDrain } from "../../dev/testing/ingest";
import { createTestDb, type TestDb } from "../../dev/testing/test-db";
import { caseState, createUser, isCompleteLineage, leafAndItemPaths, LINEAGE_FIELDS } from "../../dev/testing/refresh";
import type { LineageMap } from "./types";

/** docs/domain.md: every leaf field and every list item of every version names all seven lineage fields. */
let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t?.close();
});

const CASE = "CASE-L1";
const note = (id: string, body: string) => ({ id, author: "agent", body, at: `2026-11-27T02:0${id.slice(1)}:00Z` });

describe("lineage completeness", () => {
  it("covers every leaf and list item of every version (current, superseded, held, approved, overridden) and every delta entry", async () => {
    await ingestAndDrain(
      t,
      ticket(CASE, 1, { accountId: "ACC-L", environmentId: "ENV-L", declaredServiceTier: "Premium Support", notes: [note("n1", "Opened")] }),
      entitlement("ACC-L", 1, { serviceTier: "premium" }),
      environment("ENV-L", 1, { components: [{ name: "api", version: "1" }, { name: "db", version: "2" }] }, CASE),
      incident("INC-L", 1, { caseIds: [CASE], affectedAccounts: ["ACC-L"], severity: "S2" }),
      bundle(CASE, "BND-L1", 1, { logs: [{ name: "app.log", uri: "s3://l/app.log", sha256: SHA, sizeBytes: 4 }, { name: "gc.log", uri: "s3://l/gc.log", sha256: SHA, sizeBytes: 4 }] }),
      bundle(CASE, "BND-L2", 1, { approval: { status: "pending" }, logs: [{ name: "trace.log", uri: "s3://l/trace.log", sha256: SHA, sizeBytes: 4 }] }),
    );
    await ingestAndDrain(t, ticket(CASE, 2, { accountId: "ACC-L", environmentId: "ENV-L", declaredServiceTier: "Premium Support", notes: [note("n1", "Opened"), note("n2", "Logs received")] }));
    // A held candidate, approved: the approval is added to lineage, never replacing it.
    await ingestAndDrain(t, incident("INC-L", 2, { caseIds: [CASE], affectedAccounts: ["ACC-L"], severity: "S4" }));
    const specialist = await createUser(t.db, "specialist", "Lin");
    const approveId = (await caseState(t.db, CASE)).live[0]!.id;
    await claimException(t, specialist, approveId);
    await resolveException(t, specialist, approveId, { kind: "approve", note: "Severity confirmed" });
    // An approved corrupted bundle, an override version (of the disputed severity), and a held candidate left held.
    await ingestAndDrain(t, bundle(CASE, "BND-L3", 1, { integrity: "failed" }));
    const corruptId = (await caseState(t.db, CASE)).live[0]!.id;
    await claimException(t, specialist, corruptId);
    await resolveException(t, specialist, corruptId, { kind: "approve", note: "Integrity check was wrong" });
    await ingestAndDrain(t, ticket(CASE, 3, { accountId: "ACC-L", environmentId: "ENV-L", declaredServiceTier: "Premium Support", severity: "S1", notes: [note("n1", "Opened"), note("n2", "Logs received")] }));
    const overrideId = (await caseState(t.db, CASE)).live[0]!.id;
    await claimException(t, specialist, overrideId);
    await resolveException(t, specialist, overrideId, { kind: "override", path: "/case/severity", value: "S3", note: "S3 until the incident moves" });
    await ingestAndDrain(t, incident("INC-L", 3, { caseIds: [CASE], affectedAccounts: ["ACC-L"], severity: "S4", title: "Worse" }), bundle(CASE, "BND-L4", 1, { sizeBytes: 0 }));

    const versions = await t.db.recordVersion.findMany({ where: { caseId: CASE }, orderBy: { version: "asc" }, include: { delta: true } });
    const statuses = new Set(versions.map((v) => v.status));
    for (const s of ["current", "superseded", "held"]) expect(statuses, s).toContain(s);
    expect(versions.length).toBeGreaterThanOrEqual(5);

    let checked = 0;
    for (const v of versions) {
      const lineage = v.lineage as unknown as LineageMap;
      const paths = leafAndItemPaths(v.record);
      expect(paths.length).toBeGreaterThan(20);
      for (const p of paths) {
        expect(isCompleteLineage(lineage[p]), `version ${v.version} ${p}`).toBe(true);
        for (const f of LINEAGE_FIELDS) expect(lineage[p], `version ${v.version} ${p}.${f}`).toHaveProperty(f);
        checked++;
      }
      // No lineage for paths the record does not have.
      const extra = Object.keys(lineage).filter((p) => !paths.includes(p) && !paths.some((q) => q.startsWith(p + "/")));
      expect(extra, `version ${v.version}`).toEqual([]);
      for (const d of v.delta) expect(isCompleteLineage(d.lineage as never), `delta ${v.version} ${d.path}`).toBe(true);
    }
    expect(checked).toBeGreaterThan(200);

    const current = versions.find((v) => v.status === "current")!;
    const lin = current.lineage as unknown as LineageMap;
    expect(lin["/case/severity"]).toMatchObject({ source: "manual_override", entityKind: "exception", entityId: overrideId, override: { by: "Lin" } });
    expect(lin["/environment/components/1"]).toMatchObject({ source: "environment", entityKind: "environment", entityId: "ENV-L", entityVersion: 1 });
    expect(lin["/approvedLogs/1"]).toMatchObject({ source: "diagnostics", entityId: "BND-L1" }); // gc.log; app.log comes from BND-L3
    expect(lin["/notes/1/body"]).toMatchObject({ source: "ticketing", entityVersion: 3 });
    const approved = versions.find((v) => Object.values(v.lineage as unknown as LineageMap).some((l) => l.approval))!;
    expect(Object.values(approved.lineage as unknown as LineageMap).filter((l) => l.approval).every((l) => isCompleteLineage(l))).toBe(true);
  });

  it("the test's path walk sees list items and leaves, so a missing entry would be caught", () => {
    const paths = leafAndItemPaths({ a: { b: 1, c: [] }, l: [{ x: 1 }, "s"], e: {} });
    expect(paths).toEqual(["/a/b", "/l/0", "/l/0/x", "/l/1"]);
    expect(isCompleteLineage({ source: "ticketing", entityKind: "ticket", entityId: "T", entityVersion: 1, webhookId: "w", occurredAt: "2026-01-01T00:00:00Z", receivedAt: "" })).toBe(false);
  });
});
