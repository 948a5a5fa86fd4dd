import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, TEST_DB_KIND, type TestDb } from "../../dev/testing/test-db";
import { poolOf } from "./client";

/**
 * A connection the server drops while the app holds it between two statements (CI's outage test
 * once ended with "Connection terminated unexpectedly" as an unhandled error): pg emits it on the
 * checked-out client, where the pool does not listen, and an unheard 'error' ends the process.
 */
describe.skipIf(TEST_DB_KIND !== "postgres")("a connection dropped while checked out (postgres)", () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => {
    await t?.close();
  });

  it("is heard (no unhandled error) and the pool goes on with a fresh connection", async () => {
    const pool = poolOf(t.db)!;
    const client = await pool.connect();
    // Checked out: the pool's own idle listener is off; the app's must be on.
    expect(client.listenerCount("error")).toBeGreaterThan(0);
    const { rows } = await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid");
    const admin = new pg.Client({ connectionString: pool.options.connectionString });
    await admin.connect();
    const dropped = new Promise<Error>((resolve) => client.once("error", resolve));
    await admin.query("SELECT pg_terminate_backend($1)", [rows[0]!.pid]);
    await admin.end();
    expect(String(await dropped)).toMatch(/terminat/i);
    client.release(true);
    expect((await t.db.$queryRawUnsafe<{ one: number }[]>("SELECT 1 AS one"))[0]!.one).toBe(1);
  });
});
