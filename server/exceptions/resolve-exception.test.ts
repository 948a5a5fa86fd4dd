import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getEventStatus } from "../api/read-api";
import type { Actor } from "../lib/audit";
import { AppError } from "../lib/errors";
import { caseState, createUser, currentRecord } from "../../dev/testing/refresh";
import { incident, ticket } from "../../dev/testing/events";
import { ingest, ingestAndDrain } from "../../dev/testing/ingest";
import { createTestDb, type TestDb } from "../../dev/testing/test-db";
import { drain } from "../refresh/process-events";
import { assignException, claimException, resolveException, unclaimException } from "./resolve-exception";

let t: TestDb;
let alice: Actor;
let bob: Actor;
let admin: Actor;
let manager: Actor;
let n = 0;

beforeAll(async () => {
  t = await createTestDb();
  alice = await createUser(t.db, "specialist", "Alice Specialist");
  bob = await createUser(t.db, "specialist", "Bob Specialist");
  admin = await createUser(t.db, "admin", "Ada Admin");
  manager = await createUser(t.db, "duty_manager", "Dana Manager");
});
afterAll(async () => {
  await t?.close();
});

/**
 * A case whose current version 1 has an S1 ticket and an S2 incident; incident version 2 then says
 * S3, two levels from the ticket: candidate version 2 is held behind a SEVERITY_CONFLICT.
 */
async function severityConflict() {
  n++;
  const caseId = `CASE-X${n}`;
  const incidentId = `INC-X${n}`;
  const inc = (version: number, data: Record<string, unknown> = {}) => incident(incidentId, version, { caseIds: [caseId], severity: "S2", ...data });
  await ingestAndDrain(t, ticket(caseId, 1, { severity: "S1" }), inc(1));
  const conflicting = await ingest(t, inc(2, { severity: "S3", title: "Escalated" }));
  const conflictingWebhook = (await t.db.webhookEvent.findUniqueOrThrow({ where: { id: conflicting.eventId } })).webhookId;
  await drain(t);
  const state = await caseState(t.db, caseId);
  expect(state.current).toBe(1);
  expect(state.live.map((e) => e.rule)).toEqual(["SEVERITY_CONFLICT"]);
  const exceptionId = state.live[0]!.id;
  return { caseId, incidentId, inc, exceptionId, conflicting: { eventId: conflicting.eventId, webhookId: conflictingWebhook } };
}

async function expectAppError(p: Promise<unknown>, code: string) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe(code);
}

const auditOf = (targetId: string) => t.db.auditLog.findMany({ where: { targetId }, orderBy: { createdAt: "asc" } });

describe("claim, unclaim, assign", () => {
  it("claim: the specialist holds the exception, others cannot take it, duty managers cannot act; audited", async () => {
    const { exceptionId } = await severityConflict();
    await claimException(t, alice, exceptionId);
    const exc = await t.db.caseException.findUniqueOrThrow({ where: { id: exceptionId } });
    expect(exc.status).toBe("claimed");
    expect(exc.claimedById).toBe(alice.id);
    await expectAppError(claimException(t, bob, exceptionId), "CONFLICT");
    await expectAppError(claimException(t, manager, exceptionId), "FORBIDDEN");
    const audit = await auditOf(exceptionId);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actorId: alice.id, actorLabel: alice.label, action: "exception.claim", targetType: "exception" });
    expect(audit[0]!.after).toEqual({ status: "claimed" });
  });

  it("unclaim: only the claimant (or an admin) releases it back to open; audited", async () => {
    const { exceptionId } = await severityConflict();
    await claimException(t, alice, exceptionId);
    await expectAppError(unclaimException(t, bob, exceptionId), "FORBIDDEN");
    await unclaimException(t, alice, exceptionId);
    const exc = await t.db.caseException.findUniqueOrThrow({ where: { id: exceptionId } });
    expect(exc).toMatchObject({ status: "open", claimedById: null });
    await expectAppError(unclaimException(t, alice, exceptionId), "CONFLICT");
    await claimException(t, bob, exceptionId);
    await unclaimException(t, admin, exceptionId);
    const actions = (await auditOf(exceptionId)).map((a) => [a.action, a.actorId]);
    expect(actions).toEqual([
      ["exception.claim", alice.id],
      ["exception.unclaim", alice.id],
      ["exception.claim", bob.id],
      ["exception.unclaim", admin.id],
    ]);
  });

  it("assign: hands the exception to a specialist, who can then resolve it; never to a duty manager; audited", async () => {
    const { exceptionId } = await severityConflict();
    await claimException(t, alice, exceptionId);
    await expectAppError(assignException(t, admin, exceptionId, manager.id!), "BAD_REQUEST");
    await assignException(t, admin, exceptionId, bob.id!);
    const exc = await t.db.caseException.findUniqueOrThrow({ where: { id: exceptionId } });
    expect(exc).toMatchObject({ status: "claimed", claimedById: bob.id });
    const assign = (await auditOf(exceptionId)).find((a) => a.action === "exception.assign")!;
    expect(assign).toMatchObject({ actorId: admin.id, before: { claimedById: alice.id }, after: { claimedById: bob.id } });
    await expectAppError(resolveException(t, alice, exceptionId, { kind: "approve", note: "Looks right to me" }), "FORBIDDEN");
    await resolveException(t, bob, exceptionId, { kind: "approve", note: "Incident commander confirmed S3" });
    expect((await t.db.caseException.findUniqueOrThrow({ where: { id: exceptionId } })).status).toBe("resolved");
  });
});

describe("claims: only the claimant or an admin acts on, unclaims or reassigns; assignees are active specialists", () => {
  it("a specialist refused unclaim on a peer's claim cannot assign it to themselves or anyone else; an admin can", async () => {
    const { exceptionId } = await severityConflict();
    await claimException(t, alice, exceptionId);
    await expectAppError(unclaimException(t, bob, exceptionId), "FORBIDDEN");
    await expectAppError(assignException(t, bob, exceptionId, bob.id!), "FORBIDDEN");
    await expectAppError(assignException(t, bob, exceptionId, admin.id!), "FORBIDDEN");
    expect((await t.db.caseException.findUniqueOrThrow({ where: { id: exceptionId } })).claimedById).toBe(alice.id);
    await assignException(t, alice, exceptionId, bob.id!); // the claimant hands it over
    await assignException(t, admin, exceptionId, alice.id!); // an admin reassigns anyone's claim
    expect((await t.db.caseException.findUniqueOrThrow({ where: { id: exceptionId } })).claimedById).toBe(alice.id);
    expect((await auditOf(exceptionId)).map((a) => [a.action, a.actorId])).toEqual([
      ["exception.claim", alice.id],
      ["exception.assign", alice.id],
      ["exception.assign", admin.id],
    ]);
  });

  it("an open exception can be assigned by any specialist, but only to an active specialist or admin (never a disabled one)", async () => {
    const { exceptionId } = await severityConflict();
    const gone = await createUser(t.db, "specialist", "Gone Specialist");
    await t.db.user.update({ where: { id: gone.id! }, data: { disabledAt: new Date() } });
    const err = await assignException(t, alice, exceptionId, gone.id!).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/Gone Specialist is disabled/) });
    await expectAppError(assignException(t, alice, exceptionId, "usr_nobody"), "BAD_REQUEST");
    expect((await t.db.caseException.findUniqueOrThrow({ where: { id: exceptionId } })).status).toBe("open");
    await assignException(t, alice, exceptionId, admin.id!);
    expect((await t.db.caseException.findUniqueOrThrow({ where: { id: exceptionId } })).claimedById).toBe(admin.id);
  });

  it("an admin may resolve an exception a specialist claimed; a peer specialist may not", async () => {
    const { exceptionId } = await severityConflict();
    await claimException(t, alice, exceptionId);
    await expectAppError(resolveException(t, bob, exceptionId, { kind: "approve", note: "Not mine to decide" }), "FORBIDDEN");
    await resolveException(t, admin, exceptionId, { kind: "approve", note: "Alice is away; the incident commander confirmed S3" });
    expect(await t.db.caseException.findUniqueOrThrow({ where: { id: exceptionId } })).toMatchObject({ status: "resolved", resolvedById: admin.id, claimedById: alice.id });
  });
});

describe("resolutions", () => {
  it("approve: the held candidate becomes current, lineage records the approval, the same evidence never holds again", async () => {
    const { caseId, exceptionId, conflicting } = await severityConflict();
    const heldVersion = (await caseState(t.db, caseId)).versions.find((v) => v.status === "held")!.version;
    await claimException(t, alice, exceptionId);
    const [result] = await resolveException(t, alice, exceptionId, { kind: "approve", note: "Incident commander confirmed S3" });
    expect(result).toMatchObject({ caseId, outcome: "applied", version: heldVersion });

    const state = await caseState(t.db, caseId);
    expect(state.current).toBe(heldVersion);
    expect(state.live).toEqual([]);
    const cur = (await currentRecord(t.db, caseId))!;
    expect((cur.record.incidents as { severity: string }[])[0]!.severity).toBe("S3");
    expect(cur.lineage["/incidents/0/severity"]!.approval).toMatchObject({ exceptionId, by: alice.label });
    expect(cur.lineage["/case/severity"]!.approval).toBeUndefined(); // unchanged fields carry no approval

    const exc = await t.db.caseException.findUniqueOrThrow({ where: { id: exceptionId } });
    expect(exc).toMatchObject({ status: "resolved", resolution: "approve", resolvedById: alice.id, resolutionNote: "Incident commander confirmed S3" });
    const approve = (await auditOf(exceptionId)).find((a) => a.action === "exception.approve")!;
    expect(approve).toMatchObject({ actorId: alice.id, actorLabel: alice.label, note: "Incident commander confirmed S3" });
    expect(approve.createdAt).toBeInstanceOf(Date);

    const status = await getEventStatus(t.db, "incident", conflicting.webhookId);
    expect(status).toMatchObject({ status: "applied", recordVersions: [{ caseId, version: heldVersion }] });

    // A later ticket update with the same conflicting severities is applied, not held again.
    await ingestAndDrain(t, ticket(caseId, 2, { severity: "S1", notes: [{ id: "n1", author: "agent", body: "Customer called", at: "2026-11-27T03:00:00Z" }] }));
    const later = await caseState(t.db, caseId);
    expect(later.live).toEqual([]);
    expect(later.current).toBe(heldVersion + 1);
  });

  it("reject: offending events are quarantined, current stays, later refreshes use the previous accepted version until a newer one arrives", async () => {
    const { caseId, incidentId, inc, exceptionId, conflicting } = await severityConflict();
    const heldVersion = (await caseState(t.db, caseId)).versions.find((v) => v.status === "held")!.version;
    await claimException(t, alice, exceptionId);
    await resolveException(t, alice, exceptionId, { kind: "reject", note: "Incident severity was set on the wrong incident" });

    const state = await caseState(t.db, caseId);
    expect(state.current).toBe(1);
    expect(state.live).toEqual([]);
    expect(state.versions.find((v) => v.version === heldVersion)!.status).toBe("rejected");
    expect(await getEventStatus(t.db, "incident", conflicting.webhookId)).toMatchObject({ status: "quarantined" });
    const q = await t.db.quarantinedEvent.findMany({ where: { exceptionId } });
    expect(q.map((r) => r.eventId)).toEqual([conflicting.eventId]);
    expect((await auditOf(conflicting.eventId)).map((a) => [a.action, a.actorId, a.note])).toEqual([
      ["event.quarantine", alice.id, "Incident severity was set on the wrong incident"],
    ]);
    // Re-delivering the quarantined version is stale, not a way around the decision.
    expect((await ingest(t, inc(2, { severity: "S3", title: "Escalated" }))).status).toBe("stale");

    // A ticket update refreshes the case from incident version 1, the previous accepted version.
    await ingestAndDrain(t, ticket(caseId, 2, { severity: "S1", subject: "Still failing" }));
    const afterTicket = (await currentRecord(t.db, caseId))!;
    expect(afterTicket.record.case).toMatchObject({ subject: "Still failing" });
    expect((afterTicket.record.incidents as { severity: string }[])[0]!.severity).toBe("S2");
    expect(afterTicket.lineage["/incidents/0/severity"]).toMatchObject({ source: "incident", entityId: incidentId, entityVersion: 1 });

    // A newer incident version is used again.
    await ingestAndDrain(t, inc(3, { severity: "S2", title: "Mitigated" }));
    const afterNewer = (await currentRecord(t.db, caseId))!;
    expect((afterNewer.record.incidents as { title: string }[])[0]!.title).toBe("Mitigated");
    expect(afterNewer.lineage["/incidents/0/title"]).toMatchObject({ entityVersion: 3 });
  });

  it("override: the specialist's value stands with cause manual_override until the ticket's own severity changes", async () => {
    const { caseId, exceptionId } = await severityConflict();
    await claimException(t, alice, exceptionId);
    const [r] = await resolveException(t, alice, exceptionId, { kind: "override", path: "/case/severity", value: "S2", note: "Agreed S2 with the duty manager" });
    expect(r!.outcome).toBe("applied");
    const version = await t.db.recordVersion.findFirstOrThrow({ where: { caseId, isCurrent: true }, include: { delta: true } });
    expect((version.record as { case: { severity: string } }).case.severity).toBe("S2");
    const sev = version.delta.find((d) => d.path === "/case/severity")!;
    expect(sev).toMatchObject({ before: "S1", after: "S2", cause: "manual_override" });
    expect(version.causes).toContain("manual_override");
    expect((version.lineage as Record<string, { source: string; entityId: string }>)["/case/severity"]).toMatchObject({ source: "manual_override", entityId: exceptionId });
    const overrideAudit = (await auditOf(caseId)).find((a) => a.action === "record.override")!;
    expect(overrideAudit).toMatchObject({ actorId: alice.id, before: { path: "/case/severity", value: "S1" }, after: { path: "/case/severity", value: "S2" }, note: "Agreed S2 with the duty manager" });

    // An unrelated source change keeps the override.
    await ingestAndDrain(t, incident(`INC-OTHER-${caseId}`, 1, { caseIds: [caseId], severity: "S3", title: "Related" }));
    expect(((await currentRecord(t.db, caseId))!.record.case as { severity: string }).severity).toBe("S2");

    // A newer ticket version that changes the severity itself ends the override: its own value is used again.
    await ingestAndDrain(t, ticket(caseId, 2, { severity: "S3" }));
    const lapsed = (await currentRecord(t.db, caseId))!;
    expect((lapsed.record.case as { severity: string }).severity).toBe("S3");
    expect(lapsed.lineage["/case/severity"]).toMatchObject({ source: "ticketing", entityVersion: 2 });
    expect(await t.db.fieldOverride.count({ where: { caseId, active: true } })).toBe(0);
  });

  it("override holds: a newer ticket version that leaves the overridden severity alone applies with the override kept", async () => {
    const { caseId, exceptionId } = await severityConflict();
    await claimException(t, alice, exceptionId);
    await resolveException(t, alice, exceptionId, { kind: "override", path: "/case/severity", value: "S2", note: "Agreed S2 for now" });
    const overridden = (await caseState(t.db, caseId)).current!;
    await ingestAndDrain(t, ticket(caseId, 2, { severity: "S1", subject: "Customer insists on S1" }));
    const s = await caseState(t.db, caseId);
    expect(s.live).toEqual([]);
    expect(s.current).toBe(overridden + 1);
    const cur = (await currentRecord(t.db, caseId))!;
    expect(cur.record.case).toMatchObject({ severity: "S2", subject: "Customer insists on S1" });
    expect(cur.lineage["/case/severity"]).toMatchObject({ source: "manual_override", entityId: exceptionId });
    expect(cur.lineage["/case/subject"]).toMatchObject({ source: "ticketing", entityVersion: 2 });
  });

  it("requires a note for every resolution, and changes nothing without one", async () => {
    const { caseId, exceptionId } = await severityConflict();
    await claimException(t, alice, exceptionId);
    for (const note of ["", "  ", undefined as unknown as string]) {
      await expectAppError(resolveException(t, alice, exceptionId, { kind: "approve", note }), "BAD_REQUEST");
      await expectAppError(resolveException(t, alice, exceptionId, { kind: "reject", note }), "BAD_REQUEST");
    }
    const exc = await t.db.caseException.findUniqueOrThrow({ where: { id: exceptionId } });
    expect(exc.status).toBe("claimed");
    expect((await caseState(t.db, caseId)).current).toBe(1);
    expect((await auditOf(exceptionId)).map((a) => a.action)).toEqual(["exception.claim"]);
  });

  it("a specialist cannot resolve an exception someone else claimed, nor one nobody claimed", async () => {
    const { caseId, exceptionId } = await severityConflict();
    await expectAppError(resolveException(t, alice, exceptionId, { kind: "approve", note: "Without a claim" }), "CONFLICT");
    await claimException(t, bob, exceptionId);
    for (const kind of ["approve", "reject"] as const) {
      await expectAppError(resolveException(t, alice, exceptionId, { kind, note: "Not mine to decide" }), "FORBIDDEN");
    }
    await expectAppError(resolveException(t, alice, exceptionId, { kind: "override", path: "/case/severity", value: "S2", note: "Not mine" }), "FORBIDDEN");
    expect((await t.db.caseException.findUniqueOrThrow({ where: { id: exceptionId } })).claimedById).toBe(bob.id);
    expect((await caseState(t.db, caseId)).current).toBe(1);
  });
});
