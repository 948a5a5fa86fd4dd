import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { openDb, type DbHandle } from "../../server/db/client";
import { migrate } from "../../server/db/migrate";
import { serverUrl } from "../../dev/testing/test-db";
import { seedScale, type ScaleSeedResult } from "./seed";

/** Bump when seeding changes: kept databases of an older format are seeded again. */
const SEED_FORMAT = 3;

export interface Size {
  cases: number;
  events: number;
}

export interface SeededTarget {
  kind: "postgres" | "pglite";
  label: string;
  seed: ScaleSeedResult;
  /** PostgreSQL: the database the run measures on; PGlite: its folder. */
  databaseUrl?: string;
  dataDir?: string;
  open(poolSize?: number): Promise<DbHandle>;
  /** Drops what the run made (a copy, or the throw-away seeded database). */
  cleanup(): Promise<void>;
}

export const sizeLabel = (cases: number) => (cases >= 1000 && cases % 1000 === 0 ? `${cases / 1000}k` : String(cases));

interface Marker {
  format: number;
  size: Size;
  seed: ScaleSeedResult;
}

const matches = (m: Marker | null, size: Size) => !!m && m.format === SEED_FORMAT && m.size.cases === size.cases && m.size.events === size.events;

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: serverUrl() });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const urlOf = (name: string) => {
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return url.toString();
};

async function seedInto(handle: DbHandle, size: Size, say: (m: string) => void): Promise<ScaleSeedResult> {
  try {
    return await seedScale(handle, { cases: size.cases, events: size.events, onProgress: say });
  } finally {
    await handle.close();
  }
}

/**
 * A seeded PostgreSQL database of `size`. With `keep`, `err_scale_<size>` is reused when a complete
 * seed of this format and size is there (its comment says so; it is written last), else seeded
 * anew, and the run works on a copy made from it (CREATE DATABASE ... TEMPLATE), so it stays as
 * seeded. Without `keep`, a throw-away database is seeded and dropped at the end.
 */
export async function postgresTarget(size: Size, keep: boolean, say: (m: string) => void): Promise<SeededTarget> {
  const label = sizeLabel(size.cases);
  const name = `err_scale_${label}`;
  const target = (dbName: string, seed: ScaleSeedResult, cleanup: () => Promise<void>): SeededTarget => ({
    kind: "postgres",
    label,
    seed,
    databaseUrl: urlOf(dbName),
    open: (poolSize = 10) => openDb({ databaseUrl: urlOf(dbName), poolSize }),
    cleanup,
  });
  const drop = (dbName: string) => () => admin(async (c) => void (await c.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`)));
  if (!keep) {
    const temp = `${name}_tmp_${Date.now().toString(36)}`;
    await admin((c) => c.query(`CREATE DATABASE "${temp}"`));
    say(`seeding ${temp}`);
    const seed = await seedInto(await openDb({ databaseUrl: urlOf(temp) }), size, say);
    return target(temp, seed, drop(temp));
  }
  const marker = await admin(async (c) => {
    const r = await c.query(`SELECT shobj_description(oid, 'pg_database') AS d FROM pg_database WHERE datname = $1`, [name]);
    try {
      return r.rows[0]?.d ? (JSON.parse(r.rows[0].d) as Marker) : null;
    } catch {
      return null;
    }
  });
  let seed: ScaleSeedResult;
  if (matches(marker, size)) {
    seed = marker!.seed;
    say(`reusing ${name} (seeded: ${seed.cases} cases, ${seed.events} events)`);
    await upToDate(await openDb({ databaseUrl: urlOf(name) }), say);
  } else {
    await drop(name)();
    await admin((c) => c.query(`CREATE DATABASE "${name}"`));
    say(`seeding ${name} (kept for later runs)`);
    seed = await seedInto(await openDb({ databaseUrl: urlOf(name) }), size, say);
    const m: Marker = { format: SEED_FORMAT, size, seed };
    await admin((c) => c.query(`COMMENT ON DATABASE "${name}" IS '${JSON.stringify(m).replace(/'/g, "''")}'`));
  }
  const copy = `${name}_run`;
  await drop(copy)();
  say(`copying ${name} to ${copy}`);
  await admin((c) => c.query(`CREATE DATABASE "${copy}" TEMPLATE "${name}" STRATEGY FILE_COPY`));
  return target(copy, seed, drop(copy));
}

/** A kept database seeded by an older build gets the migrations that came since (then fresh statistics). */
async function upToDate(handle: DbHandle, say: (m: string) => void): Promise<void> {
  try {
    const applied = await migrate(handle.db);
    if (applied.length) {
      say(`applied ${applied.join(", ")}`);
      await handle.db.$executeRawUnsafe("ANALYZE");
    }
  } finally {
    await handle.close();
  }
}

/** The same for PGlite: the kept folder is `<tmp>/err_scale_pglite_<size>`, copied for each run. */
export async function pgliteTarget(size: Size, keep: boolean, say: (m: string) => void): Promise<SeededTarget> {
  const label = sizeLabel(size.cases);
  const target = (dir: string, seed: ScaleSeedResult, cleanup: () => Promise<void>): SeededTarget => ({
    kind: "pglite",
    label,
    seed,
    dataDir: dir,
    open: () => openDb({ dataDir: dir }),
    cleanup,
  });
  const remove = (dir: string) => async () => rmSync(dir, { recursive: true, force: true });
  if (!keep) {
    const dir = mkdtempSync(path.join(tmpdir(), `err_scale_pglite_${label}_`));
    say(`seeding ${dir}`);
    const seed = await seedInto(await openDb({ dataDir: dir }), size, say);
    return target(dir, seed, remove(dir));
  }
  const kept = path.join(tmpdir(), `err_scale_pglite_${label}`);
  const markerFile = path.join(kept, "scale-seed.json");
  let marker: Marker | null = null;
  try {
    marker = existsSync(markerFile) ? (JSON.parse(readFileSync(markerFile, "utf8")) as Marker) : null;
  } catch {
    marker = null;
  }
  let seed: ScaleSeedResult;
  if (matches(marker, size)) {
    seed = marker!.seed;
    say(`reusing ${kept}`);
    await upToDate(await openDb({ dataDir: kept }), say);
  } else {
    rmSync(kept, { recursive: true, force: true });
    say(`seeding ${kept} (kept for later runs)`);
    seed = await seedInto(await openDb({ dataDir: kept }), size, say);
    writeFileSync(markerFile, JSON.stringify({ format: SEED_FORMAT, size, seed } satisfies Marker));
  }
  const copy = mkdtempSync(path.join(tmpdir(), `err_scale_pglite_${label}_run_`));
  cpSync(kept, copy, { recursive: true, filter: (src) => !src.endsWith("app.lock") && !src.endsWith("scale-seed.json") });
  return target(copy, seed, remove(copy));
}
