import { poolOf, type Db } from "../db/client";
import { prepared } from "../db/statement-names";
import { log } from "../lib/log";
import { signalFeedChange } from "./record-change";

/**
 * Hands out feed positions to committed changes (see read-changes.ts for why positions are not
 * taken at insert time).
 *
 * An append is two statements in one transaction: the appenders' advisory lock, then one UPDATE
 * giving the oldest pending rows (by insert seq) the positions after the largest one given so far.
 * The UPDATE's snapshot is taken after the lock is granted, so it sees every earlier append, and it
 * commits before the next append can start: positions become visible as a gap-free prefix 1..n,
 * never out of order, whichever process appends. Rows of a transaction still running are not
 * seen; they get positions from a later append, after everything already handed out.
 */
const APPEND_LOCK = "feed:append";
const LOCK_SQL = prepared(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`);
const BATCH = 5_000;

/** Pending rows by FeedChange_pending_idx; the base by a backward scan of FeedChange_position_key. */
export const APPEND_SQL = prepared(`WITH pending AS (
       SELECT f."seq" FROM "FeedChange" f WHERE f."position" IS NULL ORDER BY f."seq" LIMIT $1
     ), numbered AS (
       SELECT p."seq", row_number() OVER (ORDER BY p."seq") AS n FROM pending p
     ), base AS (
       SELECT COALESCE((SELECT f."position" FROM "FeedChange" f WHERE f."position" IS NOT NULL ORDER BY f."position" DESC LIMIT 1), 0) AS p
     )
     UPDATE "FeedChange" f SET "position" = base.p + numbered.n FROM numbered, base WHERE f."seq" = numbered."seq"`);

export const PENDING_SQL = `SELECT EXISTS (SELECT 1 FROM "FeedChange" f WHERE f."position" IS NULL) AS "pending"`;

/**
 * On PostgreSQL the two statements go in one round trip with their BEGIN and COMMIT (a simple-query
 * string runs its statements one after another, each with its own snapshot, so the UPDATE still
 * sees every append committed before the lock was granted): appends follow every refresh that made
 * a version current, and four round trips each were a fifth of the refresh's own.
 */
const APPEND_ROUND_TRIP = `BEGIN; SELECT pg_advisory_xact_lock(hashtextextended('${APPEND_LOCK}', 0)); ${APPEND_SQL.replace("$1", String(BATCH))}; COMMIT`;

async function appendOnce(db: Db): Promise<number> {
  const pool = poolOf(db);
  let total = 0;
  for (;;) {
    let n: number;
    if (pool) {
      const client = await pool.connect();
      try {
        const results = (await client.query(APPEND_ROUND_TRIP)) as unknown as { rowCount: number | null }[];
        n = results[2]!.rowCount ?? 0;
        client.release();
      } catch (err) {
        // A failed statement leaves the connection inside an aborted transaction: it is not reused.
        client.release(true);
        throw err;
      }
    } else {
      [, n] = await db.$transaction([db.$executeRawUnsafe(LOCK_SQL, APPEND_LOCK), db.$executeRawUnsafe(APPEND_SQL, BATCH)]);
    }
    total += n;
    if (n < BATCH) return total;
  }
}

/**
 * One appender per database handle in this process: requests made while an append runs share the
 * one run that starts after it (their rows may have committed after the running one's snapshot).
 */
class FeedAppender {
  private running: Promise<void> | null = null;
  private queued: Promise<void> | null = null;

  constructor(private readonly db: Db) {}

  request(): Promise<void> {
    if (!this.running) {
      this.running = this.run().finally(() => {
        this.running = null;
      });
      return this.running;
    }
    this.queued ??= this.running
      .catch(() => {})
      .then(() => {
        this.queued = null;
        return this.request();
      });
    return this.queued;
  }

  private async run(): Promise<void> {
    if ((await appendOnce(this.db)) > 0) signalFeedChange();
  }
}

const appenders = new WeakMap<Db, FeedAppender>();

/** Positions every change committed before the call; resolves once they are readable. */
export function appendChanges(db: Db): Promise<void> {
  let a = appenders.get(db);
  if (!a) appenders.set(db, (a = new FeedAppender(db)));
  return a.request();
}

/**
 * After a refresh committed a change: the change is safe whatever happens here, so a failure is
 * logged, not thrown; the next read or long-poll probe of any process appends it (appendIfPending).
 * Refreshes do not wait for it: at most one append runs and one waits per handle, whatever the rate.
 */
export async function appendAfterCommit(db: Db): Promise<void> {
  try {
    await appendChanges(db);
  } catch (err) {
    log.warn({ err }, "change feed append failed; the next feed read appends");
  }
}

/** Appends only when rows wait (one cheap look-up otherwise): readers need not rely on the writer's process. */
export async function appendIfPending(db: Db): Promise<void> {
  const rows = await db.$queryRawUnsafe<{ pending: boolean }[]>(PENDING_SQL);
  if (rows[0]?.pending) await appendChanges(db);
}
