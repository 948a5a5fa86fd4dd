import { rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { openDb } from "../../server/db/client";
import { migrate } from "../../server/db/migrate";
import { seedReference } from "../../server/reference/seed-reference";
import { createPostgresDatabase, TEST_DB_KIND, TEST_DB_TEMPLATE_ENV, type TestDbTemplate } from "./test-db";

/**
 * Vitest's global setup: one migrated and seeded database per run, which createTestDb copies for
 * each test file (dev/testing/test-db.ts). Running every migration and the reference seed once per
 * file was most of the suites' time, above all on PGlite, where a fresh database also runs initdb.
 * The migrations themselves still run from scratch on both databases: here, and in
 * server/db/schema-match.test.ts, which compares the result with schema.prisma.
 */
export default async function setup(): Promise<() => Promise<void>> {
  let template: TestDbTemplate;
  let remove: () => Promise<void>;
  if (TEST_DB_KIND === "postgres") {
    const created = await createPostgresDatabase();
    remove = created.drop;
    template = { kind: "postgres", database: created.name };
    const handle = await openDb({ databaseUrl: created.url, poolSize: 1 });
    try {
      await migrate(handle.db);
      await seedReference(handle.db);
    } finally {
      // CREATE DATABASE … TEMPLATE refuses a source anyone is connected to.
      await handle.close();
    }
  } else {
    const file = path.join(tmpdir(), `err-test-template-${process.pid}-${Date.now().toString(36)}.tar`);
    remove = async () => rmSync(file, { force: true });
    template = { kind: "pglite", file };
    const handle = await openDb({ dataDir: "memory://" });
    try {
      await migrate(handle.db);
      await seedReference(handle.db);
      writeFileSync(file, Buffer.from(await (await handle.dumpDataDir!()).arrayBuffer()));
    } finally {
      await handle.close();
    }
  }
  process.env[TEST_DB_TEMPLATE_ENV] = JSON.stringify(template);
  return async () => {
    delete process.env[TEST_DB_TEMPLATE_ENV];
    await remove();
  };
}
