import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, TEST_DB_KIND, type TestDb } from "../../../dev/testing/test-db";

/**
 * The rollup upserts run inside triggers for every delivery stored and every event settled. A
 * SQL-language function that writes is planned again on every call (PostgreSQL cannot inline it);
 * as SQL functions they were most of intake's database time. PL/pgSQL keeps the plan per session
 * (migration 20261205100000_rollup_upserts_plpgsql).
 */
describe(`database functions (${TEST_DB_KIND})`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => {
    await t.close();
  });

  it("no function of ours that writes is written in SQL (planned on every call)", async () => {
    const rows = await t.db.$queryRawUnsafe<{ name: string; language: string; body: string }[]>(
      `SELECT p.proname AS "name", l.lanname AS "language", p.prosrc AS "body"
       FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang JOIN pg_namespace n ON n.oid = p.pronamespace
       WHERE n.nspname = 'public'`,
    );
    const names = rows.map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(["metrics_event_upsert", "metrics_latency_upsert"]));
    const writingSql = rows.filter((r) => r.language === "sql" && /\b(INSERT|UPDATE|DELETE)\b/i.test(r.body)).map((r) => r.name);
    expect(writingSql).toEqual([]);
  });
});
