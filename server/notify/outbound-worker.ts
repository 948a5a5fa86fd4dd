import type { Db } from "../db/client";
import { appendIfPending } from "../feed/append-changes";
import { onFeedChange } from "../feed/record-change";
import { newId } from "../lib/ids";
import { log } from "../lib/log";
import { PollingLoop } from "../lib/polling-loop";
import { changeBody, RECORD_CHANGED, type FeedRow } from "./payload";
import { pruneDeliveries } from "./prune-deliveries";
import { attemptOnce, settleAutomatic, type FailureState } from "./record-attempt";
import { DEFAULT_POLICY, type RetryPolicy } from "./schedule";

/**
 * Delivers the change feed to every enabled outbound endpoint (docs/change-feed.md, "Outbound
 * notifications"). Nothing here touches a refresh: the refresh writes its FeedChange row in its
 * own transaction, and this loop reads the feed afterwards.
 *
 * Per endpoint, deliveries go out one at a time in feed order (so per case in version order). An
 * endpoint's `cursor` is the feed position up to which every change has a delivery row (or was
 * left out by its filter); when no delivery is pending, the next batch of changes after the cursor
 * becomes delivery rows and the cursor moves past them, in one transaction. Deliveries and
 * cursors are stored, so a restart resumes where the last process stopped.
 *
 * Claiming is one UPDATE over a FOR UPDATE SKIP LOCKED sub-select that leases due endpoints, so
 * several processes on one PostgreSQL database deliver to different endpoints, never the same one
 * at once; a process that dies leaves a lease that runs out. Time comes from `now` (injectable),
 * so tests can run hours of retries without waiting.
 */
export interface OutboundOptions {
  pollMs?: number;
  leaseSeconds?: number;
  timeoutMs?: number;
  endpointsPerClaim?: number;
  /** Deliveries one endpoint gets per claim before the lease is handed back (fairness). */
  deliveriesPerClaim?: number;
  batch?: number;
  policy?: RetryPolicy;
  now?: () => Date;
  random?: () => number;
}

export interface OutboundContext {
  db: Db;
  key: Buffer | null;
}

interface Claimed extends FailureState {
  id: string;
  cursor: string;
  causes: string[] | null;
  caseIdPrefix: string | null;
}

interface Head {
  id: string;
  body: string;
  attempts: number;
  url: string;
  secretSealed: string;
  previousSecretSealed: string | null;
  previousSecretExpiresAt: Date | null;
}

const ts = (d: Date) => d.toISOString();

/** Due endpoints with something to send: a pending delivery, or feed changes past their cursor. */
export const CLAIM_SQL = `UPDATE "OutboundEndpoint" e SET "lockedUntil" = $1::timestamp + make_interval(secs => $2)
     WHERE e."id" IN (
       SELECT c."id" FROM "OutboundEndpoint" c
       WHERE c."enabled" AND c."nextAttemptAt" <= $1::timestamp AND (c."lockedUntil" IS NULL OR c."lockedUntil" < $1::timestamp)
         AND (c."cursor" < COALESCE((SELECT f."position" FROM "FeedChange" f WHERE f."position" IS NOT NULL ORDER BY f."position" DESC LIMIT 1), 0)
              OR EXISTS (SELECT 1 FROM "OutboundDelivery" d WHERE d."endpointId" = c."id" AND d."status" = 'pending' AND d."kind" = 'change'))
       ORDER BY c."nextAttemptAt"
       LIMIT $3
       FOR UPDATE SKIP LOCKED)
     RETURNING e."id", e."cursor"::text AS "cursor", e."causes"::text[] AS "causes", e."caseIdPrefix", e."consecutiveFailures", e."failingSince"`;

/**
 * The endpoint's oldest pending change delivery (by OutboundDelivery_pending_idx), with what signs it.
 * Test events are sent by the admin's request itself (delivery-log.ts), never by this loop: while one
 * is in flight its row is pending, and the loop must not send it a second time.
 */
export const HEAD_SQL = `SELECT d."id", d."body", d."attempts", e."url", e."secretSealed", e."previousSecretSealed", e."previousSecretExpiresAt"
     FROM "OutboundDelivery" d JOIN "OutboundEndpoint" e ON e."id" = d."endpointId"
     WHERE d."endpointId" = $1 AND d."status" = 'pending' AND d."kind" = 'change' AND e."enabled"
     ORDER BY d."position"
     LIMIT 1`;

/** The next feed changes after a cursor: one range scan of FeedChange_position_key. */
export const NEXT_CHANGES_SQL = `SELECT f."position"::text AS "position", f."caseId", f."version", f."previousVersion",
       COALESCE(f."causes"::text[], '{}') AS "causes", f."summary", to_char(f."at", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "at"
     FROM "FeedChange" f WHERE f."position" > $1::bigint ORDER BY f."position" LIMIT $2`;

export class OutboundWorker {
  private readonly loop: PollingLoop;
  private readonly o: Required<Omit<OutboundOptions, "policy" | "now" | "random">>;
  private readonly policy: RetryPolicy;
  private readonly now: () => Date;
  private readonly random: () => number;
  private unsubscribe: (() => void) | null = null;
  private lastPrune = 0;

  constructor(
    private readonly ctx: OutboundContext,
    opts: OutboundOptions = {},
  ) {
    this.o = {
      pollMs: opts.pollMs ?? 1_000,
      leaseSeconds: opts.leaseSeconds ?? 120,
      timeoutMs: opts.timeoutMs ?? 10_000,
      endpointsPerClaim: opts.endpointsPerClaim ?? 4,
      deliveriesPerClaim: opts.deliveriesPerClaim ?? 50,
      batch: opts.batch ?? 100,
    };
    this.policy = opts.policy ?? DEFAULT_POLICY;
    this.now = opts.now ?? (() => new Date());
    this.random = opts.random ?? Math.random;
    this.loop = new PollingLoop(() => this.runOnce(), {
      name: "outbound notifications",
      pollMs: this.o.pollMs,
      backoffMs: 1_000,
      maxBackoffMs: 30_000,
      onError: (err) => log.error({ err }, "outbound notifications step failed"),
    });
  }

  start(): void {
    // A change committed in this process is sent at once; other processes' within pollMs.
    this.unsubscribe ??= onFeedChange(() => this.loop.wake());
    this.loop.start();
  }

  wake(): void {
    this.loop.wake();
  }

  /** Finishes the step in hand (its leases are handed back), then stops. */
  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    await this.loop.stop();
  }

  /** One step: claims due endpoints and delivers to each; true when it sent or queued something. */
  async runOnce(): Promise<boolean> {
    const t = this.now().getTime();
    if (t - this.lastPrune >= 3_600_000) {
      this.lastPrune = t;
      const pruned = await pruneDeliveries(this.ctx.db, this.now());
      if (pruned) log.info({ pruned }, "outbound delivery log pruned");
    }
    await appendIfPending(this.ctx.db);
    const claimed = await this.ctx.db.$queryRawUnsafe<Claimed[]>(CLAIM_SQL, ts(this.now()), this.o.leaseSeconds, this.o.endpointsPerClaim);
    if (!claimed.length) return false;
    const worked = await Promise.all(claimed.map((ep) => this.serve(ep)));
    return worked.some(Boolean);
  }

  /** Runs steps until nothing is due (tests). */
  async drain(maxSteps = 1_000): Promise<number> {
    let n = 0;
    while (n < maxSteps && (await this.runOnce())) n++;
    return n;
  }

  private async serve(ep: Claimed): Promise<boolean> {
    let worked = false;
    try {
      let state: FailureState = { consecutiveFailures: ep.consecutiveFailures, failingSince: ep.failingSince };
      let cursor = BigInt(ep.cursor);
      for (let sent = 0; sent < this.o.deliveriesPerClaim; ) {
        const head = (await this.ctx.db.$queryRawUnsafe<Head[]>(HEAD_SQL, ep.id))[0];
        if (!head) {
          const next = await this.enqueue(ep, cursor);
          if (next === null) return worked;
          cursor = next;
          worked = true;
          continue;
        }
        const now = this.now();
        const result = await attemptOnce({ db: this.ctx.db, key: this.ctx.key, endpoint: { ...head, id: ep.id }, delivery: head, now, timeoutMs: this.o.timeoutMs, trigger: "automatic" });
        const after = await settleAutomatic(this.ctx.db, { id: ep.id, url: head.url, ...state }, head, result, now, this.policy, this.random, new Date(now.getTime() + this.o.leaseSeconds * 1000));
        state = after;
        worked = true;
        sent++;
        if (!result.ok) return worked;
      }
      return worked;
    } finally {
      await this.ctx.db.outboundEndpoint.updateMany({ where: { id: ep.id }, data: { lockedUntil: null } });
    }
  }

  /**
   * Turns the next changes after the cursor into delivery rows (those the filter keeps) and moves
   * the cursor past them, in one transaction; null when the endpoint is caught up.
   */
  private async enqueue(ep: Claimed, cursor: bigint): Promise<bigint | null> {
    const { db } = this.ctx;
    const rows = await db.$queryRawUnsafe<FeedRow[]>(NEXT_CHANGES_SQL, String(cursor), this.o.batch);
    if (!rows.length) return null;
    const causes = ep.causes?.length ? new Set(ep.causes) : null;
    const kept = rows.filter((r) => (!causes || r.causes.some((c) => causes.has(c))) && (!ep.caseIdPrefix || r.caseId.startsWith(ep.caseIdPrefix)));
    const last = BigInt(rows[rows.length - 1]!.position);
    const now = this.now();
    await db.$transaction([
      db.outboundDelivery.createMany({
        data: kept.map((r, i) => ({
          id: newId("msg"),
          endpointId: ep.id,
          kind: "change" as const,
          position: BigInt(r.position),
          caseId: r.caseId,
          eventType: RECORD_CHANGED,
          body: changeBody({ ...r, version: Number(r.version), previousVersion: r.previousVersion === null ? null : Number(r.previousVersion) }),
          // Distinct times keep the delivery log in feed order.
          createdAt: new Date(now.getTime() + i),
          nextAttemptAt: now,
        })),
        skipDuplicates: true,
      }),
      db.outboundEndpoint.updateMany({ where: { id: ep.id, cursor }, data: { cursor: last } }),
    ]);
    return last;
  }
}
