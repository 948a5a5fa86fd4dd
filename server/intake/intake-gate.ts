import { createHash } from "node:crypto";
import { performance as nodePerformance } from "node:perf_hooks";
import type { Db } from "../db/client";
import { newId } from "../lib/ids";
import { log } from "../lib/log";
import { addressBucket } from "../lib/address-bucket";

/**
 * Load shedding for webhook intake: at most `limit` deliveries are worked on at once (from the
 * moment their headers arrive until they are answered). One more is answered 503 with Retry-After
 * at once, before its body is read, so an offered load beyond capacity costs a few microseconds per
 * refused delivery instead of a growing queue of waiting requests (on the embedded database at
 * 1,000 events/s that queue grew past 1 GB and acknowledgements took 18-39 s).
 *
 * Sizing (server/env.ts, INTAKE_MAX_IN_FLIGHT): deliveries in flight = throughput × time each one
 * waits (Little's law), so at capacity the bound is the queueing delay. Measured with
 * `npm run bench:overload` at twice the capacity (docs/faults.md): on PostgreSQL 128 in flight at
 * about 2,100 accepted/s meant some 60 ms each (25 % acknowledged within 25 ms by the server's own
 * clock). With the database restarted before each run (docs/performance.md, session 17), 32 gave a
 * sender's p99 of 38.5-42.3 ms in four runs (3,450-3,650 accepted/s), 24 gave 35.3 ms, 16 gave
 * 26.5-34.7 ms in four runs (2,290-3,180/s, about the closed-loop capacity of 2,311/s or more), 8 gave
 * 22.8 and 27.3 ms but only 1,700-1,900/s. Under a steady load 16 refused deliveries that 32 takes,
 * so PostgreSQL's bound is 32, and 16 while overloaded (`overloadedIntakeLimit`, `OverloadBound`). On the embedded database (about 1,300/s accepted
 * since its statements gather the deliveries of a turn) 32 let p99 reach 62 ms, 16 74 ms over a
 * minute, 8 gave 20-27 ms in three runs; 8 also sheds some of a sender's 32 concurrent deliveries at capacity.
 */
export const OVERLOAD_RETRY_AFTER_SECONDS = 1;
export const OVERLOAD_MESSAGE = "the server is over its intake capacity; nothing was stored, deliver again after the Retry-After delay";

export function defaultIntakeLimit(kind: "postgres" | "pglite"): number {
  return kind === "postgres" ? 32 : 8;
}

/**
 * The bound while intake is overloaded: on PostgreSQL half the configured bound, after any 100 ms
 * in which a delivery was refused (`OverloadBound`); the full bound again after 100 ms without a
 * refusal. The two numbers answer two loads. A steady load under the capacity has a few more in
 * flight now and then (a checkpoint, a slow statement): 16 refused 125 deliveries of a minute at
 * 1,000/s (`npm run bench:intake -- --db=postgres`) and let a sender with 32 in flight store about
 * half of what the reference intake does (0.49), where 32 refuses none. Twice the capacity for a
 * minute is a queue that never drains: there the bound is the queueing delay, and 16 gave a sender's
 * p99 of 26.5-34.7 ms where 32 gave 38.5-42.3 (docs/performance.md, session 17). The embedded
 * database keeps its 8 (its p99 at twice the capacity is already 17-20 ms).
 */
export function overloadedIntakeLimit(kind: "postgres" | "pglite", limit: number): number {
  return kind === "postgres" ? Math.max(1, Math.ceil(limit / 2)) : limit;
}

/**
 * The in-flight bound of the coming 100 ms: `overloaded` after a tick in which any delivery was
 * refused (for want of a place, by the admission control or for a stalled loop), `limit` after one
 * without. While overloaded, every `PROBE_TICKS`-th tick works to the full bound again: a sender that
 * ignores Retry-After and keeps between the two bounds in flight (a closed loop of 32 against 16)
 * would otherwise be refused in every tick and keep the bound at half for good (bench:overload's
 * capacity measurement stored 1,761/s that way, 4,276/s in the next run), where at the full bound it
 * is refused nothing. Without timers, so that tests can drive it.
 */
export const PROBE_TICKS = 20;
export class OverloadBound {
  current: number;
  private refused = 0;
  private overloadedTicks = 0;

  constructor(
    readonly limit: number,
    readonly overloaded: number = limit,
  ) {
    this.current = limit;
  }

  noteRefusal(): void {
    this.refused++;
  }

  /** End of a tick. */
  tick(): void {
    if (this.refused === 0) {
      this.current = this.limit;
      this.overloadedTicks = 0;
    } else {
      this.overloadedTicks++;
      this.current = this.overloadedTicks % PROBE_TICKS === 0 ? this.limit : this.overloaded;
    }
    this.refused = 0;
  }
}

/**
 * Counting deliveries in flight misses one queue: requests the process has not even parsed yet
 * because its event loop is busy (the embedded database runs its queries on that loop, so each
 * stored delivery takes the loop itself for milliseconds). That queue forms in socket buffers and
 * in the senders, where no count of the process sees it, and every delivery behind it waits,
 * accepted or not (bench:overload on PGlite at twice its capacity: nothing refused, as the loop
 * never held 32 deliveries at once, yet acknowledgements 18-32 s late).
 *
 * What the process can see is the loop's lag: how late a 100 ms timer fires is how long the loop
 * took to come round, so how long a request that arrived meanwhile has waited unread. Two rules use it:
 * - **Admission control** (`targetLagMs`): after a tick in which the loop lagged more than the
 *   target, the next tick admits 80 % of what the last one admitted (never fewer than
 *   `MIN_ADMITTED_PER_TICK`), paced over the tick (see `tryAdmit`), and
 *   refuses the rest; after a tick within the target, the bound grows by a quarter, and is lifted
 *   once it no longer binds. A refusal costs the loop a small fraction of a stored delivery, so the
 *   loop comes round sooner, reads its sockets and the hidden queue drains: the lag settles near
 *   the target, which bounds how long any delivery waits unread. A loop that is merely busy
 *   (a sender with 32 deliveries in flight at the process's capacity) does not lag beyond the
 *   target and is not cut; a loop saturated by cheap refusals does not lag either.
 * - **Stall** (`maxLagMs`): beyond it one stall (a slow query, a large page render) has already
 *   kept deliveries waiting that long; every new one is refused until the loop catches up.
 * `AdmissionControl` is the first rule alone, without timers, so that tests can drive it.
 */
export const DEFAULT_MAX_LAG_MS = 1_000;
/**
 * Default lag target of the production server's admission control; off elsewhere (see server/env.ts).
 * 10 ms: a request waits unread about as long as the loop lags, on top of its own work, so a 30 ms
 * target alone exceeded the 25 ms acknowledgement goal (bench:overload on PostgreSQL at twice the
 * capacity: p99 72 ms at 30, 51 ms at 10, with more accepted).
 */
export const DEFAULT_TARGET_LAG_MS = 10;
const TICK_MS = 100;
/** Share of a tick the loop must have been busy for its lateness to count as overload. */
export const BUSY_UTILIZATION = 0.8;

/**
 * The admission control never cuts below this many deliveries a tick (200 a second). Below it,
 * intake is too small a share of the loop for a cut to make the loop any sooner: at 70 deliveries a
 * second (about 14 ms of a second's loop on PostgreSQL) a refresh or a page render made a tick late
 * and busy now and then, and cutting the 7 deliveries of the next tick to 5 refused 16-156 a minute
 * (bench:soak, with the 80 % busy rule already in place) without shortening the lag at all. At
 * twice the capacity the steady cut is far above it (PostgreSQL about 280 a tick, PGlite about 100).
 */
export const MIN_ADMITTED_PER_TICK = 20;

export class AdmissionControl {
  /** Deliveries admitted per tick; Infinity while the loop keeps within the target. */
  perTick = Infinity;
  private admitted = 0;
  private tickStart: number;

  constructor(
    readonly targetLagMs: number,
    readonly minPerTick = MIN_ADMITTED_PER_TICK,
    /** Milliseconds on a monotonic clock (tests pass their own). */
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tickStart = now();
  }

  /**
   * End of a tick at whose end the loop was `lagMs` late, having been busy `utilization` of the tick
   * (0-1, Node's event-loop utilization). Only a loop that is late *and* busy is overloaded: one
   * long task (a refresh, a page render) makes a mostly idle loop late once, and cutting intake then
   * refused deliveries at a small fraction of capacity (bench:soak at 70/s with the refresh in the
   * same process: up to 212 a minute, 5 %, at the 10 ms target).
   */
  tick(lagMs: number, utilization = 1): void {
    if (lagMs > this.targetLagMs && utilization >= BUSY_UTILIZATION) {
      // Fewer than were admitted in the late tick (and never more than the current bound), down to the floor.
      this.perTick = Math.max(this.minPerTick, 1, Math.floor(Math.min(this.perTick, this.admitted) * 0.8));
    } else if (this.perTick !== Infinity) {
      const grown = Math.ceil(this.perTick * 1.25);
      // No longer binding: twice what the last tick admitted and still on time.
      this.perTick = grown > 2 * Math.max(this.admitted, 1) ? Infinity : grown;
    }
    this.admitted = 0;
    this.tickStart = this.now();
  }

  /**
   * While a cut holds, a tick's admissions are paced over the tick: by a share f of it, at most
   * f × perTick plus a tenth of perTick (and never fewer than the floor) have been admitted (what an early quiet spell leaves unused
   * can be taken later in the same tick). Admitting the first perTick of each tick instead let them
   * all in at its start, in a few long turns of the loop whose every delivery waited for the whole
   * turn, and refused everything for the rest of the tick.
   */
  tryAdmit(): boolean {
    if (this.perTick !== Infinity) {
      if (this.admitted >= this.perTick) return false;
      const share = Math.min(1, Math.max(0, this.now() - this.tickStart) / TICK_MS);
      // Never paced below the floor: a burst of a few deliveries read in one turn (after a refresh
      // held the loop) is not what makes the loop late, as MIN_ADMITTED_PER_TICK says.
      if (this.admitted >= Math.max(this.minPerTick, Math.ceil(this.perTick * (share + 0.1)))) return false;
    }
    this.admitted++;
    return true;
  }
}

export interface IntakeGateOptions {
  /** Event-loop lag (ms) beyond which every delivery is refused; 0 turns it off. */
  maxLagMs?: number;
  /** Event-loop lag (ms) the admission control keeps to; 0 turns it off. */
  targetLagMs?: number;
  /** The admission control's clock (milliseconds, monotonic); tests pass their own. */
  now?: () => number;
  /** The bound after a tick with a refusal (`OverloadBound`); default the bound itself. */
  overloadedLimit?: number;
  /**
   * Samples the loop every 100 ms on a timer of its own (the default). Tests turn it off and call
   * `sample()` themselves on the clock they pass as `now`: a timer on a loaded machine can be
   * descheduled between two samples, which a test on real time cannot tell from a recovered loop.
   */
  sampleTimer?: boolean;
}

/**
 * Why the gate refused a delivery (the `reason` label of escalation_intake_refused_total):
 * every place taken, the admission control's cut, or a stalled loop.
 */
export type ShedCause = "overload_in_flight" | "overload_admission" | "overload_stall";

export class IntakeGate {
  private inFlight = 0;
  /** Deliveries refused since start (for benchmarks and health). */
  shed = 0;
  /** Why the last refused delivery was refused (read right after `tryEnter` returned false). */
  lastCause: ShedCause = "overload_in_flight";
  /** How late the event loop was at its last sample. */
  private lagMs = 0;
  private timer: NodeJS.Timeout | null = null;
  readonly maxLagMs: number;
  readonly admission: AdmissionControl | null;
  /** The bound of the current 100 ms (`limit`, or less while overloaded). */
  readonly bound: OverloadBound;

  constructor(
    readonly limit: number,
    opts: IntakeGateOptions = {},
  ) {
    this.maxLagMs = opts.maxLagMs ?? 0;
    this.admission = opts.targetLagMs ? new AdmissionControl(opts.targetLagMs, MIN_ADMITTED_PER_TICK, opts.now) : null;
    this.bound = new OverloadBound(limit, Math.min(limit, opts.overloadedLimit ?? limit));
    this.clock = opts.now ?? (() => performance.now());
    this.lastSample = this.clock();
    this.elu = nodePerformance.eventLoopUtilization();
    if ((opts.sampleTimer ?? true) && (this.maxLagMs > 0 || this.admission || this.bound.overloaded < limit)) {
      this.timer = setInterval(() => this.sample(), TICK_MS);
      this.timer.unref();
    }
  }

  private readonly clock: () => number;
  private lastSample: number;
  private elu: ReturnType<typeof nodePerformance.eventLoopUtilization>;

  /**
   * One 100 ms tick: how late the loop was since the last sample (a timer meant to fire 100 ms
   * later), the admission control's tick with the loop's utilization over it, the bound's tick.
   */
  sample(): void {
    const now = this.clock();
    this.lagMs = Math.max(0, now - this.lastSample - TICK_MS);
    this.lastSample = now;
    const current = nodePerformance.eventLoopUtilization();
    this.admission?.tick(this.lagMs, nodePerformance.eventLoopUtilization(current, this.elu).utilization);
    this.elu = current;
    this.bound.tick();
  }

  /** Takes a place; false when all `limit` are taken, the admission control refuses, or the loop stalls (the caller answers 503). */
  tryEnter(): boolean {
    if (this.inFlight >= this.bound.current) return this.refuse("overload_in_flight");
    if (this.maxLagMs > 0 && this.lagMs > this.maxLagMs) return this.refuse("overload_stall");
    if (this.admission && !this.admission.tryAdmit()) return this.refuse("overload_admission");
    this.inFlight++;
    return true;
  }

  private refuse(cause: ShedCause): false {
    this.shed++;
    this.bound.noteRefusal();
    this.lastCause = cause;
    return false;
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
  /** The source the row counts under: "*" for a name no source has (the path is the sender's to choose); default sourceName. */
  groupSource?: string;
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
  createdAtMs: number;
  lastAtMs: number;
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
 *
 * The same goes for the server log: one `webhooks shed` line per flush with the number refused and
 * the reasons, not a `webhook refused` line per delivery (thousands a second under overload, each a
 * write to stdout). Adding a refusal is a map look-up under a plain string key; the row's hashed
 * key (`refusalGroupKey`) is computed once per group.
 */
export class RefusalLog {
  private pending = new Map<string, PendingGroup>();
  private dropped = 0;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private closed = false;
  /** Refusals since the last `webhooks shed` line, by reason. */
  private unlogged = new Map<string, number>();

  constructor(
    private readonly db: Db,
    private readonly opts: { max?: number; flushMs?: number } = {},
  ) {}

  add(entry: RefusalEntry): void {
    const nowMs = Date.now();
    const minute = Math.floor(nowMs / 60_000);
    // Keyed like every refusal (receive-webhook.ts): an unknown source counts as one, an IPv6 address as its /64.
    const groupSource = (entry.groupSource ?? entry.sourceName).slice(0, 200);
    const bucket = addressBucket(entry.remoteAddr === null ? null : entry.remoteAddr.slice(0, 100));
    const key = `${entry.httpStatus}\u0000${groupSource}\u0000${bucket}\u0000${minute}\u0000${entry.reason}`;
    const webhookId = entry.webhookId === null ? null : entry.webhookId.slice(0, 200);
    this.unlogged.set(entry.reason, (this.unlogged.get(entry.reason) ?? 0) + 1);
    const group = this.pending.get(key);
    if (group) {
      group.count++;
      group.lastAtMs = nowMs;
      group.webhookId = webhookId ?? group.webhookId;
    } else if (this.pending.size >= (this.opts.max ?? 5_000)) {
      this.dropped++;
    } else {
      const remoteAddr = entry.remoteAddr === null ? null : entry.remoteAddr.slice(0, 100);
      this.pending.set(key, {
        id: newId("ref"),
        sourceName: entry.sourceName.slice(0, 200),
        httpStatus: entry.httpStatus,
        reason: entry.reason,
        webhookId,
        remoteAddr,
        groupKey: refusalGroupKey(entry.httpStatus, groupSource, bucket, minute, entry.reason),
        count: 1,
        createdAtMs: nowMs,
        lastAtMs: nowMs,
      });
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
    if (this.unlogged.size) {
      let refused = 0;
      for (const n of this.unlogged.values()) refused += n;
      log.info({ httpStatus: 503, refused, reasons: Object.fromEntries(this.unlogged) }, "webhooks shed");
      this.unlogged.clear();
    }
    this.flushing ??= (async () => {
      try {
        while (this.pending.size) {
          const entries = [...this.pending].slice(0, 1_000);
          const keys = entries.map(([k]) => k);
          const batch = entries.map(([, g]) => g);
          const col = <K extends keyof PendingGroup>(k: K) => batch.map((g) => g[k]);
          const iso = (k: "createdAtMs" | "lastAtMs") => batch.map((g) => new Date(g[k]).toISOString());
          const written = col("count");
          await this.db.$executeRawUnsafe(FLUSH_SQL, col("id"), col("sourceName"), col("httpStatus"), col("reason"), col("webhookId"), col("remoteAddr"), col("groupKey"), written, iso("createdAtMs"), iso("lastAtMs"));
          batch.forEach((g, i) => {
            // Counted again while the statement ran: the rest waits for the next batch, as a further increment.
            g.count -= written[i]!;
            if (g.count === 0) this.pending.delete(keys[i]!);
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
