import type pg from "pg";
import type { DbHandle } from "../../server/db/client";

/**
 * Plain SQL on either database for bulk work: on PostgreSQL one dedicated connection (so session
 * settings hold and nothing competes for the pool), on PGlite its one connection through Prisma.
 */
export interface SqlRunner {
  kind: DbHandle["kind"];
  exec(sql: string, ...params: unknown[]): Promise<number>;
  query<T>(sql: string, ...params: unknown[]): Promise<T[]>;
  release(): Promise<void>;
}

export async function sqlRunner(handle: DbHandle): Promise<SqlRunner> {
  if (handle.pool) {
    const client: pg.PoolClient = await handle.pool.connect();
    // Bulk loading: a lost last commit only means seeding again; sorts and index builds get memory.
    await client.query(`SET synchronous_commit = off; SET work_mem = '256MB'; SET maintenance_work_mem = '512MB'`);
    return {
      kind: handle.kind,
      exec: async (sql, ...params) => (await client.query(sql, params)).rowCount ?? 0,
      query: async <T>(sql: string, ...params: unknown[]) => (await client.query(sql, params)).rows as T[],
      release: async () => client.release(),
    };
  }
  return {
    kind: handle.kind,
    exec: (sql, ...params) => handle.db.$executeRawUnsafe(sql, ...params),
    query: <T>(sql: string, ...params: unknown[]) => handle.db.$queryRawUnsafe<T[]>(sql, ...params),
    release: async () => {},
  };
}

/** The database's clock as the text of a `timestamp(3)`, the type every time column has. */
export async function dbNow(sql: SqlRunner): Promise<string> {
  const [row] = await sql.query<{ t: string }>(`SELECT clock_timestamp()::timestamp(3)::text AS t`);
  return row!.t;
}

/** Milliseconds since the epoch of a `timestamp(3)` text read as UTC (the time zone of the app's columns). */
export const epochMs = (text: string) => Date.parse(text.replace(" ", "T") + "Z");
