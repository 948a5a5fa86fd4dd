import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, TEST_DB_KIND, type TestDb } from "../../../dev/testing/test-db";
import { foldRollups } from "./metrics-maintenance";

/**
 * The dashboard's rollups under concurrent writers: intake-like inserts and refresh-like status
 * changes from several connections at once, while shards are folded, end with every rollup equal
 * to a recount of the rows themselves (on PostgreSQL the writers really overlap; the embedded
 * database runs them one at a time).
 */
let t: TestDb;

beforeAll(async () => {
  t = await createTestDb();
}, 60_000);

afterAll(async () => {
  await t?.close();
});

const WRITERS = 6;
const EVENTS_PER_WRITER = 60;

async function writer(w: number, sourceIds: string[]): Promise<void> {
  for (let i = 0; i < EVENTS_PER_WRITER; i += 10) {
    const ids = Array.from({ length: 10 }, (_, k) => `evt_c_${w}_${i + k}`);
    await t.db.$executeRawUnsafe(
      `INSERT INTO "WebhookEvent" ("id", "sourceId", "webhookId", "type", "caseId", "entityKind", "entityId", "entityVersion", "occurredAt", "data", "status", "updatedAt")
       SELECT x.id, ($2::text[])[1 + (x.n % array_length($2::text[], 1))], 'msg_' || x.id, 'ticket.updated', 'CASE-C', 'ticket', 'TCK-' || x.id, 1, now(), '{}', 'received', now()
       FROM unnest($1::text[]) WITH ORDINALITY AS x(id, n)`,
      ids,
      sourceIds,
    );
    // Settle most of them, some through held first, in one statement like the refresh does.
    await t.db.$executeRawUnsafe(
      `UPDATE "WebhookEvent" SET "status" = CASE WHEN right("id", 1) IN ('1', '2') THEN 'held' ELSE 'applied' END::"EventStatus", "processedAt" = now()
       WHERE "id" = ANY($1::text[]) AND right("id", 1) <> '9'`,
      ids,
    );
    await t.db.$executeRawUnsafe(`UPDATE "WebhookEvent" SET "status" = 'applied' WHERE "id" = ANY($1::text[]) AND "status" = 'held' AND right("id", 1) = '1'`, ids);
  }
}

describe(`dashboard rollups under concurrent writers (${TEST_DB_KIND})`, () => {
  it("equal a recount of the events after overlapping inserts, status changes and folds", async () => {
    const sourceIds = (await t.db.source.findMany({ select: { id: true } })).map((s) => s.id);
    let folding = true;
    const folds = (async () => {
      let n = 0;
      while (folding) {
        n += await foldRollups(t.db, 50);
        await new Promise((r) => setTimeout(r, 5));
      }
      return n;
    })();
    await Promise.all(Array.from({ length: WRITERS }, (_, w) => writer(w, sourceIds)));
    folding = false;
    await folds;
    await foldRollups(t.db);

    const rollup = await t.db.$queryRawUnsafe<{ sourceId: string; received: number; applied: number; held: number; arrived: number; departed: number }[]>(
      `SELECT "sourceId", sum("received")::int AS "received", sum("applied")::int AS "applied", sum("held")::int AS "held",
         sum("arrived")::int AS "arrived", sum("departed")::int AS "departed"
       FROM "EventRollup" WHERE "width" = 3600 GROUP BY 1 ORDER BY 1`,
    );
    const recount = await t.db.$queryRawUnsafe<{ sourceId: string; received: number; applied: number; held: number }[]>(
      `SELECT "sourceId", count(*) FILTER (WHERE "status" = 'received')::int AS "received", count(*) FILTER (WHERE "status" = 'applied')::int AS "applied",
         count(*) FILTER (WHERE "status" = 'held')::int AS "held"
       FROM "WebhookEvent" GROUP BY 1 ORDER BY 1`,
    );
    expect(rollup.map(({ sourceId, received, applied, held }) => ({ sourceId, received, applied, held }))).toEqual(recount);
    const total = WRITERS * EVENTS_PER_WRITER;
    expect(rollup.reduce((n, r) => n + r.arrived, 0)).toBe(total);
    expect(rollup.reduce((n, r) => n + r.departed, 0)).toBe(total - WRITERS * (EVENTS_PER_WRITER / 10));
    const [latency] = await t.db.$queryRawUnsafe<{ direct: number; held: number }[]>(
      `SELECT COALESCE(sum("n") FILTER (WHERE "kind" = 'direct'), 0)::int AS "direct", COALESCE(sum("n") FILTER (WHERE "kind" = 'held'), 0)::int AS "held"
       FROM "LatencyRollup" WHERE "width" = 300`,
    );
    // Per batch of ten: seven applied at once, one applied after being held, one still held, one received.
    expect(latency).toEqual({ direct: (total / 10) * 7, held: total / 10 });
    const [shards] = await t.db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS "n" FROM "EventRollup" WHERE "shard" <> 0`);
    expect(shards!.n).toBe(0);
  }, 120_000);
});
