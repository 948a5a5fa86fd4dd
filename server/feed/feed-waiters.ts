import type { Db } from "../db/client";
import { log } from "../lib/log";
import { appendIfPending } from "./append-changes";
import { FEED_START } from "./feed-cursor";
import { onFeedChange } from "./record-change";

/** Long-polls one process holds open at most; more are answered at once (empty). */
export const MAX_FEED_WAITERS = 200;
/** How often, while anyone waits, the process looks for changes other processes committed. */
export const FEED_PROBE_MS = 250;

/** The newest readable position, by a backward scan of FeedChange_position_key. */
const NEWEST_SQL = `SELECT f."position"::text AS "position" FROM "FeedChange" f WHERE f."position" IS NOT NULL ORDER BY f."position" DESC LIMIT 1`;

interface Waiter {
  from: bigint;
  wake: () => void;
}

/**
 * The long-polls of one database handle. While any wait, one probe (not one per request) reads the
 * newest readable position every FEED_PROBE_MS, and at once when an append in this process made
 * changes readable; it wakes exactly the waiters behind that position, which then read their page.
 * A change another process commits is seen within a probe interval, one from this process at once.
 */
export class FeedWaiters {
  private waiters = new Set<Waiter>();
  private timer: NodeJS.Timeout | null = null;
  private unsubscribe: (() => void) | null = null;
  private probing: Promise<void> | null = null;
  private probeAgain = false;

  constructor(
    private readonly db: Db,
    private readonly max = MAX_FEED_WAITERS,
    private readonly probeMs = FEED_PROBE_MS,
  ) {}

  get size(): number {
    return this.waiters.size;
  }

  /**
   * Resolves true when a change past `from` may be readable, when `ms` have passed, or on abort;
   * false at once when `max` requests already wait.
   */
  wait(from: bigint, ms: number, signal?: AbortSignal): Promise<boolean> {
    if (this.waiters.size >= this.max) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timeout);
        signal?.removeEventListener("abort", done);
        this.remove(waiter);
        resolve(true);
      };
      const waiter: Waiter = { from, wake: done };
      const timeout = setTimeout(done, ms);
      signal?.addEventListener("abort", done, { once: true });
      this.add(waiter);
    });
  }

  private add(w: Waiter) {
    this.waiters.add(w);
    if (this.timer) return;
    this.timer = setInterval(() => void this.probe(), this.probeMs);
    this.timer.unref();
    this.unsubscribe = onFeedChange(() => void this.probe());
  }

  private remove(w: Waiter) {
    this.waiters.delete(w);
    if (this.waiters.size || !this.timer) return;
    clearInterval(this.timer);
    this.timer = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** One probe at a time; a signal during a probe runs one more after it (its change may be newer). */
  private probe(): Promise<void> {
    if (this.probing) {
      this.probeAgain = true;
      return this.probing;
    }
    this.probing = (async () => {
      do {
        this.probeAgain = false;
        if (!this.waiters.size) break;
        try {
          // Rows another process committed but has not appended (it died, or is about to) get positions here.
          await appendIfPending(this.db);
          const rows = await this.db.$queryRawUnsafe<{ position: string }[]>(NEWEST_SQL);
          const newest = rows[0] ? BigInt(rows[0].position) : FEED_START;
          for (const w of [...this.waiters]) if (w.from < newest) w.wake();
        } catch (err) {
          // The waiters time out with an empty answer; their next request reports the outage.
          log.warn({ err }, "change feed probe failed");
        }
      } while (this.probeAgain);
    })().finally(() => {
      this.probing = null;
    });
    return this.probing;
  }
}

const handles = new WeakMap<Db, FeedWaiters>();

/** The process's waiters for a database handle (one probe per handle, however many routes ask). */
export function feedWaiters(db: Db): FeedWaiters {
  let w = handles.get(db);
  if (!w) handles.set(db, (w = new FeedWaiters(db)));
  return w;
}
