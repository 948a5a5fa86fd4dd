import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEvent, type ParsedEvent } from "./event-schemas";
import { StoreQueue, storeQueueOf, type StoredEvent } from "./store-event";
import { metrics } from "../ops/metrics";
import { Random } from "../../dev/simulator/random";
import { entitlement, ticket, type TestEvent } from "../../dev/testing/events";
import { createTestDb, TEST_DB_KIND, type TestDb } from "../../dev/testing/test-db";

/**
 * Intake's group commit (server/intake/store-event.ts): deliveries that queue while a store
 * statement runs are stored together, and each is answered exactly as it would have been alone.
 */
let t: TestDb;
let sources: Record<string, string>;

beforeAll(async () => {
  t = await createTestDb();
  sources = Object.fromEntries((await t.db.source.findMany({ select: { name: true, id: true } })).map((s) => [s.name, s.id]));
});

afterAll(async () => {
  await t?.close();
});

function parsed(ev: TestEvent): ParsedEvent {
  const r = parseEvent(ev.kind, ev.body);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.event;
}

const store = (q: StoreQueue, ev: TestEvent, webhookId: string) => q.store(sources[ev.kind]!, webhookId, parsed(ev));

async function rowsOf(webhookIds: string[]) {
  return t.db.webhookEvent.findMany({ where: { webhookId: { in: webhookIds } }, select: { id: true, webhookId: true, status: true, entityId: true, entityVersion: true } });
}

describe(`intake's group commit (${TEST_DB_KIND})`, () => {
  it("stores the deliveries of one turn of the event loop in one statement, each answered as alone", async () => {
    const q = new StoreQueue(t.db, 1);
    const batchSizes = async () => Object.fromEntries((await metrics.intakeStoreBatch.get()).values.filter((v) => !v.metricName?.endsWith("_bucket")).map((v) => [v.metricName, v.value]));
    const before = await batchSizes();
    const statementsTimedBefore = (await metrics.intakeStoreDuration.get()).values.find((v) => v.metricName === "escalation_intake_store_statement_seconds_count")?.value ?? 0;
    // All 31 arrive in one turn: the statement starts after it (setImmediate), so none goes alone
    // (the embedded database, whose statements run on the loop, stored every delivery alone before).
    const evs = Array.from({ length: 31 }, (_, i) => ticket(`CASE-G1-${i}`, 1, {}, `TCK-G1-${i}`));
    const answers = await Promise.all(evs.map((ev, i) => store(q, ev, `msg_g1_${i}`)));
    expect(q.stats).toEqual({ statements: 1, deliveries: 31, largestBatch: 31 });
    // /api/metrics shows the batch: one statement, 31 deliveries.
    const after = await batchSizes();
    expect(after.escalation_intake_store_batch_size_count! - (before.escalation_intake_store_batch_size_count ?? 0)).toBe(1);
    expect(after.escalation_intake_store_batch_size_sum! - (before.escalation_intake_store_batch_size_sum ?? 0)).toBe(31);
    // and times that one statement.
    const timed = (await metrics.intakeStoreDuration.get()).values.find((v) => v.metricName === "escalation_intake_store_statement_seconds_count")?.value ?? 0;
    expect(timed - statementsTimedBefore).toBe(1);
    expect(answers.every((a) => a.status === "accepted")).toBe(true);
    const rows = await rowsOf(evs.map((_, i) => `msg_g1_${i}`));
    expect(rows).toHaveLength(31);
    for (const [i, a] of answers.entries()) expect(rows.find((r) => r.webhookId === `msg_g1_${i}`)).toMatchObject({ id: a.eventId, status: "received" });
  });

  it("never puts two deliveries of one entity or one webhook id in a batch: versions land in arrival order", async () => {
    const q = new StoreQueue(t.db, 1);
    // All in one turn: v1 and the other ticket go together; v3, v2 and a second v3 delivery of the
    // same webhook id each wait for the statement before them.
    const first = store(q, ticket("CASE-G2", 1, {}, "TCK-G2"), "msg_g2_1");
    const rest = await Promise.all([
      store(q, ticket("CASE-G2", 3, {}, "TCK-G2"), "msg_g2_3"),
      store(q, ticket("CASE-G2", 2, {}, "TCK-G2"), "msg_g2_2"),
      store(q, ticket("CASE-G2", 3, {}, "TCK-G2"), "msg_g2_3"),
      store(q, ticket("CASE-G2-OTHER", 1, {}, "TCK-G2-OTHER"), "msg_g2_other"),
    ]);
    expect((await first).status).toBe("accepted");
    expect(rest.map((a) => a.status)).toEqual(["accepted", "stale", "duplicate", "accepted"]);
    expect(rest[2]!.eventId).toBe(rest[0]!.eventId);
    // v1 with the other ticket; v3; v2; the duplicate.
    expect(q.stats.statements).toBe(4);
    const entity = await t.db.sourceEntity.findUniqueOrThrow({ where: { sourceId_entityId: { sourceId: sources.ticketing!, entityId: "TCK-G2" } } });
    expect(entity).toMatchObject({ maxVersion: 3, currentEventId: rest[0]!.eventId });
  });

  it("a batch one delivery of which cannot be stored is stored again one by one: the others are unharmed", async () => {
    const q = new StoreQueue(t.db, 1);
    expect((await store(q, entitlement("ACC-G3", 1), "msg_g3_dup")).status).toBe("accepted");
    // The queue is idle once its statement's bookkeeping has run (after the answer).
    await new Promise((resolve) => setTimeout(resolve, 0));
    // The same webhook id again, now carrying a newer version: the batch's entity move points at an
    // event that is never inserted, its foreign key fails the statement, and the batch splits.
    // Sent in one turn, the three go in one statement.
    const batch = await Promise.all([
      store(q, ticket("CASE-G3-1", 1, {}, "TCK-G3-1"), "msg_g3_1"),
      store(q, entitlement("ACC-G3", 5), "msg_g3_dup"),
      store(q, ticket("CASE-G3-2", 1, {}, "TCK-G3-2"), "msg_g3_2"),
    ]);
    expect(batch.map((a) => a.status)).toEqual(["accepted", "duplicate", "accepted"]);
    // The first, the failed batch, then each of its three again.
    expect(q.stats).toMatchObject({ statements: 1 + 1 + 3, deliveries: 1 + 3 + 3, largestBatch: 3 });
    const entity = await t.db.sourceEntity.findUniqueOrThrow({ where: { sourceId_entityId: { sourceId: sources.entitlement!, entityId: "ACC-G3" } } });
    expect(entity.maxVersion).toBe(1);
    expect(await rowsOf(["msg_g3_1", "msg_g3_2"])).toHaveLength(2);
  });

  it("under concurrent load: one row per webhook id, every answer matches its row, each entity at its newest version", async () => {
    const q = storeQueueOf(t.db);
    const before = { ...q.stats };
    const random = new Random(11);
    // 40 entities, versions 1-5 each, in random order, a fifth of them delivered twice.
    const jobs = random.shuffle(
      Array.from({ length: 40 }, (_, e) => Array.from({ length: 5 }, (_, v) => ({ ev: ticket(`CASE-G4-${e}`, v + 1, {}, `TCK-G4-${e}`), id: `msg_g4_${e}_${v + 1}` }))).flat(),
    );
    const all = random.shuffle([...jobs, ...jobs.filter((_, i) => i % 5 === 0)]);
    const answers: (StoredEvent & { id: string })[] = await Promise.all(all.map((j) => store(q, j.ev, j.id).then((a) => ({ ...a, id: j.id }))));
    // Nothing failed here, so each delivery went in exactly one statement, and some went together.
    expect(q.stats.deliveries - before.deliveries).toBe(all.length);
    expect(q.stats.statements - before.statements).toBeLessThan(all.length);
    const rows = await rowsOf(jobs.map((j) => j.id));
    expect(rows).toHaveLength(jobs.length);
    for (const a of answers) {
      const row = rows.find((r) => r.webhookId === a.id)!;
      expect(a.eventId).toBe(row.id);
      if (a.status !== "duplicate") expect(row.status).toBe(a.status === "accepted" ? "received" : "stale");
    }
    expect(answers.filter((a) => a.status !== "duplicate")).toHaveLength(jobs.length);
    const entities = await t.db.sourceEntity.findMany({ where: { entityId: { startsWith: "TCK-G4-" } }, select: { entityId: true, maxVersion: true, currentEventId: true } });
    expect(entities).toHaveLength(40);
    for (const e of entities) {
      expect(e.maxVersion).toBe(5);
      expect(rows.find((r) => r.id === e.currentEventId)).toMatchObject({ entityId: e.entityId, entityVersion: 5, status: "received" });
    }
  });
});

describe(`intake's group commit, arrival order (${TEST_DB_KIND})`, () => {
  it("a later version of an entity never overtakes an earlier one that did not fit in the batch", async () => {
    const q = new StoreQueue(t.db, 1);
    const big = (caseId: string, version: number, ticketId: string) => ticket(caseId, version, { reproduction: { status: "in_progress", steps: "x".repeat(19_000) }, notes: Array.from({ length: 16 }, (_, i) => ({ id: `n${i}`, author: "agent", body: "y".repeat(19_000), at: "2026-11-27T03:00:00Z" })) }, ticketId);
    const blocker = store(q, ticket("CASE-G5-0", 1, {}, "TCK-G5-0"), "msg_g5_0");
    // Three of about 320 KB each fill most of the 1 MB batch; version 2 of TCK-G5-X (as large) does
    // not fit; its version 3 (small) would, but must wait behind it.
    const answers = await Promise.all([
      ...[1, 2, 3].map((i) => store(q, big(`CASE-G5-${i}`, 1, `TCK-G5-${i}`), `msg_g5_${i}`)),
      store(q, big("CASE-G5-X", 2, "TCK-G5-X"), "msg_g5_x2"),
      store(q, ticket("CASE-G5-X", 3, {}, "TCK-G5-X"), "msg_g5_x3"),
    ]);
    await blocker;
    expect(answers.map((a) => a.status)).toEqual(["accepted", "accepted", "accepted", "accepted", "accepted"]);
    const entity = await t.db.sourceEntity.findUniqueOrThrow({ where: { sourceId_entityId: { sourceId: sources.ticketing!, entityId: "TCK-G5-X" } } });
    expect(entity).toMatchObject({ maxVersion: 3, currentEventId: answers[4]!.eventId });
  });
});
