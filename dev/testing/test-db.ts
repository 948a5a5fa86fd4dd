import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
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

/**
 * Creates a database on the test server and returns its URL: empty, or a copy of `template` (a
 * database nobody is connected to). TEST_DB_PREFIX (default `err_test_`) starts its name, so runs
 * sharing a server can tell theirs apart.
 */
export async function createPostgresDatabase(template?: string): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const prefix = process.env.TEST_DB_PREFIX ?? "err_test_";
  if (!/^[a-z_][a-z0-9_]*$/.test(prefix)) throw new Error(`TEST_DB_PREFIX must be lower-case letters, digits and _: ${prefix}`);
  const name = `${prefix}${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl() });
  await admin.connect();
  await admin.query(template ? `CREATE DATABASE "${name}" TEMPLATE "${template}"` : `CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: serverUrl() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await c.end();
    },
  };
}

/**
 * The migrated and seeded database a Vitest run builds once (dev/testing/global-setup.ts) for
 * createTestDb to copy: on PostgreSQL a template database, on PGlite a dump of its data folder.
 * Set in the environment the test workers inherit; absent outside such a run (benchmarks).
 */
export type TestDbTemplate = { kind: "postgres"; database: string } | { kind: "pglite"; file: string };
export const TEST_DB_TEMPLATE_ENV = "ERR_TEST_DB_TEMPLATE";

function testDbTemplate(kind: "pglite" | "postgres"): TestDbTemplate | undefined {
  const raw = process.env[TEST_DB_TEMPLATE_ENV];
  const template = raw ? (JSON.parse(raw) as TestDbTemplate) : undefined;
  return template?.kind === kind ? template : undefined;
}

let pgliteTemplateData: Blob | undefined;

export async function createTestDb(opts: { kind?: "pglite" | "postgres"; envSecrets?: Record<string, string[]> } = {}): Promise<TestDb> {
  const kind = opts.kind ?? TEST_DB_KIND;
  const template = testDbTemplate(kind);
  let drop = async () => {};
  let databaseUrl: string | undefined;
  if (kind === "postgres") {
    const created = await createPostgresDatabase(template?.kind === "postgres" ? template.database : undefined);
    databaseUrl = created.url;
    drop = created.drop;
  }
  if (template?.kind === "pglite") pgliteTemplateData ??= new Blob([readFileSync(template.file)]);
  // The suite runs three test processes at once on two cores (scripts/test.mjs), where opening a
  // PostgreSQL connection has taken longer than the production default of one second (a CI run
  // failed a whole file's setup with pg's "timeout expired"). How fast an outage is noticed is
  // tested where it is the point (server/intake/outage.test.ts, server/lib/db-errors.test.ts).
  const handle = await openDb({ databaseUrl, dataDir: "memory://", initialData: template?.kind === "pglite" ? pgliteTemplateData : undefined, connectTimeoutMs: 10_000 });
  if (!template) {
    await migrate(handle.db);
    await seedReference(handle.db);
  }
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
