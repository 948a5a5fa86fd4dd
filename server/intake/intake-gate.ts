import { createHash } from "node:crypto";
import { performance as perf } from "node:perf_hooks";
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
 * because its event loop is busy (the embedded database runs in the app's own thread, so its
 * queries take the loop itself; and answering thousands of refusals a second takes it too). That
 * queue forms in socket buffers and in the senders, where no count of the process sees it, and
 * every delivery behind it waits, accepted or not (bench:overload on PGlite: nothing refused, yet
 * acknowledgements 18-32 s late).
 *
 * Two signals guard it:
 * - **Loop utilisation** (the share of each 100 ms the loop was busy, Node's
 *   `eventLoopUtilization`): above `maxUtilisation` the loop cannot keep up with what arrives, so
 *   the gate admits fewer deliveries in the next 100 ms than it did in the last (×0.8), down to one;
 *   each refused delivery costs the loop a small fraction of an accepted one, so the loop gets
 *   headroom back, reads its sockets promptly and the hidden queue drains. Below it the admission
 *   rate grows again (×1.25 a tick) until it no longer binds. (Additive-increase would recover too
 *   slowly from a burst; multiplicative in both directions settles within a second either way.)
 * - **Lag** (how late a 100 ms timer fires): beyond `maxLagMs` a single stall (a slow query, a
 *   large page render) has already kept deliveries waiting that long; new ones are refused until
 *   the loop catches up.
 * `AdmissionControl` is the utilisation rule alone, without timers, so that tests can drive it.
 */
export const DEFAULT_MAX_LAG_MS = 1_000;
/** Default loop-utilisation bound of the production server (0.9); off elsewhere (see server/env.ts). */
export const DEFAULT_MAX_UTILISATION = 0.9;
const TICK_MS = 100;

export class AdmissionControl {
  /** Deliveries admitted per tick; Infinity while the loop has headroom. */
  perTick = Infinity;
  private admitted = 0;

  constructor(readonly maxUtilisation: number) {}

  /** End of a tick in which the loop was busy `utilisation` (0..1) of the time. */
  tick(utilisation: number): void {
    if (utilisation > this.maxUtilisation) {
      // Fewer than were admitted in the busy tick (and never more than the current bound).
      this.perTick = Math.max(1, Math.floor(Math.min(this.perTick, this.admitted) * 0.8));
    } else if (this.perTick !== Infinity) {
      const grown = Math.ceil(this.perTick * 1.25);
      // No longer binding: twice what the last tick admitted and still headroom.
      this.perTick = grown > 2 * Math.max(this.admitted, 1) ? Infinity : grown;
    }
    this.admitted = 0;
  }

  tryAdmit(): boolean {
    if (this.admitted >= this.perTick) return false;
    this.admitted++;
    return true;
  }
}

export interface IntakeGateOptions {
  /** Event-loop lag (ms) beyond which deliveries are refused; 0 turns it off. */
  maxLagMs?: number;
  /** Loop utilisation (0..1) beyond which admissions are cut; 0 turns it off. */
  maxUtilisation?: number;
}

export class IntakeGate {
  private inFlight = 0;
  /** Deliveries refused since start (for benchmarks and health). */
  shed = 0;
  /** How late the event loop was at its last sample. */
  private lagMs = 0;
  private timer: NodeJS.Timeout | null = null;
  readonly maxLagMs: number;
  readonly admission: AdmissionControl | null;

  constructor(
    readonly limit: number,
    opts: IntakeGateOptions = {},
  ) {
    this.maxLagMs = opts.maxLagMs ?? 0;
    this.admission = opts.maxUtilisation ? new AdmissionControl(opts.maxUtilisation) : null;
    if (this.maxLagMs > 0 || this.admission) {
      let last = performance.now();
      let elu = perf.eventLoopUtilization();
      this.timer = setInterval(() => {
        const now = performance.now();
        this.lagMs = Math.max(0, now - last - TICK_MS);
        last = now;
        if (this.admission) {
          const current = perf.eventLoopUtilization();
          this.admission.tick(perf.eventLoopUtilization(current, elu).utilization);
          elu = current;
        }
      }, TICK_MS);
      this.timer.unref();
    }
  }

  /** Takes a place; false when all `limit` are taken or the loop is saturated or lags too far (the caller answers 503). */
  tryEnter(): boolean {
    if (this.inFlight >= this.limit || (this.maxLagMs > 0 && this.lagMs > this.maxLagMs) || (this.admission && !this.admission.tryAdmit())) {
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
 * The row key of counted refusals: one row per (status, source, remote address, minute, reason)
 * (`Refusal.groupKey`; docs/api.md, "The intake log").
 */
export function refusalGroupKey(status: number, sourceName: string, remoteAddr: string | null, minute: number, reason: string): string {
  return createHash("sha256").update(JSON.stringify([status, sourceName, remoteAddr, minute, reason])).digest("base64url");
}

interface PendingGroup {
  id: string;
  sourceName: string;
  httpStatus: number;
  reason: string;
  webhookId: string | null;
  remoteAddr: string | null;
  groupKey: string;
  count: number;
  createdAt: Date;
  lastAt: Date;
}

/** One statement per flush: every waiting group added to its row's count (or a new row). */
const FLUSH_SQL = `INSERT INTO "Refusal" AS r ("id", "sourceName", "httpStatus", "reason", "webhookId", "remoteAddr", "groupKey", "count", "createdAt", "lastAt")
  SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::timestamp(3)[], $10::timestamp(3)[])
  ON CONFLICT ("groupKey") DO UPDATE SET "count" = r."count" + EXCLUDED."count", "lastAt" = GREATEST(r."lastAt", EXCLUDED."lastAt"), "webhookId" = EXCLUDED."webhookId"`;

/**
 * The intake log's rows for 503 refusals, counted like every other refusal (one row per status,
 * source, address, minute and reason, keeping the latest webhook id) and written once a second:
 * under overload a write per refused delivery would spend the capacity the refusals are meant to
 * protect, and while the database is away nothing can be written, so the counts wait here until it
 * returns. At most `max` groups wait (a few per sender and minute, so thousands of senders); beyond
 * that, refusals are only counted and the count is logged.
 */
export class RefusalLog {
  private pending = new Map<string, PendingGroup>();
  private dropped = 0;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private closed = false;

  constructor(
    private readonly db: Db,
    private readonly opts: { max?: number; flushMs?: number } = {},
  ) {}

  add(entry: RefusalEntry): void {
    const now = new Date();
    const sourceName = entry.sourceName.slice(0, 200);
    const remoteAddr = entry.remoteAddr === null ? null : entry.remoteAddr.slice(0, 100);
    const webhookId = entry.webhookId === null ? null : entry.webhookId.slice(0, 200);
    const key = refusalGroupKey(entry.httpStatus, sourceName, remoteAddr, Math.floor(now.getTime() / 60_000), entry.reason);
    const group = this.pending.get(key);
    if (group) {
      group.count++;
      group.lastAt = now;
      group.webhookId = webhookId ?? group.webhookId;
    } else if (this.pending.size >= (this.opts.max ?? 5_000)) {
      this.dropped++;
    } else {
      this.pending.set(key, { id: newId("ref"), sourceName, httpStatus: entry.httpStatus, reason: entry.reason, webhookId, remoteAddr, groupKey: key, count: 1, createdAt: now, lastAt: now });
    }
    if (this.closed) return;
    this.timer ??= setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.opts.flushMs ?? 1_000);
    this.timer.unref?.();
  }

  /** Refusals counted and not yet written (for tests and health). */
  get waiting(): number {
    let n = 0;
    for (const g of this.pending.values()) n += g.count;
    return n;
  }

  /** Writes what waits; on failure it stays for the next attempt. */
  flush(): Promise<void> {
    this.flushing ??= (async () => {
      try {
        while (this.pending.size) {
          const batch = [...this.pending.values()].slice(0, 1_000);
          const col = <K extends keyof PendingGroup>(k: K) => batch.map((g) => g[k]);
          const iso = (k: "createdAt" | "lastAt") => batch.map((g) => g[k].toISOString());
          const written = col("count");
          await this.db.$executeRawUnsafe(FLUSH_SQL, col("id"), col("sourceName"), col("httpStatus"), col("reason"), col("webhookId"), col("remoteAddr"), col("groupKey"), written, iso("createdAt"), iso("lastAt"));
          batch.forEach((g, i) => {
            // Counted again while the statement ran: the rest waits for the next batch, as a further increment.
            g.count -= written[i]!;
            if (g.count === 0) this.pending.delete(g.groupKey);
          });
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
