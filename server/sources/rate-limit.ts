import { BurstyRateLimiter, RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import pg from "pg";
import { log } from "../lib/log";

/**
 * Per-source token limits: `perSec` sustained, up to `burst` in a second drawn from a burst
 * allowance. Embedded, the counters live in memory (one process); on PostgreSQL they live in the
 * database so every app process shares them.
 *
 * On PostgreSQL a process does not write the shared counter for every delivery: it leases a
 * handful of tokens at once (a twentieth of the per-second limit, at most 50) and hands them out
 * locally until they are used up or the counter's one-second window ends, when the unused rest
 * lapses. Every admitted delivery was counted in the shared store first, so several processes
 * together never exceed the limit; near the limit a lease shrinks to what the counter has left.
 */
export interface RateLimitVerdict {
  allowed: boolean;
  retryAfterSeconds: number;
}

interface Lease {
  tokens: number;
  /** Local time at which the shared counter's window, and with it the lease, ends. */
  until: number;
  /** Points the shared counter had left after the lease was taken. */
  remaining: number;
}

export const MAX_LEASE = 50;

export function leaseSize(perSec: number): number {
  return Math.max(1, Math.min(MAX_LEASE, Math.floor(perSec / 20)));
}

interface SourceLimiter {
  key: string;
  limiter: BurstyRateLimiter | RateLimiterAbstract;
  lease: Lease | null;
  leasing: Promise<void> | null;
}

export class SourceRateLimiter {
  private limiters = new Map<string, SourceLimiter>();
  private pool: pg.Pool | null;

  private readonly ownsPool: boolean;

  /**
   * With PostgreSQL, the counters live in its database: pass the app's pool (DbHandle.pool) to
   * share its connections, or a connection string for a pool of the limiter's own. Without either,
   * counters are in memory.
   */
  constructor(database?: pg.Pool | string) {
    this.ownsPool = typeof database === "string";
    this.pool = typeof database === "string" ? new pg.Pool({ connectionString: database, max: 4 }) : (database ?? null);
    // An idle connection dropped by the server must not become an unhandled error that ends the process.
    if (this.ownsPool) this.pool?.on("error", (err) => log.warn({ err }, "rate-limit pool connection lost"));
  }


  private build(name: string, perSec: number, burst: number): BurstyRateLimiter | RateLimiterAbstract {
    const make = (points: number, duration: number, prefix: string): RateLimiterAbstract =>
      this.pool
        ? new RateLimiterPostgres({
            storeClient: this.pool,
            storeType: "pool",
            tableName: "rate_limit",
            points,
            duration,
            keyPrefix: `${prefix}:${name}`,
            tableCreated: true,
            inMemoryBlockOnConsumed: points,
            insuranceLimiter: new RateLimiterMemory({ points, duration }),
          })
        : new RateLimiterMemory({ points, duration, keyPrefix: `${prefix}:${name}` });
    const burstPoints = Math.max(0, burst - perSec);
    // A burst equal to the per-second limit means no allowance beyond it.
    return burstPoints > 0 ? new BurstyRateLimiter(make(perSec, 1, "rl"), make(burstPoints, 10, "rlb")) : make(perSec, 1, "rl");
  }

  private table: Promise<void> | null = null;

  /**
   * The counters' table, created once under an advisory lock: left to the library, every limiter
   * instance races CREATE TABLE IF NOT EXISTS, and concurrent creations fail in PostgreSQL.
   */
  private ensureTable(): Promise<void> {
    const pool = this.pool;
    if (!pool) return Promise.resolve();
    this.table ??= (async () => {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        await client.query("SELECT pg_advisory_xact_lock(727274002)");
        await client.query(`CREATE TABLE IF NOT EXISTS "rate_limit" (key varchar(255) PRIMARY KEY, points integer NOT NULL DEFAULT 0, expire bigint)`);
        await client.query("COMMIT");
      } catch (err) {
        await client.query("ROLLBACK").catch(() => {});
        throw err;
      } finally {
        client.release();
      }
    })().catch((err) => {
      this.table = null;
      throw err;
    });
    return this.table;
  }

  /**
   * Takes a token from this process's current lease without waiting; false when there is none (then
   * `consume` decides). Nearly every delivery on PostgreSQL is admitted here, without a promise.
   */
  takeLeased(name: string, perSec: number, burst: number): boolean {
    const entry = this.limiters.get(name);
    const lease = entry?.lease;
    if (!lease || entry.key !== `${perSec}/${burst}` || lease.tokens <= 0 || Date.now() >= lease.until) return false;
    lease.tokens--;
    return true;
  }

  async consume(name: string, perSec: number, burst: number): Promise<RateLimitVerdict> {
    await this.ensureTable();
    const key = `${perSec}/${burst}`;
    let entry = this.limiters.get(name);
    if (!entry || entry.key !== key) {
      entry = { key, limiter: this.build(name, perSec, burst), lease: null, leasing: null };
      this.limiters.set(name, entry);
    }
    if (!this.pool) return this.takeOne(entry, name);
    for (;;) {
      if (this.takeLeased(name, perSec, burst)) return { allowed: true, retryAfterSeconds: 0 };
      const lease = entry.lease;
      if (entry.leasing) {
        // Another delivery is already asking the shared counter; wait for its lease.
        await entry.leasing;
        continue;
      }
      const current = lease && Date.now() < lease.until ? lease : null;
      // Near the limit, ask only for what the counter still has, so a lease cannot waste it.
      const want = current ? Math.max(1, Math.min(leaseSize(perSec), current.remaining)) : leaseSize(perSec);
      let verdict: RateLimitVerdict | null = null;
      const target = entry;
      target.leasing = (async () => {
        try {
          const res = await target.limiter.consume(name, want);
          target.lease = { tokens: want, until: Date.now() + Math.min(1000, res?.msBeforeNext ?? 1000), remaining: res?.remainingPoints ?? 0 };
        } catch (err) {
          if (!(err instanceof RateLimiterRes)) throw err;
          if (want > 1) {
            // Fewer than `want` points were left: the next attempt asks for one.
            target.lease = { tokens: 0, until: Date.now() + Math.min(1000, err.msBeforeNext), remaining: 1 };
          } else {
            target.lease = null;
            verdict = { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(err.msBeforeNext / 1000)) };
          }
        }
      })().finally(() => (target.leasing = null));
      await target.leasing;
      if (verdict) return verdict;
    }
  }

  private async takeOne(entry: SourceLimiter, name: string): Promise<RateLimitVerdict> {
    try {
      await entry.limiter.consume(name, 1);
      return { allowed: true, retryAfterSeconds: 0 };
    } catch (err) {
      if (err instanceof RateLimiterRes) {
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(err.msBeforeNext / 1000)) };
      }
      throw err;
    }
  }

  /** Ends the limiter's own pool; a shared one belongs to its database handle. */
  async close(): Promise<void> {
    if (this.ownsPool) await this.pool?.end();
  }
}
