import type { Db } from "../../server/db/client";
import type { EngineContext } from "../../server/refresh/engine-context";
import { processBatch } from "../../server/refresh/process-events";
import { refreshCase } from "../../server/refresh/refresh-case";
import { SETTLEABLE, settleEventStatus } from "../../server/refresh/settle-events";
import { ingest } from "../../dev/testing/ingest";
import type { TicketUpdates } from "./ticket-updates";

export interface EngineSide {
  ctx: EngineContext;
  updates: TicketUpdates;
}

/** One refresh of case number `i` of the side's rotation with one new ticket event: its milliseconds. */
async function refreshOnce(side: EngineSide, i: number, runId: string): Promise<number> {
  const caseId = side.updates.caseIds[i % side.updates.caseIds.length]!;
  const stored = await ingest(side.ctx, side.updates.next(caseId), `scale_one_${runId}_${i}`);
  const t = performance.now();
  await refreshCase(side.ctx, caseId, { eventIds: [stored.eventId] });
  const ms = performance.now() - t;
  await settleEventStatus(side.ctx.db, [stored.eventId], SETTLEABLE);
  return ms;
}

/**
 * Milliseconds of single refreshes of distinct cases, each with one new ticket event, on the small
 * and the large database in turn (so both see the same moment of a shared machine): the event is
 * stored (not timed), its case refreshed as a worker's batch would (refreshCase with the event),
 * then the event's status settled. Stops after `samples` pairs or once `budgetMs` is spent; the
 * first few pairs warm up and are not counted.
 */
export async function oneRefreshTimes(small: EngineSide, large: EngineSide, opts: { samples: number; budgetMs: number; runId: string }): Promise<{ small: number[]; large: number[] }> {
  const out = { small: [] as number[], large: [] as number[] };
  const warmUp = 3;
  const until = performance.now() + opts.budgetMs;
  for (let i = 0; i < opts.samples + warmUp && (i < warmUp + 1 || performance.now() < until); i++) {
    const a = await refreshOnce(small, i, opts.runId);
    const b = await refreshOnce(large, i, opts.runId);
    if (i >= warmUp) {
      out.small.push(a);
      out.large.push(b);
    }
  }
  out.small.sort((x, y) => x - y);
  out.large.sort((x, y) => x - y);
  return out;
}

export interface DrainResult {
  events: number;
  settled: number;
  seconds: number;
  /** The drain stopped at its time cap with events left. */
  capped: boolean;
}

/**
 * Stores one new ticket event for each of `events` distinct cases (nothing folds), then drains
 * them with the engine as the workers do: each engine a loop of processBatch with its concurrency,
 * all at once. Stops at `capMs` and counts what was settled. The cap is checked between batches,
 * so batches are smaller than a worker's 100 (`batch`): a batch of slow refreshes cannot run on
 * for minutes past the cap.
 */
export async function drainBurst(engines: { ctx: EngineContext; concurrency: number }[], updates: TicketUpdates, opts: { events: number; batch: number; capMs: number; runId: string }): Promise<DrainResult> {
  const ctx = engines[0]!.ctx;
  const prefix = `scale_drain_${opts.runId}_`;
  // The end of the rotation: cases the single refreshes (its start) did not just touch.
  const cases = updates.caseIds.slice(-opts.events);
  for (const [i, caseId] of cases.entries()) await ingest(ctx, updates.next(caseId), `${prefix}${i}`);
  const start = performance.now();
  const until = start + opts.capMs;
  let capped = false;
  await Promise.all(
    engines.map(async (e) => {
      for (;;) {
        if (performance.now() > until) {
          capped = true;
          return;
        }
        if (!(await processBatch(e.ctx, opts.batch, { concurrency: e.concurrency }))) return;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const [row] = await ctx.db.$queryRawUnsafe<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM "WebhookEvent" WHERE "webhookId" LIKE $1 AND "status" <> 'received'`,
    `${prefix}%`,
  );
  return { events: cases.length, settled: Number(row!.n), seconds, capped };
}

/**
 * Events a capped phase left unprocessed are put off for good, so the next phase measures its own
 * events only (the benchmark works on a throw-away copy of the seeded database).
 */
export async function parkBacklog(db: Db): Promise<number> {
  return db.$executeRawUnsafe(`UPDATE "WebhookEvent" SET "nextAttemptAt" = '9999-01-01' WHERE "status" = 'received'`);
}
