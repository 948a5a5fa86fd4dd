import type { Db } from "../db/client";
import { openProcessingFailed } from "../exceptions/processing-failed";
import { isDatabaseUnavailable } from "../lib/db-errors";
import { log } from "../lib/log";
import { sourceLookup, type EngineContext } from "./engine-context";
import { fanOut } from "./fan-out";
import { refreshCase } from "./refresh-case";
import { SETTLEABLE, settleEventStatus } from "./settle-events";
import { claimEvents, type QueuedEvent } from "./sql/claim-events";

export const MAX_ATTEMPTS = 5;
export const DEFAULT_LEASE_SECONDS = 15;

export interface BatchOptions {
  /** How long a claimed event stays invisible to other workers; a crashed worker's events come back after it. */
  leaseSeconds?: number;
  /**
   * Cases of one batch refreshed at the same time (default 1). Each refresh is a transaction under
   * its case's lock, so this only overlaps database round trips of different cases; PostgreSQL
   * gains from it, the embedded database runs one transaction at a time anyway.
   */
  concurrency?: number;
}

/** Runs `fn` over `items`, at most `limit` at a time, in order of start. */
export async function forEachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  });
  await Promise.all(lanes);
}

/** Backoff before retry number `attempts + 1`: doubling from half a second, at most 30 s. */
export function retryDelayMs(attempts: number): number {
  return Math.min(30_000, 250 * 2 ** attempts);
}

/** How many more events of the same cases one batch may take along (see claim). */
export const COALESCE_FACTOR = 10;

/**
 * Claims due events; SKIP LOCKED and a lease let several workers share the queue. The oldest
 * `limit` events come first, and with them every other due event of the same cases (up to
 * COALESCE_FACTOR × limit): one refresh of a case folds the accepted state of all of them, so a
 * burst costs a refresh per case rather than one per event. The record depends only on the
 * accepted state, never on how events were grouped.
 *
 * Indexes: the head reads the partial index of received events in queue order (a few rows, however
 * long the backlog); the events taken along are found by (status, caseId), in no particular order,
 * since an ORDER BY there makes PostgreSQL walk the whole backlog in queue order instead.
 */
async function claim(db: Db, limit: number, leaseSeconds: number): Promise<QueuedEvent[]> {
  return claimEvents(db, [limit, leaseSeconds, limit * COALESCE_FACTOR]);
}

/**
 * Processes one batch: fans events out to cases and refreshes each touched case once (events of
 * one case in a batch coalesce into one refresh). Returns how many events it claimed.
 */
export async function processBatch(ctx: EngineContext, limit = 100, opts: BatchOptions = {}): Promise<number> {
  const events = await claim(ctx.db, limit, opts.leaseSeconds ?? DEFAULT_LEASE_SECONDS);
  if (!events.length) return 0;
  const sources = await sourceLookup(ctx);
  const byCase = new Map<string, string[]>();
  const failed = new Map<string, string>();
  /** Failed because the connection was lost (a killed backend, a restart): retried without counting. */
  const transient = new Set<string>();
  for (const e of events) {
    const kind = sources.byId.get(e.sourceId)?.kind;
    try {
      if (!kind) throw new Error(`source ${e.sourceId} is unknown`);
      for (const c of await fanOut(ctx.db, kind, e)) byCase.set(c, [...(byCase.get(c) ?? []), e.id]);
    } catch (err) {
      failed.set(e.id, `fan-out failed: ${(err as Error).message}`);
      if (isDatabaseUnavailable(err)) transient.add(e.id);
    }
  }
  await forEachLimited([...byCase].sort(([a], [b]) => a.localeCompare(b)), opts.concurrency ?? 1, async ([caseId, eventIds]) => {
    const ids = eventIds.filter((id) => !failed.has(id));
    if (!ids.length) return;
    // Let the event loop come round between refreshes. The embedded database answers in the same
    // thread, its promises settle without ever leaving the microtask queue, so a batch of refreshes
    // would otherwise hold the loop for all of them at once: requests wait unread and intake's
    // admission control (server/intake/intake-gate.ts) sees the lag and sheds deliveries.
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      await refreshCase(ctx, caseId, { eventIds: ids });
    } catch (err) {
      const lost = isDatabaseUnavailable(err);
      if (!lost) log.warn({ err, caseId, eventIds: ids }, "refresh failed");
      for (const id of ids) {
        failed.set(id, `refresh of ${caseId} failed: ${(err as Error).message}`);
        if (lost) transient.add(id);
      }
    }
  });
  await settleEventStatus(ctx.db, events.filter((e) => !failed.has(e.id)).map((e) => e.id), SETTLEABLE);
  for (const e of events.filter((x) => failed.has(x.id))) {
    await handleFailure(ctx, e, failed.get(e.id)!, [...byCase].filter(([, ids]) => ids.includes(e.id)).map(([c]) => c), transient.has(e.id));
  }
  return events.length;
}

/**
 * Retries with exponential backoff; after MAX_ATTEMPTS the event is failed and an exception says why.
 * A lost connection says nothing about the event: it is retried soon and the attempt is given back,
 * so a database restart or a killed backend never fails events. (While the database stays away
 * these writes fail too; the claim's lease then brings the events back.)
 */
async function handleFailure(ctx: EngineContext, e: QueuedEvent, message: string, caseIds: string[], transient = false): Promise<void> {
  const lastError = message.slice(0, 2000);
  if (transient) {
    await ctx.db.webhookEvent.updateMany({
      where: { id: e.id, status: "received" },
      data: { nextAttemptAt: new Date(Date.now() + 500), lockedUntil: null, lastError, attempts: { decrement: 1 } },
    });
    return;
  }
  if (e.attempts < MAX_ATTEMPTS) {
    await ctx.db.webhookEvent.updateMany({
      where: { id: e.id, status: "received" },
      data: { nextAttemptAt: new Date(Date.now() + retryDelayMs(e.attempts)), lockedUntil: null, lastError },
    });
    return;
  }
  await ctx.db.$transaction(async (tx) => {
    const moved = await tx.webhookEvent.updateMany({
      where: { id: e.id, status: "received" },
      data: { status: "failed", lockedUntil: null, lastError, processedAt: new Date() },
    });
    if (!moved.count) return; // quarantined meanwhile: a specialist already decided about it
    for (const caseId of caseIds.length ? caseIds : e.caseId !== "*" ? [e.caseId] : []) {
      await openProcessingFailed(tx, caseId, { eventId: e.id, attempts: e.attempts, lastError });
    }
  });
  log.error({ eventId: e.id, message }, "event failed permanently");
}

/** Drains the queue until it is empty (tests, replay, the demo). */
export async function drain(ctx: EngineContext, batch = 100, opts: BatchOptions = {}): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await processBatch(ctx, batch, opts);
    if (n === 0) return total;
    total += n;
  }
}
