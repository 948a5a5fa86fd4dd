import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { openDb, type DbHandle } from "../db/client";
import { migrate } from "../db/migrate";
import { SourceRegistry } from "../sources/registry";
import { ReferenceCache } from "../reference/load-reference";
import { seedReference } from "../reference/seed-reference";
import type { EngineContext } from "../refresh/engine-context";
import { ticket } from "../../dev/testing/events";
import { ingestAndDrain } from "../../dev/testing/ingest";
import { createPostgresDatabase, TEST_DB_KIND, TEST_SECRET_KEY } from "../../dev/testing/test-db";
import { readChanges, type FeedChangeItem } from "./read-changes";

/**
 * A consumer keeps its cursor while the app restarts (a new process: new handle, pools, appender),
 * including a change whose writer died between commit and its append: nothing missed, nothing twice.
 */
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function storage(): Promise<{ databaseUrl?: string; dataDir: string }> {
  if (TEST_DB_KIND === "postgres") {
    const created = await createPostgresDatabase();
    cleanups.push(created.drop);
    return { databaseUrl: created.url, dataDir: "memory://" };
  }
  const dir = mkdtempSync(path.join(tmpdir(), "feed-restart-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return { dataDir: dir };
}

async function start(where: { databaseUrl?: string; dataDir: string }): Promise<{ handle: DbHandle; ctx: EngineContext }> {
  const handle = await openDb(where);
  await migrate(handle.db);
  await seedReference(handle.db);
  return { handle, ctx: { db: handle.db, registry: new SourceRegistry(handle.db, { key: TEST_SECRET_KEY, envSecrets: {} }), reference: new ReferenceCache(handle.db) } };
}

const key = (c: FeedChangeItem) => `${c.caseId}@${c.version}`;

describe("the change feed across a restart", () => {
  it("the stored cursor resumes exactly where the consumer stopped", async () => {
    const where = await storage();
    const first = await start(where);
    await ingestAndDrain(first.ctx, ticket("RST-1", 1), ticket("RST-2", 1));
    await ingestAndDrain(first.ctx, ticket("RST-1", 2, { subject: "Second subject" }));
    const page = await readChanges(first.handle.db, { limit: 2, wait: 0 });
    expect(page.changes.map(key)).toEqual(["RST-1@1", "RST-2@1"]);
    // A change committed by a process that died before appending it.
    await first.handle.db.$executeRawUnsafe(`INSERT INTO "FeedChange" ("caseId", "version", "previousVersion", "summary") VALUES ('RST-DIED', 1, NULL, 'writer died')`);
    await first.handle.close();

    const second = await start(where);
    cleanups.push(() => second.handle.close());
    const rest = await readChanges(second.handle.db, { after: page.next, limit: 100, wait: 0 });
    expect(rest.changes.map(key)).toEqual(["RST-1@2", "RST-DIED@1"]);
    const whole = await readChanges(second.handle.db, { limit: 100, wait: 0 });
    expect(whole.changes).toEqual([...page.changes, ...rest.changes]);

    await ingestAndDrain(second.ctx, ticket("RST-2", 2, { subject: "After the restart" }));
    const after = await readChanges(second.handle.db, { after: rest.next, limit: 100, wait: 0 });
    expect(after.changes.map((c) => [c.caseId, c.version, c.previousVersion])).toEqual([["RST-2", 2, 1]]);
    expect(await readChanges(second.handle.db, { after: after.next, limit: 100, wait: 0 })).toEqual({ changes: [], next: after.next });
  }, 120_000);
});
