import type { Db } from "../db/client";
import { newId } from "../lib/ids";
import { log } from "../lib/log";

/**
 * Load shedding for webhook intake: at most `limit` deliveries are worked on at once (from the
 * moment their headers arrive until they are answered). One more is answered 503 with Retry-After
 * at once, before its body is read, so an offered load beyond capacity costs a few microseconds per
 * refused delivery instead of a growing queue of waiting requests (on the embedded database at
 * 1,000 events/s that queue grew past 1 GB and acknowledgements took 18-39 s).
 *
 * Sizing (server/env.ts, INTAKE_MAX_IN_FLIGHT): deliveries in flight = throughput × time each one
 * waits. Measured capacity is about 1,000-1,800 accepted/s on PostgreSQL and about 600/s embedded
 * (README, Performance); 128 in flight on PostgreSQL and 32 embedded keep the queueing delay at
 * capacity below about 100 ms and 60 ms, while the benchmarks' 32 concurrent senders are never shed.
 */
export const OVERLOAD_RETRY_AFTER_SECONDS = 1;
export const OVERLOAD_MESSAGE = "the server is over its intake capacity; nothing was stored, deliver again after the Retry-After delay";

export function defaultIntakeLimit(kind: "postgres" | "pglite"): number {
  return kind === "postgres" ? 128 : 32;
}

/**
 * Counting deliveries in flight misses one queue: requests the process has not even parsed yet
 * because its event loop is busy (the embedded database runs in the app's own thread, so a slow
 * query stalls everything). When the loop falls more than `maxLagMs` behind, the deliveries it
 * reaches have already waited about that long, and new ones are refused too until it catches up.
 */
export const DEFAULT_MAX_LAG_MS = 1_000;
const LAG_SAMPLE_MS = 100;

export class IntakeGate {
  private inFlight = 0;
  /** Deliveries refused since start (for benchmarks and health). */
  shed = 0;
  /** How late the event loop was at its last sample. */
  private lagMs = 0;
  private timer: NodeJS.Timeout | null = null;

  /** `maxLagMs` 0: in-flight bound only. */
  constructor(
    readonly limit: number,
    readonly maxLagMs = 0,
  ) {
    if (maxLagMs > 0) {
      let last = performance.now();
      this.timer = setInterval(() => {
        const now = performance.now();
        this.lagMs = Math.max(0, now - last - LAG_SAMPLE_MS);
        last = now;
      }, LAG_SAMPLE_MS);
      this.timer.unref();
    }
  }

  /** Takes a place; false when all `limit` are taken or the event loop lags too far (the caller answers 503). */
  tryEnter(): boolean {
    if (this.inFlight >= this.limit || (this.maxLagMs > 0 && this.lagMs > this.maxLagMs)) {
      this.shed++;
      return false;
    }
    this.inFlight++;
    return true;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  leave(): void {
    this.inFlight--;
  }

  get current(): number {
    return this.inFlight;
  }
}

export interface RefusalEntry {
  sourceName: string;
  httpStatus: number;
  reason: string;
  webhookId: string | null;
  remoteAddr: string | null;
}

/**
 * The intake log's rows for 503 refusals. Written one row per delivery like every other refusal,
 * but batched (one INSERT a second): under overload a write per refused delivery would spend the
 * capacity the refusals are meant to protect, and while the database is away nothing can be
 * written, so rows wait here (bounded) until it returns. Beyond `max` waiting rows, refusals are
 * only counted and the count is logged.
 */
export class RefusalLog {
  private pending: (RefusalEntry & { id: string; createdAt: Date })[] = [];
  private dropped = 0;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly opts: { max?: number; flushMs?: number } = {},
  ) {}

  add(entry: RefusalEntry): void {
    if (this.pending.length >= (this.opts.max ?? 5_000)) {
      this.dropped++;
    } else {
      const clip = (s: string | null, n: number) => (s === null ? null : s.slice(0, n));
      this.pending.push({
        ...entry,
        sourceName: entry.sourceName.slice(0, 200),
        webhookId: clip(entry.webhookId, 200),
        remoteAddr: clip(entry.remoteAddr, 100),
        id: newId("ref"),
        createdAt: new Date(),
      });
    }
    if (this.closed) return;
    this.timer ??= setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.opts.flushMs ?? 1_000);
    this.timer.unref?.();
  }

  /** Writes what waits; on failure it stays for the next attempt. */
  flush(): Promise<void> {
    this.flushing ??= (async () => {
      try {
        while (this.pending.length) {
          const batch = this.pending.slice(0, 1_000);
          await this.db.refusal.createMany({ data: batch, skipDuplicates: true });
          this.pending.splice(0, batch.length);
        }
        if (this.dropped) {
          log.warn({ refused: this.dropped }, "503 refusals beyond the intake log's buffer were counted but not listed");
          this.dropped = 0;
        }
      } catch {
        // the database is away (or busy): try again later
        if (this.closed) return;
        this.timer ??= setTimeout(() => {
          this.timer = null;
          void this.flush();
        }, 2_000);
        this.timer.unref?.();
      } finally {
        this.flushing = null;
      }
    })();
    return this.flushing;
  }

  /** Stops the timers; a last `flush` may follow. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
