import type { Db } from "../../server/db/client";
import type { EngineContext } from "../../server/refresh/engine-context";
import { processBatch } from "../../server/refresh/process-events";
import { refreshCase } from "../../server/refresh/refresh-case";
import { SETTLEABLE, settleEventStatus } from "../../server/refresh/settle-events";
import { ingest } from "../../server/testing/ingest";
import type { TicketUpdates } from "./ticket-updates";

/**
 * Milliseconds of single refreshes of distinct cases, each with one new ticket event, one after
 * another: the event is stored (not timed), its case refreshed as a worker's batch would
 * (refreshCase with the event), then the event's status settled. Stops after `samples` or when
 * `budgetMs` is spent; the first few warm up and are not counted.
 */
export async function oneRefreshTimes(ctx: EngineContext, updates: TicketUpdates, opts: { samples: number; budgetMs: number; runId: string }): Promise<number[]> {
  const times: number[] = [];
  const warmUp = 5;
  const until = performance.now() + opts.budgetMs;
  const cases = updates.caseIds;
  for (let i = 0; i < Math.min(cases.length, opts.samples + warmUp) && performance.now() < until; i++) {
    const caseId = cases[i]!;
    const stored = await ingest(ctx, updates.next(caseId), `scale_one_${opts.runId}_${i}`);
    const t = performance.now();
    await refreshCase(ctx, caseId, { eventIds: [stored.eventId] });
    if (i >= warmUp) times.push(performance.now() - t);
    await settleEventStatus(ctx.db, [stored.eventId], SETTLEABLE);
  }
  return times.sort((a, b) => a - b);
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
 * them with the engine as the workers do: each engine a loop of processBatch(100) with its
 * concurrency, all at once. Stops at `capMs` (between batches) and counts what was settled.
 */
export async function drainBurst(engines: { ctx: EngineContext; concurrency: number }[], updates: TicketUpdates, opts: { events: number; capMs: number; runId: string }): Promise<DrainResult> {
  const ctx = engines[0]!.ctx;
  const prefix = `scale_drain_${opts.runId}_`;
  const cases = updates.caseIds.slice(0, opts.events);
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
        if (!(await processBatch(e.ctx, 100, { concurrency: e.concurrency }))) return;
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
