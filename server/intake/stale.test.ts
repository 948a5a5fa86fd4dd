import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/webhooks/[source]/route";
import { getCurrentRecord, getEventStatus } from "../api/read-api";
import { drain } from "../refresh/process-events";
import type { LineageMap } from "../refresh/types";
import { installRuntime } from "../../dev/simulator/intake-server";
import { signWebhook } from "../../dev/simulator/sign";
import { onboardSource } from "../sources/onboard-source";
import { entitlement, environment, ticket, type TestEvent } from "../../dev/testing/events";
import { createTestDb, TEST_SECRET_KEY, type TestDb } from "../../dev/testing/test-db";

/**
 * docs/domain.md: an event at or below the newest accepted version of its entity — per source and entity
 * id — is stale: stored in the event log, answered "stale", never applied to a record.
 */
const SECRET = "whsec_" + Buffer.alloc(32, 21).toString("base64");
const ENV_SECRETS = { ticketing: [SECRET], entitlement: [SECRET], environment: [SECRET] };
const secrets = { key: TEST_SECRET_KEY, envSecrets: ENV_SECRETS };

let t: TestDb;
let uninstall: () => Promise<void>;
let emeaSecret: string;
let n = 0;

beforeAll(async () => {
  t = await createTestDb({ envSecrets: ENV_SECRETS });
  ({ uninstall } = installRuntime({ ...t, secrets }));
  const admin = { id: "usr_stale_admin", label: "Stale Admin", role: "admin" as const };
  emeaSecret = (await onboardSource(t, secrets, admin, { name: "ticketing-emea", kind: "ticketing" })).secret!;
});

afterAll(async () => {
  await uninstall?.();
  await t?.close();
});

interface Answer {
  status: number;
  body: { status: string; eventId: string };
  webhookId: string;
}

async function post(ev: TestEvent, source: string = ev.kind, webhookId = `msg_stale_${++n}`): Promise<Answer> {
  const signed = signWebhook({ baseUrl: "http://127.0.0.1", source, secret: source === "ticketing-emea" ? emeaSecret : SECRET, webhookId, body: JSON.stringify(ev.body) });
  const res = await POST(new Request(signed.url, { method: "POST", headers: signed.headers, body: signed.body }), { params: Promise.resolve({ source }) });
  return { status: res.status, body: (await res.json()) as Answer["body"], webhookId };
}

function expectAnswer(a: Answer, status: "accepted" | "stale"): string {
  expect({ status: a.status, body: a.body }).toEqual({ status: 202, body: { status, eventId: expect.stringMatching(/^evt_/) } });
  return a.body.eventId;
}

async function storedStatus(eventId: string) {
  return t.db.webhookEvent.findUniqueOrThrow({ where: { id: eventId }, select: { status: true, entityVersion: true, processedAt: true } });
}

/** No version of any case and no delta entry ever used these events' state. */
async function neverApplied(webhookIds: string[]): Promise<void> {
  const versions = await t.db.recordVersion.findMany({ select: { lineage: true } });
  for (const v of versions) {
    const used = Object.values(v.lineage as unknown as LineageMap).map((l) => l.webhookId);
    for (const id of webhookIds) expect(used).not.toContain(id);
  }
  const deltas = await t.db.deltaEntry.findMany({ select: { lineage: true } });
  for (const d of deltas) expect(webhookIds).not.toContain((d.lineage as { webhookId: string }).webhookId);
  const events = await t.db.webhookEvent.findMany({ where: { webhookId: { in: webhookIds } }, select: { id: true } });
  expect(await t.db.eventCase.count({ where: { eventId: { in: events.map((e) => e.id) } } })).toBe(0);
}

describe("stale versions", () => {
  it("answers stale at or below the newest accepted version, stores it, and never applies it", async () => {
    const v5 = expectAnswer(await post(ticket("CASE-S1", 5, { subject: "subject v5" }, "TCK-S1")), "accepted");
    const v3 = await post(ticket("CASE-S1", 3, { subject: "STALE subject v3" }, "TCK-S1"));
    const v5again = await post(ticket("CASE-S1", 5, { subject: "STALE subject v5 again" }, "TCK-S1"));
    expectAnswer(v3, "stale");
    expectAnswer(v5again, "stale");
    const v6 = expectAnswer(await post(ticket("CASE-S1", 6, { subject: "subject v6" }, "TCK-S1")), "accepted");
    const v4 = await post(ticket("CASE-S1", 4, { subject: "STALE subject v4" }, "TCK-S1"));
    expectAnswer(v4, "stale");

    for (const a of [v3, v5again, v4]) {
      const row = await storedStatus(a.body.eventId);
      expect(row.status).toBe("stale");
      expect(row.processedAt).not.toBeNull();
    }
    const entity = await t.db.sourceEntity.findFirstOrThrow({ where: { entityId: "TCK-S1" }, select: { maxVersion: true, currentEventId: true } });
    expect(entity).toEqual({ maxVersion: 6, currentEventId: v6 });

    await drain(t);
    const record = await getCurrentRecord(t.db, "CASE-S1");
    expect((record.record as { case: { subject: string } }).case.subject).toBe("subject v6");
    expect((record.lineage as unknown as LineageMap)["/case/subject"]!.entityVersion).toBe(6);
    expect((await storedStatus(v5)).status).not.toBe("stale");
    await neverApplied([v3.webhookId, v5again.webhookId, v4.webhookId]);
    expect(await getEventStatus(t.db, "ticketing", v3.webhookId)).toEqual({ eventId: v3.body.eventId, status: "stale", caseIds: ["CASE-S1"], recordVersions: [], cases: [] });
  });

  it("a stale event re-delivered is a duplicate of the stale event", async () => {
    expectAnswer(await post(ticket("CASE-S2", 2, {}, "TCK-S2")), "accepted");
    const stale = await post(ticket("CASE-S2", 1, {}, "TCK-S2"), "ticketing", "msg_stale_redelivered");
    expectAnswer(stale, "stale");
    const again = await post(ticket("CASE-S2", 1, {}, "TCK-S2"), "ticketing", "msg_stale_redelivered");
    expect({ status: again.status, body: again.body }).toEqual({ status: 200, body: { status: "duplicate", eventId: stale.body.eventId } });
  });

  it("an older version arriving after a newer one is stale even though it occurred earlier", async () => {
    const newer = expectAnswer(await post(ticket("CASE-S3", 2, { subject: "second" }, "TCK-S3")), "accepted");
    const older = await post(ticket("CASE-S3", 1, { subject: "STALE first" }, "TCK-S3"));
    expectAnswer(older, "stale");
    await drain(t);
    const record = await getCurrentRecord(t.db, "CASE-S3");
    expect((record.record as { case: { subject: string } }).case.subject).toBe("second");
    expect((await getEventStatus(t.db, "ticketing", older.webhookId)).status).toBe("stale");
    expect((await storedStatus(newer)).status).toBe("applied");
    await neverApplied([older.webhookId]);
  });

  it("gaps in versions are fine: a higher version is accepted whatever came between", async () => {
    expectAnswer(await post(ticket("CASE-S4", 3, {}, "TCK-S4")), "accepted");
    expectAnswer(await post(ticket("CASE-S4", 10, {}, "TCK-S4")), "accepted");
    expectAnswer(await post(ticket("CASE-S4", 9, {}, "TCK-S4")), "stale");
    expectAnswer(await post(ticket("CASE-S4", 11, {}, "TCK-S4")), "accepted");
  });

  it("compares versions per entity: another entity of the same source starts its own count", async () => {
    expectAnswer(await post(ticket("CASE-S5", 9, {}, "TCK-S5-A")), "accepted");
    expectAnswer(await post(ticket("CASE-S6", 1, {}, "TCK-S5-B")), "accepted");
    expectAnswer(await post(entitlement("ACC-S5", 4)), "accepted");
    expectAnswer(await post(entitlement("ACC-S6", 1)), "accepted");
    expectAnswer(await post(entitlement("ACC-S5", 4)), "stale");
  });

  it("compares versions per source: the same entity id from another source is not stale", async () => {
    expectAnswer(await post(ticket("CASE-S7", 3, {}, "SHARED-1")), "accepted");
    expectAnswer(await post(ticket("CASE-S7", 1, {}, "SHARED-1"), "ticketing-emea"), "accepted");
    expectAnswer(await post(ticket("CASE-S7", 1, {}, "SHARED-1"), "ticketing-emea"), "stale");
    expectAnswer(await post(ticket("CASE-S7", 2, {}, "SHARED-1")), "stale");
    // Same id, different kinds of source.
    expectAnswer(await post(entitlement("X-1", 5)), "accepted");
    expectAnswer(await post(environment("X-1", 1)), "accepted");
    const rows = await t.db.sourceEntity.findMany({ where: { entityId: { in: ["SHARED-1", "X-1"] } }, select: { entityId: true, maxVersion: true, source: { select: { name: true } } } });
    expect(rows.map((r) => `${r.source.name}/${r.entityId}@${r.maxVersion}`).sort()).toEqual([
      "entitlement/X-1@5",
      "environment/X-1@1",
      "ticketing-emea/SHARED-1@1",
      "ticketing/SHARED-1@3",
    ]);
  });

  it("a stale event that arrives before the newer one is processed is still never applied", async () => {
    expectAnswer(await post(entitlement("ACC-S8", 1, { serviceTier: "standard" })), "accepted");
    expectAnswer(await post(ticket("CASE-S8", 1, { accountId: "ACC-S8" }, "TCK-S8")), "accepted");
    expectAnswer(await post(entitlement("ACC-S8", 7, { serviceTier: "enterprise" }, "CASE-S8")), "accepted");
    const stale = await post(entitlement("ACC-S8", 6, { serviceTier: "premium" }, "CASE-S8"));
    expectAnswer(stale, "stale");
    await drain(t);
    const record = await getCurrentRecord(t.db, "CASE-S8");
    expect((record.record as { entitlement: { tier: string } }).entitlement.tier).toBe("enterprise");
    expect((record.lineage as unknown as LineageMap)["/entitlement/tier"]!.entityVersion).toBe(7);
    await neverApplied([stale.webhookId]);
    expect(await t.db.webhookEvent.count({ where: { status: "received" } })).toBe(0);
  });

  it("a re-used webhook id carrying a newer version is a duplicate and moves nothing", async () => {
    const first = await post(ticket("CASE-S9", 1, { subject: "first" }, "TCK-S9"), "ticketing", "msg_stale_reused");
    const firstId = expectAnswer(first, "accepted");
    const reused = await post(ticket("CASE-S9", 2, { subject: "REUSED id, newer version" }, "TCK-S9"), "ticketing", "msg_stale_reused");
    expect({ status: reused.status, body: reused.body }).toEqual({ status: 200, body: { status: "duplicate", eventId: firstId } });
    const entity = await t.db.sourceEntity.findFirstOrThrow({ where: { entityId: "TCK-S9" }, select: { maxVersion: true, currentEventId: true } });
    expect(entity).toEqual({ maxVersion: 1, currentEventId: firstId });
    expect(await t.db.webhookEvent.count({ where: { webhookId: "msg_stale_reused" } })).toBe(1);
    // The entity still takes the next version under a fresh id.
    expectAnswer(await post(ticket("CASE-S9", 2, { subject: "second" }, "TCK-S9")), "accepted");
  });
});
