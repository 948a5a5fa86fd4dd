import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb, type DbHandle } from "../db/client";
import { SourceRegistry } from "../sources/registry";
import { newId } from "../lib/ids";
import { ReferenceCache } from "../reference/load-reference";
import { bundle, entitlement, incident, ticket } from "../../dev/testing/events";
import { ingest } from "../../dev/testing/ingest";
import { createTestDb, TEST_DB_KIND, TEST_SECRET_KEY, type TestDb } from "../../dev/testing/test-db";
import type { EngineContext } from "./engine-context";
import { drain, processBatch } from "./process-events";
import { refreshCase } from "./refresh-case";

/**
 * docs/domain.md: "Exactly one version of a case is current at any moment, under any concurrency" and
 * "refreshes of one case never interleave". On PostgreSQL two database handles stand for two
 * processes; PGlite is one connection, so there the same calls run concurrently in one process.
 */
let t: TestDb;
let second: DbHandle | null = null;
let other: EngineContext;

const CASES = Array.from({ length: 6 }, (_, i) => `CASE-K${i}`);

beforeAll(async () => {
  t = await createTestDb();
  if (t.databaseUrl) {
    second = await openDb({ databaseUrl: t.databaseUrl, poolSize: 10 });
    other = { db: second.db, registry: new SourceRegistry(second.db, { key: TEST_SECRET_KEY, envSecrets: {} }), reference: new ReferenceCache(second.db) };
  } else {
    other = t;
  }
});
afterAll(async () => {
  await second?.close();
  await t?.close();
});

async function currentCounts(): Promise<Map<string, number>> {
  const rows = await t.db.$queryRawUnsafe<{ caseId: string; current: number; flagged: number }[]>(
    `SELECT "caseId", count(*) FILTER (WHERE "status" = 'current')::int AS current, count(*) FILTER (WHERE "isCurrent")::int AS flagged
     FROM "RecordVersion" GROUP BY "caseId"`,
  );
  for (const r of rows) expect(r.flagged, r.caseId).toBe(r.current);
  return new Map(rows.map((r) => [r.caseId, r.current]));
}

describe(`one current version per case under concurrency (${TEST_DB_KIND}${TEST_DB_KIND === "postgres" ? ", two handles as two processes" : ", one embedded connection"})`, () => {
  it("concurrent processBatch and refreshCase calls of the same cases from two handles keep exactly one current version each", async () => {
    const ctxs = [t, other];
    let round = 0;
    for (let wave = 1; wave <= 4; wave++) {
      // A wave of changes to every case, then both "processes" race over the queue and the cases.
      for (const [i, caseId] of CASES.entries()) {
        await ingest(t, ticket(caseId, wave, { subject: `Wave ${wave} of ${caseId}`, accountId: `ACC-K${i % 2}` }));
        await ingest(t, bundle(caseId, `BND-K${i}-${wave}`, 1));
      }
      await ingest(t, entitlement("ACC-K0", wave, { contractId: `CTR-${wave}` }));
      await ingest(t, incident("INC-K", wave, { caseIds: CASES.slice(0, wave + 1), affectedAccounts: ["ACC-K0", "ACC-K1"], title: `Wave ${wave}` }));
      const racers: Promise<unknown>[] = [];
      // Half the batches also refresh their cases in parallel (a worker's REFRESH_CONCURRENCY).
      for (let k = 0; k < 4; k++) racers.push(processBatch(ctxs[k % 2]!, 3, { concurrency: k < 2 ? 4 : 1 }));
      for (const caseId of CASES) for (let k = 0; k < 3; k++) racers.push(refreshCase(ctxs[(k + round++) % 2]!, caseId));
      await Promise.all(racers);
      await Promise.all([drain(t, 5, { concurrency: 3 }), drain(other, 5)]);
      const counts = await currentCounts();
      for (const caseId of CASES) expect(counts.get(caseId), caseId).toBe(1);
    }
    // Every case ends at its newest state: a further refresh changes nothing.
    for (const caseId of CASES) {
      expect((await refreshCase(t, caseId)).outcome).toBe("no_change");
      const cur = await t.db.recordVersion.findFirstOrThrow({ where: { caseId, isCurrent: true }, select: { record: true } });
      expect((cur.record as { case: { subject: string } }).case.subject).toBe(`Wave 4 of ${caseId}`);
    }
    // Versions are unique per case and never repeat a record back to back (no refresh ran twice on one state).
    const repeats = await t.db.$queryRawUnsafe<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM "RecordVersion" a JOIN "RecordVersion" b ON a."caseId" = b."caseId" AND b."version" = a."version" + 1
       WHERE a."record" = b."record" AND a."status" <> 'held' AND b."status" <> 'held'`,
    );
    expect(repeats[0]!.n).toBe(0);
    const pending = await t.db.webhookEvent.count({ where: { status: "received" } });
    expect(pending).toBe(0);
  });

  it("the database itself refuses a second current version of a case", async () => {
    const caseId = CASES[0]!;
    const cur = await t.db.recordVersion.findFirstOrThrow({ where: { caseId, isCurrent: true } });
    const attempt = t.db.recordVersion.create({
      data: {
        id: newId("ver"),
        caseId,
        version: 9999,
        status: "current",
        isCurrent: true,
        record: cur.record as object,
        lineage: cur.lineage as object,
        summary: "a second current version",
        schemaVersion: cur.schemaVersion,
      },
    });
    await expect(attempt).rejects.toThrow(/Unique constraint|unique/i);
    expect((await currentCounts()).get(caseId)).toBe(1);
  });
});
