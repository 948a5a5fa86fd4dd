import type { DbHandle } from "../db/client";
import { log } from "../lib/log";
import { PollingLoop } from "../lib/polling-loop";
import { metrics } from "./metrics";

/**
 * Vacuum and analyze of the app's own tables when nothing else does them (docs/faults.md, "Table
 * upkeep"). Every refresh leaves dead row versions behind (the case's row, the event's status, the
 * superseded current version, the feed's pending rows); PostgreSQL's autovacuum removes them and
 * keeps the planner's statistics fresh. Where it is switched off (a CI-tuned server, a DBA's
 * choice) or does not exist (the embedded database runs PostgreSQL in single-user mode, where no
 * autovacuum runs), dead rows pile up: index look-ups by case walk ever more dead entries, the
 * working set outgrows the buffers, and refresh throughput falls with the age of the database.
 * Measured (bench:soak, PostgreSQL with autovacuum off, 70 webhooks/s): the backlog grew to
 * 13,179 events by minute 25 with the buffer-hit share at 76 %; one VACUUM ANALYZE brought it
 * to 5 events and 99.5 % within a minute.
 *
 * Mode (`DB_VACUUM`): `auto` (default) runs this loop on the embedded database and on a PostgreSQL
 * server whose `autovacuum` setting is off, and stays out of autovacuum's way otherwise; `on`
 * always; `off` never. The thresholds mirror autovacuum's defaults, a little tighter for dead rows.
 * Several processes share one PostgreSQL: a session advisory lock lets one vacuum at a time.
 */

export type VacuumMode = "auto" | "on" | "off";

export interface TableStats {
  table: string;
  live: number;
  dead: number;
  /** Rows inserted since the last vacuum (keeps the visibility map current for index-only scans). */
  insertedSinceVacuum: number;
  modifiedSinceAnalyze: number;
}

/** What a table needs: a vacuum, an analyze, both, or nothing. */
export interface TableAction {
  vacuum: boolean;
  analyze: boolean;
}

/**
 * How far past each of autovacuum's thresholds (threshold + scale factor × live rows; dead rows at
 * 10 %) a table is: above 1, due.
 */
function pastThresholds(s: TableStats): { dead: number; inserted: number; modified: number } {
  return {
    dead: s.dead / (50 + 0.1 * s.live),
    inserted: s.insertedSinceVacuum / (1_000 + 0.2 * s.live),
    modified: s.modifiedSinceAnalyze / (50 + 0.1 * s.live),
  };
}

/**
 * Autovacuum's rules, each decided on its own as autovacuum does: a vacuum when enough rows died or
 * were inserted, an analyze when enough changed since the last one. Null when the table needs neither.
 */
export function tableAction(s: TableStats): TableAction | null {
  const past = pastThresholds(s);
  const vacuum = past.dead > 1 || past.inserted > 1;
  const analyze = past.modified > 1;
  return vacuum || analyze ? { vacuum, analyze } : null;
}

/**
 * How far past its thresholds a table is (1 = at one): passes that take only some of the tables
 * due take the most overdue first, so a table due only an analyze (an insert-only log, no dead
 * rows) is not passed over forever by tables that keep gathering dead rows.
 */
export function overdue(s: TableStats): number {
  const past = pastThresholds(s);
  return Math.max(past.dead, past.inserted, past.modified);
}

// Live rows as autovacuum counts them: the catalog's estimate (pg_class.reltuples, kept by VACUUM,
// ANALYZE and CREATE INDEX, and copied with the database), not the statistics counters, which start
// at zero in a restored or copied database and would make a first pass vacuum every large table.
const STATS_SQL = `SELECT s.relname AS "table", GREATEST(c.reltuples, 0)::float8 AS "live", s.n_dead_tup::float8 AS "dead",
    s.n_ins_since_vacuum::float8 AS "insertedSinceVacuum", s.n_mod_since_analyze::float8 AS "modifiedSinceAnalyze"
  FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid WHERE s.schemaname = current_schema()`;

/** Advisory lock key of the upkeep (one process at a time on a shared PostgreSQL). */
const LOCK_KEY = 727274003;

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** One statement runner: a pooled PostgreSQL connection held for the pass, or the embedded database. */
interface Session {
  query<T>(sql: string): Promise<T[]>;
  release(): void;
}

async function openSession(handle: DbHandle): Promise<Session> {
  if (handle.pool) {
    const client = await handle.pool.connect();
    return {
      query: async <T>(sql: string) => (await client.query(sql)).rows as T[],
      release: () => client.release(),
    };
  }
  // Embedded: one connection, one process; Prisma passes statements through (VACUUM must run outside a transaction).
  return { query: <T>(sql: string) => handle.db.$queryRawUnsafe<T[]>(sql), release: () => {} };
}

/** Whether the upkeep should run for this database and mode. */
export async function upkeepWanted(handle: DbHandle, mode: VacuumMode): Promise<{ run: boolean; why: string }> {
  if (mode === "off") return { run: false, why: "DB_VACUUM=off" };
  if (mode === "on") return { run: true, why: "DB_VACUUM=on" };
  if (handle.kind === "pglite") return { run: true, why: "the embedded database has no autovacuum" };
  const [row] = await handle.db.$queryRawUnsafe<{ on: string }[]>(`SELECT current_setting('autovacuum') AS "on"`);
  return row?.on === "on" ? { run: false, why: "PostgreSQL's autovacuum is on" } : { run: true, why: "PostgreSQL's autovacuum is off" };
}

export interface UpkeepPass {
  /** False when another process held the upkeep lock (nothing was done). */
  ran: boolean;
  vacuumed: string[];
  analyzed: string[];
}

/** One pass: reads the tables' counters, vacuums or analyzes those past their threshold. */
export async function runTableUpkeep(handle: DbHandle, opts: { maxTables?: number } = {}): Promise<UpkeepPass> {
  const session = await openSession(handle);
  const out: UpkeepPass = { ran: false, vacuumed: [], analyzed: [] };
  let locked = false;
  try {
    if (handle.kind === "postgres") {
      const [lock] = await session.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(${LOCK_KEY}) AS "ok"`);
      if (!lock?.ok) return out;
      locked = true;
    }
    out.ran = true;
    const stats = await session.query<TableStats>(STATS_SQL);
    // The most overdue first: a pass that stops at maxTables has done the tables that need it most.
    // The counts arrive as numbers (float8 in STATS_SQL) on both databases.
    const due = stats
      .map((s) => ({ s, action: tableAction(s) }))
      .filter((d): d is { s: TableStats; action: TableAction } => d.action !== null)
      .sort((a, b) => overdue(b.s) - overdue(a.s))
      .slice(0, opts.maxTables ?? Infinity);
    // VACUUM and ANALYZE as two statements: on the embedded database each holds the app's one
    // thread while it runs, and the loop gets a turn between them (and between tables).
    const timed = async (table: string, kind: "vacuum" | "analyze", sql: string) => {
      const started = performance.now();
      await session.query(sql);
      metrics.upkeepSeconds.inc({ table, action: kind }, (performance.now() - started) / 1000);
    };
    for (const { s, action } of due) {
      if (action.vacuum) {
        await timed(s.table, "vacuum", `VACUUM ${quoteIdent(s.table)}`);
        out.vacuumed.push(s.table);
      }
      if (action.analyze) {
        await timed(s.table, "analyze", `ANALYZE ${quoteIdent(s.table)}`);
        out.analyzed.push(s.table);
      }
    }
    return out;
  } finally {
    if (locked) await session.query(`SELECT pg_advisory_unlock(${LOCK_KEY})`).catch(() => {});
    session.release();
  }
}

/**
 * The loop: a pass every `intervalMs` (default 30 s on PostgreSQL, a minute embedded) of at most
 * `maxTables` tables (embedded: one) once `upkeepWanted` says so; logs once why it runs or stays idle.
 */
export class TableUpkeep {
  private loop: PollingLoop | null = null;

  constructor(
    private readonly handle: DbHandle,
    private readonly opts: { mode?: VacuumMode; intervalMs?: number; maxTables?: number } = {},
  ) {}

  async start(): Promise<boolean> {
    const wanted = await upkeepWanted(this.handle, this.opts.mode ?? "auto");
    if (!wanted.run) {
      log.debug({ why: wanted.why }, "table upkeep left to the database");
      return false;
    }
    if (this.handle.kind === "postgres" && (this.opts.mode ?? "auto") === "auto") {
      log.warn({ why: wanted.why }, "PostgreSQL's autovacuum is off: the app vacuums and analyzes its own tables (DB_VACUUM, docs/faults.md)");
    } else {
      log.info({ why: wanted.why }, "table upkeep by the app");
    }
    // Embedded: every minute, one table a pass (the most overdue). Each statement
    // holds the app's one thread; a pass that took every table due at once stalled intake for the
    // sum of them (bench:soak at 50/s: 4.4-5 s in a minute after 25 minutes; docs/faults.md).
    const embedded = this.handle.kind === "pglite";
    const intervalMs = this.opts.intervalMs ?? (embedded ? 60_000 : 30_000);
    const maxTables = this.opts.maxTables ?? (embedded ? 1 : undefined);
    this.loop = new PollingLoop(
      async () => {
        const pass = await runTableUpkeep(this.handle, { maxTables });
        if (pass.vacuumed.length || pass.analyzed.length) log.debug(pass, "table upkeep pass");
        return false;
      },
      { name: "table upkeep", pollMs: intervalMs, backoffMs: 5_000, maxBackoffMs: 300_000, onError: (err) => log.warn({ err }, "table upkeep failed") },
    );
    this.loop.start();
    return true;
  }

  async stop(): Promise<void> {
    await this.loop?.stop();
  }
}
