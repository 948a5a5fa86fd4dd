import "server-only";
import { createHash, randomUUID } from "node:crypto";
import { readdirSync, readFileSync, existsSync } from "node:fs";
import path from "node:path";
import type { Db } from "./client";

/**
 * Applies prisma/migrations in-process and keeps Prisma's `_prisma_migrations` bookkeeping
 * (same table, same SHA-256 checksums), so `prisma migrate deploy` agrees with what ran here.
 * Prisma's own migrate needs a native schema engine these machines cannot download.
 */
export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export function migrationsDir(): string {
  const candidates = [path.resolve(process.cwd(), "prisma/migrations")];
  for (const c of candidates) if (existsSync(c)) return c;
  throw new Error(`prisma/migrations not found from ${process.cwd()}`);
}

export function readMigrations(dir = migrationsDir()): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const buf = readFileSync(path.join(dir, name, "migration.sql"));
      return { name, sql: buf.toString("utf8"), checksum: createHash("sha256").update(buf).digest("hex") };
    });
}

const BOOKKEEPING = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
    "id" VARCHAR(36) PRIMARY KEY NOT NULL,
    "checksum" VARCHAR(64) NOT NULL,
    "finished_at" TIMESTAMPTZ,
    "migration_name" VARCHAR(255) NOT NULL,
    "logs" TEXT,
    "rolled_back_at" TIMESTAMPTZ,
    "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
    "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

/**
 * Split on semicolons that end a line, outside dollar-quoted bodies (functions and triggers keep
 * their own semicolons); whole-line comments outside such bodies are dropped.
 */
export function statements(sql: string): string[] {
  const out: string[] = [];
  let current: string[] = [];
  let quote: string | null = null;
  for (const line of sql.split(/\r?\n/)) {
    if (quote === null && /^\s*--/.test(line)) continue;
    current.push(line);
    for (const m of line.matchAll(/\$[A-Za-z_]*\$/g)) {
      if (quote === null) quote = m[0];
      else if (m[0] === quote) quote = null;
    }
    if (quote === null && /;\s*$/.test(line)) {
      out.push(current.join("\n").replace(/;\s*$/, "").trim());
      current = [];
    }
  }
  const rest = current.join("\n").trim();
  if (rest) out.push(rest);
  return out.filter(Boolean);
}

export async function migrate(db: Db, migrations = readMigrations()): Promise<string[]> {
  // One runner at a time across processes sharing a PostgreSQL server.
  return db.$transaction(
    async (tx) => {
      await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(727274001)`);
      await tx.$executeRawUnsafe(BOOKKEEPING);
      const rows = await tx.$queryRawUnsafe<{ migration_name: string; checksum: string; finished_at: Date | null }[]>(
        `SELECT migration_name, checksum, finished_at FROM "_prisma_migrations" WHERE rolled_back_at IS NULL`,
      );
      const done = new Map(rows.map((r) => [r.migration_name, r]));
      const applied: string[] = [];
      for (const m of migrations) {
        const prior = done.get(m.name);
        if (prior?.finished_at) {
          if (prior.checksum !== m.checksum) {
            throw new Error(`Migration ${m.name} was changed after it was applied (checksum differs).`);
          }
          continue;
        }
        if (prior) throw new Error(`Migration ${m.name} failed earlier; resolve it before starting.`);
        for (const stmt of statements(m.sql)) await tx.$executeRawUnsafe(stmt);
        await tx.$executeRawUnsafe(
          `INSERT INTO "_prisma_migrations" (id, checksum, finished_at, migration_name, applied_steps_count) VALUES ($1, $2, now(), $3, 1)`,
          randomUUID(),
          m.checksum,
          m.name,
        );
        applied.push(m.name);
      }
      return applied;
    },
    // Index builds and rollup back-fills over millions of rows take minutes, not seconds.
    { timeout: 1_800_000, maxWait: 60_000 },
  );
}
