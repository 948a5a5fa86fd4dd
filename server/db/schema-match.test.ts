import { readFileSync, mkdtempSync, mkdirSync, writeFileSync, cpSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb, type DbHandle } from "./client";
import { migrate, readMigrations } from "./migrate";
import { diffSchema } from "./schema-diff";
import { createPostgresDatabase, TEST_DB_KIND } from "../../dev/testing/test-db";

async function freshDb(): Promise<{ handle: DbHandle; drop: () => Promise<void> }> {
  if (TEST_DB_KIND === "postgres") {
    const created = await createPostgresDatabase();
    return { handle: await openDb({ databaseUrl: created.url, poolSize: 2 }), drop: created.drop };
  }
  return { handle: await openDb({ dataDir: "memory://" }), drop: async () => {} };
}

describe(`migrated database matches schema.prisma (${TEST_DB_KIND})`, () => {
  let db: { handle: DbHandle; drop: () => Promise<void> };
  beforeAll(async () => {
    db = await freshDb();
    await migrate(db.handle.db);
  });
  afterAll(async () => {
    await db.handle.close();
    await db.drop();
  });

  it("has every model, column, type, nullability, default, enum, index and foreign key", async () => {
    expect(await diffSchema(db.handle.db)).toEqual([]);
  });

  it("keeps Prisma's _prisma_migrations bookkeeping with SHA-256 checksums of the files", async () => {
    const rows = await db.handle.db.$queryRawUnsafe<{ migration_name: string; checksum: string; finished_at: Date | null }[]>(
      `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" ORDER BY migration_name`,
    );
    expect(rows.map((r) => [r.migration_name, r.checksum])).toEqual(readMigrations().map((m) => [m.name, m.checksum]));
    expect(rows.every((r) => r.finished_at)).toBe(true);
  });

  it("is idempotent: a second run applies nothing", async () => {
    expect(await migrate(db.handle.db)).toEqual([]);
  });
});

describe(`the comparison catches a migration that drifted from schema.prisma (${TEST_DB_KIND})`, () => {
  it("reports a column dropped from the migration", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "mig-"));
    cpSync(path.resolve("prisma/migrations"), dir, { recursive: true });
    const first = readMigrations(dir)[0]!;
    const file = path.join(dir, first.name, "migration.sql");
    const sql = readFileSync(file, "utf8");
    const mutated = sql.replace(/\n\s*"hint" TEXT NOT NULL,/, "");
    expect(mutated).not.toEqual(sql);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, mutated);
    const db = await freshDb();
    try {
      await migrate(db.handle.db, readMigrations(dir));
      const problems = await diffSchema(db.handle.db);
      expect(problems).toContain(`SourceSecret.hint: column "SourceSecret"."hint" is missing`);
    } finally {
      await db.handle.close();
      await db.drop();
    }
  });

  it("reports a changed nullability and a missing index", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "mig-"));
    cpSync(path.resolve("prisma/migrations"), dir, { recursive: true });
    const first = readMigrations(dir)[0]!;
    const file = path.join(dir, first.name, "migration.sql");
    const sql = readFileSync(file, "utf8")
      .replace(`"summary" TEXT NOT NULL,`, `"summary" TEXT,`)
      .replace(/CREATE UNIQUE INDEX "RecordVersion_caseId_isCurrent_key"[^\n]*\n/, "");
    writeFileSync(file, sql);
    const db = await freshDb();
    try {
      await migrate(db.handle.db, readMigrations(dir));
      const problems = await diffSchema(db.handle.db);
      expect(problems).toContain("RecordVersion.summary: expected NOT NULL, found nullable");
      expect(problems).toContain("RecordVersion unique index (caseId, isCurrent) is missing");
    } finally {
      await db.handle.close();
      await db.drop();
    }
  });
});
