import type { Db, Tx } from "./client";
import { poolOf } from "./client";
import { statementName } from "./statement-names";
import { connectionOf } from "./tx-connection";

/**
 * Runs one raw statement straight through pg where it can (docs/architecture.md, "Direct
 * statements"): on PostgreSQL, outside a transaction on the pool under Prisma's adapter, and inside
 * a transaction started with `directTransaction` (server/db/tx-connection.ts) on that
 * transaction's connection; everywhere else (the embedded database, another transaction) through
 * Prisma's `$queryRawUnsafe` / `$executeRawUnsafe`, as before.
 *
 * The statements that come here return only text, JSON, booleans and 4-byte integers, which pg
 * and Prisma hand over alike (times leave the database as ISO text; server/db/direct-sql.test.ts
 * holds each of them to that on both paths). Parameters are converted as Prisma converts them: a
 * Date as ISO-8601 UTC text, a bigint as decimal text, an object as JSON text.
 */
export type Runner = Db | Tx;

function driverOf(db: Runner): { query: (q: { name?: string; text: string; values: unknown[] }) => Promise<{ rows: unknown[]; rowCount: number | null }> } | undefined {
  return connectionOf(db) ?? poolOf(db as Db);
}

function toDriver(v: unknown): unknown {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === "bigint") return v.toString();
  if (Array.isArray(v)) return v.map(toDriver);
  if (v !== null && typeof v === "object" && !Buffer.isBuffer(v)) return JSON.stringify(v);
  return v;
}

export async function runQuery<Row>(db: Runner, text: string, params: readonly unknown[]): Promise<Row[]> {
  const driver = driverOf(db);
  if (!driver) return db.$queryRawUnsafe<Row[]>(text, ...params);
  const result = await driver.query({ name: statementName({ sql: text }), text, values: params.map(toDriver) });
  return result.rows as Row[];
}

export async function runCommand(db: Runner, text: string, params: readonly unknown[]): Promise<number> {
  const driver = driverOf(db);
  if (!driver) return db.$executeRawUnsafe(text, ...params);
  const result = await driver.query({ name: statementName({ sql: text }), text, values: params.map(toDriver) });
  return result.rowCount ?? 0;
}
