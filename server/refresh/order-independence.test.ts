import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ingest } from "../testing/ingest";
import { createTestDb, TEST_DB_KIND, type TestDb } from "../testing/test-db";
import { drain } from "./process-events";
import { scenarioArb, type Delivery } from "./test-event-sets";
import { currentRecords, resetEventTables } from "./test-support";

/**
 * SPEC.md: "any permutation and duplication of the same events gives the same final record".
 * Generated event sets span several cases and all five sources, with version gaps, stale versions
 * and re-deliveries. They are conflict-free (a held candidate legitimately depends on what was
 * current when it arrived), which the in-order fold checks.
 */
const RUNS = Number(process.env.PROPERTY_RUNS ?? 200);

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t?.close();
});

async function deliver(d: Delivery) {
  await ingest(t, d.event, d.webhookId);
}

describe(`order independence (${TEST_DB_KIND})`, () => {
  it(`${RUNS} generated event sets: every permutation with duplicates gives records identical to the in-order fold`, async () => {
    let sources = new Set<string>();
    await fc.assert(
      fc.asyncProperty(scenarioArb, async ({ deliveries, permuted, duplicates, drainAfter, batch }) => {
        // The in-order fold: every delivery in generated order (stale ones refused as they come), then refreshed.
        await resetEventTables(t.db);
        for (const d of deliveries) await deliver(d);
        await drain(t);
        const expected = await currentRecords(t.db);
        const open = await t.db.caseException.count({ where: { liveKey: { not: null } } });
        expect(open, "generated sets are conflict-free").toBe(0);
        for (const d of deliveries) sources.add(d.event.kind);

        // The same events permuted, some delivered twice, refreshed incrementally at random points in small batches.
        const order = [...permuted];
        for (const dup of duplicates) if (permuted.length) order.splice(dup.at % (order.length + 1), 0, permuted[dup.pick % permuted.length]!);
        await resetEventTables(t.db);
        for (const [i, d] of order.entries()) {
          await deliver(d);
          if (drainAfter[i % drainAfter.length]) await drain(t, batch);
        }
        await drain(t, batch);
        const actual = await currentRecords(t.db);
        expect([...actual.keys()]).toEqual([...expected.keys()]);
        for (const [caseId, record] of expected) expect(actual.get(caseId), caseId).toBe(record);
      }),
      { numRuns: RUNS, seed: process.env.PROPERTY_SEED ? Number(process.env.PROPERTY_SEED) : undefined, endOnFailure: true },
    );
    expect([...sources].sort()).toEqual(["diagnostics", "entitlement", "environment", "incident", "ticketing"]);
    sources = new Set();
  }, 900_000);
});
