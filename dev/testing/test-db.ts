import { randomBytes } from "node:crypto";
import pg from "pg";
import { openDb, type DbHandle } from "../../server/db/client";
import { migrate } from "../../server/db/migrate";
import { SourceRateLimiter } from "../../server/sources/rate-limit";
import { SourceRegistry } from "../../server/sources/registry";
import { ReferenceCache } from "../../server/reference/load-reference";
import { seedReference } from "../../server/reference/seed-reference";
import type { EngineContext } from "../../server/refresh/engine-context";

/**
 * A fresh, migrated and seeded database for one test file: embedded PGlite by default, or a new
 * database on the PostgreSQL server of TEST_DATABASE_URL when TEST_DB=postgres.
 */
export const TEST_DB_KIND: "pglite" | "postgres" = process.env.TEST_DB === "postgres" ? "postgres" : "pglite";
export const TEST_SECRET_KEY = Buffer.alloc(32, 7);

export interface TestDb extends EngineContext {
  handle: DbHandle;
  limiter: SourceRateLimiter;
  databaseUrl?: string;
  close(): Promise<void>;
}

export function serverUrl(): string {
  return process.env.TEST_DATABASE_URL ?? "postgresql://root@127.0.0.1:5432/postgres";
}

/** Creates an empty database on the test server and returns its URL. TEST_DB_PREFIX (default `err_test_`) starts its name, so runs sharing a server can tell theirs apart. */
export async function createPostgresDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const prefix = process.env.TEST_DB_PREFIX ?? "err_test_";
  if (!/^[a-z_][a-z0-9_]*$/.test(prefix)) throw new Error(`TEST_DB_PREFIX must be lower-case letters, digits and _: ${prefix}`);
  const name = `${prefix}${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: serverUrl() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

export async function createTestDb(opts: { kind?: "pglite" | "postgres"; envSecrets?: Record<string, string[]> } = {}): Promise<TestDb> {
  const kind = opts.kind ?? TEST_DB_KIND;
  let drop = async () => {};
  let databaseUrl: string | undefined;
  if (kind === "postgres") {
    const created = await createPostgresDatabase();
    databaseUrl = created.url;
    drop = created.drop;
  }
  const handle = await openDb({ databaseUrl, dataDir: "memory://" });
  await migrate(handle.db);
  await seedReference(handle.db);
  const registry = new SourceRegistry(handle.db, { key: TEST_SECRET_KEY, envSecrets: opts.envSecrets ?? {} });
  const limiter = new SourceRateLimiter(handle.pool);
  return {
    handle,
    db: handle.db,
    registry,
    reference: new ReferenceCache(handle.db),
    limiter,
    databaseUrl,
    close: async () => {
      await limiter.close();
      await handle.close();
      await drop();
    },
  };
}
