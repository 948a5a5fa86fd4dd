import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, TEST_DB_KIND, type TestDb } from "../../dev/testing/test-db";
import { metrics } from "./metrics";
import { overdue, runTableUpkeep, tableAction, upkeepWanted } from "./table-maintenance";

describe("tableAction (autovacuum's rules, dead rows at 10 %, vacuum and analyze decided apart)", () => {
  const none = { table: "t", live: 10_000, dead: 0, insertedSinceVacuum: 0, modifiedSinceAnalyze: 0 };
  it("vacuums past 50 + 10 % of the live rows dead", () => {
    expect(tableAction({ ...none, dead: 1_050 })).toBeNull();
    expect(tableAction({ ...none, dead: 1_051 })).toEqual({ vacuum: true, analyze: false });
  });
  it("vacuums a table that only grows (inserts past 1,000 + 20 %)", () => {
    expect(tableAction({ ...none, insertedSinceVacuum: 3_000 })).toBeNull();
    expect(tableAction({ ...none, insertedSinceVacuum: 3_001 })).toEqual({ vacuum: true, analyze: false });
  });
  it("analyzes past 50 + 10 % modified since the last analyze, both when both are due, and leaves a quiet table alone", () => {
    expect(tableAction({ ...none, modifiedSinceAnalyze: 1_050 })).toBeNull();
    expect(tableAction({ ...none, modifiedSinceAnalyze: 1_051 })).toEqual({ vacuum: false, analyze: true });
    expect(tableAction({ ...none, dead: 1_051, modifiedSinceAnalyze: 1_051 })).toEqual({ vacuum: true, analyze: true });
    expect(tableAction(none)).toBeNull();
  });
});

describe("overdue (which table a pass of one takes first)", () => {
  const none = { table: "t", live: 10_000, dead: 0, insertedSinceVacuum: 0, modifiedSinceAnalyze: 0 };
  it("is 1 at a threshold and ranks by how far past it, whichever threshold", () => {
    expect(overdue({ ...none, dead: 1_050 })).toBe(1);
    expect(overdue({ ...none, insertedSinceVacuum: 3_000 })).toBe(1);
    // An insert-only log due twice over for an analyze comes before a table just past its dead rows,
    // though the latter has more dead rows (ordering by dead rows starved such a table).
    const log = { ...none, modifiedSinceAnalyze: 2_100 };
    const churned = { ...none, dead: 1_200 };
    expect(overdue(log)).toBeGreaterThan(overdue(churned));
    expect(overdue(none)).toBe(0);
  });
});

describe(`table upkeep on ${TEST_DB_KIND}`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => {
    await t?.close();
  });

  const deadRows = async (table: string) => {
    const [row] = await t.db.$queryRawUnsafe<{ dead: number; vacuumed: boolean }[]>(
      `SELECT n_dead_tup::int AS "dead", (last_vacuum IS NOT NULL) AS "vacuumed" FROM pg_stat_user_tables WHERE relname = $1`,
      table,
    );
    return row!;
  };

  it("runs where the database does not vacuum: embedded always, PostgreSQL when its autovacuum is off; never when off", async () => {
    const wanted = await upkeepWanted(t.handle, "auto");
    if (TEST_DB_KIND === "pglite") expect(wanted.run).toBe(true);
    else {
      const [row] = await t.db.$queryRawUnsafe<{ on: string }[]>(`SELECT current_setting('autovacuum') AS "on"`);
      expect(wanted.run).toBe(row!.on === "off");
    }
    expect((await upkeepWanted(t.handle, "off")).run).toBe(false);
    expect((await upkeepWanted(t.handle, "on")).run).toBe(true);
  });

  it("vacuums a table with many dead rows, and a second pass leaves it alone", async () => {
    // 300 cases, each updated four times: 1,200 dead row versions against 300 live.
    await t.db.$executeRawUnsafe(`INSERT INTO "Case" ("id", "updatedAt") SELECT 'UPKEEP-' || g, now() FROM generate_series(1, 300) g`);
    for (let i = 0; i < 4; i++) await t.db.$executeRawUnsafe(`UPDATE "Case" SET "lastSummary" = 'pass ${i}' WHERE "id" LIKE 'UPKEEP-%'`);
    // A second table due as well, with fewer dead rows (300): a pass of one table must not take both.
    await t.db.$executeRawUnsafe(`INSERT INTO "MetricCounter" ("name", "shard", "value") SELECT 'upkeep.' || g, 0, 0 FROM generate_series(1, 100) g`);
    for (let i = 0; i < 3; i++) await t.db.$executeRawUnsafe(`UPDATE "MetricCounter" SET "value" = "value" + 1 WHERE "name" LIKE 'upkeep.%'`);
    // The statistics reach the shared counters when the writing session goes idle (at most about a second later).
    const timeSpent = async (action: string) =>
      (await metrics.upkeepSeconds.get()).values.find((v) => v.labels.table === "Case" && v.labels.action === action)?.value ?? 0;
    const [vacuumTimeBefore, analyzeTimeBefore] = [await timeSpent("vacuum"), await timeSpent("analyze")];
    let vacuumed: string[] = [];
    let analyzed: string[] = [];
    for (let i = 0; i < 40 && !vacuumed.includes("Case"); i++) {
      // One table a pass (the embedded default): the most overdue, and no other with it.
      const pass = await runTableUpkeep(t.handle, { maxTables: 1 });
      expect(pass.ran).toBe(true);
      expect(new Set([...pass.vacuumed, ...pass.analyzed]).size).toBeLessThanOrEqual(1);
      vacuumed = [...vacuumed, ...pass.vacuumed];
      analyzed = [...analyzed, ...pass.analyzed];
      if (!vacuumed.includes("Case")) await sleep(250);
    }
    expect(vacuumed).toContain("Case");
    // 1,500 rows changed against 300 live: due an analyze as well, run as its own statement, each timed.
    expect(analyzed).toContain("Case");
    expect(await timeSpent("vacuum")).toBeGreaterThan(vacuumTimeBefore);
    expect(await timeSpent("analyze")).toBeGreaterThan(analyzeTimeBefore);
    const after = await deadRows("Case");
    expect(after.vacuumed).toBe(true);
    expect(after.dead).toBeLessThan(50);
    expect((await runTableUpkeep(t.handle)).vacuumed).not.toContain("Case");
  });

  it.skipIf(TEST_DB_KIND !== "postgres")("lets one process vacuum at a time (another holding the upkeep lock: this pass does nothing)", async () => {
    const other = new pg.Client({ connectionString: t.databaseUrl });
    await other.connect();
    try {
      await other.query(`SELECT pg_advisory_lock(727274003)`);
      expect(await runTableUpkeep(t.handle)).toEqual({ ran: false, vacuumed: [], analyzed: [] });
      await other.query(`SELECT pg_advisory_unlock(727274003)`);
      expect((await runTableUpkeep(t.handle)).ran).toBe(true);
    } finally {
      await other.end();
    }
  });
});
