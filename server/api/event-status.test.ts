import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { entitlement, incident, ticket } from "../../dev/testing/events";
import { ingest, ingestAndDrain } from "../../dev/testing/ingest";
import { createTestDb, type TestDb } from "../../dev/testing/test-db";
import { getEventStatus } from "./read-api";

/** docs/api.md's event status: every case an event touched, each with its own outcome and version. */
let t: TestDb;

beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t?.close();
});

const webhookOf = async (eventId: string) => (await t.db.webhookEvent.findUniqueOrThrow({ where: { id: eventId } })).webhookId;

describe("event status lists every case an event touched", () => {
  it("an entitlement that arrived before any ticket of its account lists each case that later folded it in", async () => {
    const [ent] = await ingestAndDrain(t, entitlement("ACC-ES1", 1));
    const webhookId = await webhookOf(ent!.eventId);
    // No case has the account yet: the event waits for a ticket naming it.
    expect(await getEventStatus(t.db, "entitlement", webhookId)).toMatchObject({ cases: [] });

    for (const c of ["CASE-ES1", "CASE-ES2", "CASE-ES3"]) await ingestAndDrain(t, ticket(c, 1, { accountId: "ACC-ES1" }));
    const status = await getEventStatus(t.db, "entitlement", webhookId);
    expect(status.status).toBe("applied");
    expect(status.caseIds).toEqual(["CASE-ES1", "CASE-ES2", "CASE-ES3"]);
    expect(status.cases).toEqual([
      { caseId: "CASE-ES1", outcome: "applied", version: 1 },
      { caseId: "CASE-ES2", outcome: "applied", version: 1 },
      { caseId: "CASE-ES3", outcome: "applied", version: 1 },
    ]);
  });

  it("an entitlement fanned out to three existing cases lists all three with their versions", async () => {
    for (const c of ["CASE-EF1", "CASE-EF2", "CASE-EF3"]) await ingestAndDrain(t, ticket(c, 1, { accountId: "ACC-EF1" }));
    const [ent] = await ingestAndDrain(t, entitlement("ACC-EF1", 1, { contractId: "CTR-NEW" }));
    const status = await getEventStatus(t.db, "entitlement", await webhookOf(ent!.eventId));
    expect(status.status).toBe("applied");
    expect(status.cases).toEqual([
      { caseId: "CASE-EF1", outcome: "applied", version: 2 },
      { caseId: "CASE-EF2", outcome: "applied", version: 2 },
      { caseId: "CASE-EF3", outcome: "applied", version: 2 },
    ]);
  });

  it("an incident that holds one case and changes nothing in another reports each outcome; held wins overall", async () => {
    await ingestAndDrain(t, ticket("CASE-EH1", 1, { severity: "S1", accountId: "ACC-EH" }), ticket("CASE-EH2", 1, { severity: "S3", accountId: "ACC-EH" }));
    // S3 is two levels from CASE-EH1's S1 (held) and equal to CASE-EH2's S3 (applied).
    const inc = await ingest(t, incident("INC-EH", 1, { caseIds: ["CASE-EH1", "CASE-EH2"], affectedAccounts: ["ACC-EH"], severity: "S3" }));
    await ingestAndDrain(t);
    const status = await getEventStatus(t.db, "incident", await webhookOf(inc.eventId));
    expect(status.status).toBe("held");
    expect(status.cases).toEqual([
      { caseId: "CASE-EH1", outcome: "held", version: 2 },
      { caseId: "CASE-EH2", outcome: "applied", version: 2 },
    ]);
  });
});
