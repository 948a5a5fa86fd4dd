import { BurstyRateLimiter, RateLimiterMemory, RateLimiterPostgres, RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import pg from "pg";
import { log } from "../lib/log";

/**
 * Per-source token limits: `perSec` sustained, up to `burst` in a second drawn from a burst
 * allowance. Embedded, the counters live in memory (one process); on PostgreSQL they live in the
 * database so every app process shares them.
 */
export interface RateLimitVerdict {
  allowed: boolean;
  retryAfterSeconds: number;
}

export class SourceRateLimiter {
  private limiters = new Map<string, { key: string; limiter: BurstyRateLimiter }>();
  private pool: pg.Pool | null;

  constructor(databaseUrl?: string) {
    this.pool = databaseUrl ? new pg.Pool({ connectionString: databaseUrl, max: 4 }) : null;
    // An idle connection dropped by the server must not become an unhandled error that ends the process.
    this.pool?.on("error", (err) => log.warn({ err }, "rate-limit pool connection lost"));
  }

  private build(name: string, perSec: number, burst: number): BurstyRateLimiter {
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
    return new BurstyRateLimiter(make(perSec, 1, "rl"), make(Math.max(1, burstPoints), 10, "rlb"));
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

  async consume(name: string, perSec: number, burst: number): Promise<RateLimitVerdict> {
    await this.ensureTable();
    const key = `${perSec}/${burst}`;
    let entry = this.limiters.get(name);
    if (!entry || entry.key !== key) {
      entry = { key, limiter: this.build(name, perSec, burst) };
      this.limiters.set(name, entry);
    }
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

  async close(): Promise<void> {
    await this.pool?.end();
  }
}
