import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getEventStatus } from "../api/read-api";
import type { Actor } from "../lib/audit";
import { AppError } from "../lib/errors";
import { caseState, createUser, currentRecord } from "../../dev/testing/refresh";
import { entitlement, incident, ticket, type TestEvent } from "../../dev/testing/events";
import { ingest } from "../../dev/testing/ingest";
import { createTestDb, type TestDb } from "../../dev/testing/test-db";
import { drain } from "../refresh/process-events";
import { claimException, resolveException } from "./resolve-exception";

/**
 * docs/domain.md "What these mean precisely": a reject quarantines only the offending events, those that
 * changed a value the rule reads relative to the current version; the case refreshes at once without
 * them and innocent events are applied (or held by another rule) as if the offending ones never came.
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

/** Ingests one event, drains, and returns its webhook id. */
async function post(ev: TestEvent): Promise<string> {
  const stored = await ingest(t, ev);
  await drain(t);
  return (await t.db.webhookEvent.findUniqueOrThrow({ where: { id: stored.eventId } })).webhookId;
}

async function liveException(caseId: string, rule: string): Promise<string> {
  const live = (await caseState(t.db, caseId)).live.find((e) => e.rule === rule);
  if (!live) throw new Error(`no live ${rule} on ${caseId}`);
  return live.id;
}

async function reject(exceptionId: string, text = "The source sent this by mistake") {
  await claimException(t, alice, exceptionId);
  return resolveException(t, alice, exceptionId, { kind: "reject", note: text });
}

const quarantinedBy = async (exceptionId: string) =>
  (await t.db.quarantinedEvent.findMany({ where: { exceptionId }, select: { event: { select: { webhookId: true } } } })).map((q) => q.event.webhookId).sort();

/** Ticket S3 and incident S3 current in v1; incident v2 raises to S1, two levels from the ticket. */
async function severityHeld() {
  n++;
  const caseId = `CASE-RJ${n}`;
  const incidentId = `INC-RJ${n}`;
  const account = `ACC-RJ${n}`;
  const inc = (version: number, severity: string) => incident(incidentId, version, { caseIds: [caseId], affectedAccounts: [account], severity });
  await post(ticket(caseId, 1, { severity: "S3", accountId: account }));
  await post(inc(1, "S3"));
  const base = (await caseState(t.db, caseId)).current!;
  const offending = await post(inc(2, "S1"));
  const exceptionId = await liveException(caseId, "SEVERITY_CONFLICT");
  return { caseId, account, offending, exceptionId, base };
}

describe("reject quarantines only the offending events", () => {
  it("an innocent ticket note that arrived while held is applied at once; only the incident version that raised severity is quarantined", async () => {
    const { caseId, account, offending, exceptionId } = await severityHeld();
    const innocent = await post(ticket(caseId, 2, { severity: "S3", accountId: account, notes: [note("n1", "Customer called back")] }));
    expect((await getEventStatus(t.db, "ticketing", innocent)).status).toBe("held");

    const [result] = await reject(exceptionId);
    expect(result).toMatchObject({ caseId, outcome: "applied" });
    expect(await quarantinedBy(exceptionId)).toEqual([offending]);
    expect((await getEventStatus(t.db, "incident", offending)).status).toBe("quarantined");
    expect(await getEventStatus(t.db, "ticketing", innocent)).toMatchObject({ status: "applied", recordVersions: [{ caseId, version: result!.version }] });

    const cur = (await currentRecord(t.db, caseId))!;
    expect(cur.version).toBe(result!.version);
    expect(cur.record.notes).toEqual([note("n1", "Customer called back")]);
    expect((cur.record.incidents as { severity: string }[])[0]!.severity).toBe("S3");
    expect(cur.lineage["/notes/0/body"]).toMatchObject({ source: "ticketing", entityVersion: 2 });
    expect(cur.lineage["/incidents/0/severity"]).toMatchObject({ source: "incident", entityVersion: 1 });
    const delta = await t.db.deltaEntry.findMany({ where: { caseId, version: { version: result!.version! } }, select: { path: true, cause: true } });
    expect(delta).toEqual([{ path: "/notes/0", cause: "routine_carry_forward" }]);
    expect((await caseState(t.db, caseId)).live).toEqual([]);
  });

  it("same entity, decided per version: a later ticket version that only adds a note but still carries the raised severity is offending too (relative to the current version it changes the severity the rule reads)", async () => {
    n++;
    const caseId = `CASE-RJ${n}`;
    await post(ticket(caseId, 1, { severity: "S3" }));
    await post(incident(`INC-RJ${n}`, 1, { caseIds: [caseId], severity: "S3" }));
    const base = (await caseState(t.db, caseId)).current!;
    const raised = await post(ticket(caseId, 2, { severity: "S1" }));
    const noteCarryingRaised = await post(ticket(caseId, 3, { severity: "S1", notes: [note("n1", "Still broken")] }));
    const exceptionId = await liveException(caseId, "SEVERITY_CONFLICT");

    const [result] = await reject(exceptionId);
    expect(await quarantinedBy(exceptionId)).toEqual([raised, noteCarryingRaised].sort());
    expect(result).toMatchObject({ caseId, outcome: "no_change", version: null });
    const cur = (await currentRecord(t.db, caseId))!;
    expect(cur.version).toBe(base);
    expect(cur.record.notes).toEqual([]);
    // The next ticket version is used again (state transfer: it carries its own note and severity).
    await post(ticket(caseId, 4, { severity: "S3", notes: [note("n1", "Still broken")] }));
    expect(((await currentRecord(t.db, caseId))!.record.notes as unknown[]).length).toBe(1);
  });

  it("same entity, decided per version: an earlier ticket version that only added a note stays, while a later one that changed the declared tier is quarantined", async () => {
    n++;
    const caseId = `CASE-RJ${n}`;
    const account = `ACC-RJ${n}`;
    await post(entitlement(account, 1, { serviceTier: "premium" }));
    await post(ticket(caseId, 1, { accountId: account, declaredServiceTier: "premium" }));
    expect((await caseState(t.db, caseId)).current).toBe(1);

    const suspended = await post(entitlement(account, 2, { serviceTier: "premium", status: "suspended" }));
    const noteOnly = await post(ticket(caseId, 2, { accountId: account, declaredServiceTier: "premium", notes: [note("n1", "Asked for logs")] }));
    const tierChange = await post(ticket(caseId, 3, { accountId: account, declaredServiceTier: "enterprise", notes: [note("n1", "Asked for logs")] }));
    const exceptionId = await liveException(caseId, "ENTITLEMENT_INCONSISTENT");

    const [result] = await reject(exceptionId);
    expect(await quarantinedBy(exceptionId)).toEqual([suspended, tierChange].sort());
    expect(result).toMatchObject({ caseId, outcome: "applied" });
    const cur = (await currentRecord(t.db, caseId))!;
    expect(cur.record.case).toMatchObject({ declaredTier: "premium" });
    expect(cur.record.entitlement).toMatchObject({ status: "active" });
    expect(cur.record.notes).toEqual([note("n1", "Asked for logs")]);
    expect(cur.lineage["/notes/0/id"]).toMatchObject({ entityVersion: 2 });
    expect((await getEventStatus(t.db, "ticketing", noteOnly)).status).toBe("applied");
  });

  it("an innocent event still held by another rule stays held there, judged as if the offending event never came", async () => {
    const { caseId, account, offending, exceptionId, base } = await severityHeld();
    // The case's entitlement is suspended while the severity conflict is open: a second rule.
    const suspended = await post(entitlement(account, 1, { status: "suspended" }, caseId));
    expect((await caseState(t.db, caseId)).live.map((e) => e.rule).sort()).toEqual(["ENTITLEMENT_INCONSISTENT", "SEVERITY_CONFLICT"]);

    const [result] = await reject(exceptionId);
    expect(result).toMatchObject({ caseId, outcome: "held" });
    expect(await quarantinedBy(exceptionId)).toEqual([offending]);
    const state = await caseState(t.db, caseId);
    expect(state.current).toBe(base);
    expect(state.live.map((e) => e.rule)).toEqual(["ENTITLEMENT_INCONSISTENT"]);
    const held = await t.db.recordVersion.findUniqueOrThrow({ where: { caseId_version: { caseId, version: state.live[0]!.candidateVersion! } } });
    expect((held.record as { incidents: { severity: string }[] }).incidents[0]!.severity).toBe("S3");
    expect((await getEventStatus(t.db, "entitlement", suspended)).status).toBe("held");
  });

  it("a reject with nothing to quarantine (no event changed what the rule reads) is refused with a 400, and the exception stays as it was", async () => {
    n++;
    const caseId = `CASE-RJ${n}`;
    await post(ticket(caseId, 1, { productArea: "checkout-web", accountId: `ACC-RJ${n}` }));
    // The taxonomy loses the alias (an admin edit, not a source change); the next ticket note is held.
    await t.db.productAlias.deleteMany({ where: { alias: "checkout-web" } });
    t.reference.invalidate();
    await post(ticket(caseId, 2, { productArea: "checkout-web", accountId: `ACC-RJ${n}`, notes: [note("n1", "ping")] }));
    const exceptionId = await liveException(caseId, "SCHEMA_INVALID");
    await claimException(t, alice, exceptionId);
    const err = await resolveException(t, alice, exceptionId, { kind: "reject", note: "Not from the source" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("BAD_REQUEST");
    expect((err as AppError).message).toMatch(/nothing to quarantine/i);
    expect(await t.db.caseException.findUniqueOrThrow({ where: { id: exceptionId } })).toMatchObject({ status: "claimed", resolution: null });
    expect(await t.db.quarantinedEvent.count({ where: { exceptionId } })).toBe(0);
  });
});
