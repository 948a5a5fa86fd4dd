import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundle, ticket } from "../../dev/testing/events";
import { ingest, ingestAndDrain } from "../../dev/testing/ingest";
import { createTestDb, TEST_DB_KIND, type TestDb } from "../../dev/testing/test-db";
import { readCaseContext } from "../refresh/sql/case-context";
import { lockAndEnsureCase } from "../refresh/sql/lock-and-ensure-case";
import { caseLockKey } from "../refresh/sql/lock-case";
import { drain } from "../refresh/process-events";
import { runCommand, runQuery } from "./direct-sql";

/** Every statement sent through pg while `fn` runs: its text, the client it went on, and whether Prisma's adapter sent it (array rows). */
async function recordClients<T>(fn: () => Promise<T>): Promise<{ text: string; client: unknown; viaPrisma: boolean }[]> {
  const sent: { text: string; client: unknown; viaPrisma: boolean }[] = [];
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...args: unknown[]) {
    const q = args[0] as string | { text?: string; rowMode?: string };
    sent.push({ text: typeof q === "string" ? q : (q.text ?? ""), client: this, viaPrisma: typeof q !== "string" && q.rowMode === "array" });
    return original.apply(this, args);
  };
  try {
    await fn();
  } finally {
    proto.query = original;
  }
  return sent;
}

describe(`direct statements (${TEST_DB_KIND})`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => {
    await t.close();
  });

  it("give the rows and counts Prisma's raw queries give", async () => {
    await ingestAndDrain(t, ticket("DIRECT-1", 1, { notes: [{ id: "N1", author: "agent", at: "2026-11-27T02:10:00Z", body: "first" }] }), bundle("DIRECT-1", "BND-DIRECT-1", 1));
    await ingest(t, ticket("DIRECT-1", 2, { subject: "second" }));
    const params = ["DIRECT-1", []] as [string, string[]];
    const direct = await runQuery(t.db, readCaseContext.sql, params);
    const viaPrisma = await t.db.$queryRawUnsafe<unknown[]>(readCaseContext.sql, ...params);
    expect(direct).toEqual(viaPrisma);
    expect(direct).toHaveLength(1);
    // Parameters as Prisma converts them: a Date as ISO text, an object as JSON, arrays element by element.
    const at = new Date("2026-01-02T03:04:05.678Z");
    const sql = `SELECT $1::timestamp::text AS "at", $2::jsonb->>'k' AS "k", array_length($3::text[], 1) AS "n", $4::int AS "i"`;
    const values = [at, { k: "v" }, ["a", "b"], 7];
    expect(await runQuery(t.db, sql, values)).toEqual(await t.db.$queryRawUnsafe(sql, ...values));
    expect(await runQuery(t.db, sql, values)).toEqual([{ at: "2026-01-02 03:04:05.678", k: "v", n: 2, i: 7 }]);
    const update = `UPDATE "Case" SET "updatedAt" = now() WHERE "id" = ANY($1::text[])`;
    expect(await runCommand(t.db, update, [["DIRECT-1", "NO-SUCH"]])).toBe(await t.db.$executeRawUnsafe(update, ["DIRECT-1", "NO-SUCH"]));
    await drain(t);
  });

  it.runIf(TEST_DB_KIND === "postgres")("on PostgreSQL, a refresh's own statements run on its transaction's connection, not through Prisma's layer", async () => {
    await ingest(t, ticket("DIRECT-2", 1));
    const sent = await recordClients(() => drain(t));
    const begins = sent.filter((s) => s.text === "BEGIN");
    const contextRead = sent.find((s) => s.text === readCaseContext.sql);
    const lock = sent.find((s) => s.text === lockAndEnsureCase.sql);
    expect(begins.length).toBeGreaterThan(0);
    expect(contextRead?.viaPrisma).toBe(false);
    expect(lock?.viaPrisma).toBe(false);
    // On the connection that began the transaction: its snapshot, its locks, its rollback.
    const txClients = new Set(begins.map((b) => b.client));
    expect(txClients.has(contextRead!.client)).toBe(true);
    expect(contextRead!.client).toBe(lock!.client);
    const writes = sent.filter((s) => s.text.startsWith("WITH w0 AS"));
    expect(writes.length).toBeGreaterThan(0);
    expect(writes.every((s) => !s.viaPrisma && txClients.has(s.client))).toBe(true);
  });

  it("go through Prisma inside a transaction that was not started for them, and still run in it", async () => {
    await ingestAndDrain(t, ticket("DIRECT-3", 1));
    const sent = await recordClients(() =>
      t.db.$transaction(async (tx) => {
        await lockAndEnsureCase(tx, [caseLockKey("DIRECT-3"), "DIRECT-3"]);
        return readCaseContext(tx, ["DIRECT-3", []]);
      }),
    );
    if (TEST_DB_KIND === "postgres") {
      const ours = sent.filter((s) => s.text === lockAndEnsureCase.sql || s.text === readCaseContext.sql);
      expect(ours).toHaveLength(2);
      expect(ours.every((s) => s.viaPrisma)).toBe(true);
      expect(ours[0]!.client).toBe(sent.find((s) => s.text === "BEGIN")!.client);
    } else {
      expect(sent).toEqual([]);
    }
  });
});
