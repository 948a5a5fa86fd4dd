import type { JobKind, Prisma } from "../../db/generated/client";
import { OPS_RUNNER } from "./jobs";
import { log } from "../../lib/log";
import { PollingLoop } from "../../lib/polling-loop";
import type { EngineContext } from "../../refresh/engine-context";
import { JOB_HANDLERS, type JobHandler } from "./job-handlers";

/** How many times a job whose handler asks for a retry (JobOutcome.retry) runs before it ends failed. */
export const MAX_JOB_ATTEMPTS = 10;

export interface JobRunnerOptions {
  pollMs?: number;
  /** A running job whose row has not moved for this long lost its process and is taken over. */
  staleSeconds?: number;
  heartbeatMs?: number;
  /** Minimum time between two progress writes (the last one is always written). */
  progressEveryMs?: number;
  handlers?: Partial<Record<JobKind, JobHandler>>;
}

interface ClaimedJob {
  id: string;
  kind: JobKind;
  params: Record<string, unknown>;
}

/**
 * Runs queued Job rows inside the app process. Claiming is one UPDATE over a FOR UPDATE SKIP
 * LOCKED sub-select, so several processes sharing a PostgreSQL database each take different jobs;
 * progress (done/total) is written to the row, so it survives a page reload or a restart.
 */
export class JobRunner {
  private readonly loop: PollingLoop;
  private readonly opts: Required<Omit<JobRunnerOptions, "handlers">>;
  private readonly handlers: Record<JobKind, JobHandler>;

  constructor(
    private readonly ctx: EngineContext,
    opts: JobRunnerOptions = {},
  ) {
    this.opts = { pollMs: opts.pollMs ?? 2_000, staleSeconds: opts.staleSeconds ?? 60, heartbeatMs: opts.heartbeatMs ?? 10_000, progressEveryMs: opts.progressEveryMs ?? 250 };
    this.handlers = { ...JOB_HANDLERS, ...opts.handlers };
    this.loop = new PollingLoop(() => this.runOnce(), {
      name: "job runner",
      pollMs: this.opts.pollMs,
      backoffMs: 1_000,
      maxBackoffMs: 30_000,
      onError: (err) => log.error({ err }, "job runner could not claim a job"),
    });
  }

  start(): void {
    this.loop.start();
  }

  wake(): void {
    this.loop.wake();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Claims one job; null when none is waiting (or every waiting one is taken by another process). */
  async claim(): Promise<ClaimedJob | null> {
    const rows = await this.ctx.db.$queryRawUnsafe<ClaimedJob[]>(
      `UPDATE "Job" SET "status" = 'running', "startedAt" = COALESCE("startedAt", now()), "updatedAt" = now(), "error" = NULL
       WHERE "id" = (
         SELECT "id" FROM "Job"
         WHERE "params"->>'runner' = $1
           AND ("status" = 'queued' OR ("status" = 'running' AND "updatedAt" < now() - make_interval(secs => $2)))
         ORDER BY "createdAt", "id"
         FOR UPDATE SKIP LOCKED
         LIMIT 1)
       RETURNING "id", "kind"::text AS "kind", "params"`,
      OPS_RUNNER,
      this.opts.staleSeconds,
    );
    const row = rows[0];
    if (!row) return null;
    return { id: row.id, kind: row.kind, params: (typeof row.params === "string" ? JSON.parse(row.params) : row.params) as Record<string, unknown> };
  }

  /**
   * A job run inline by the request that made it (addReferenceAlias did, before it queued its job
   * like every other reference edit; rows it left) cannot be resumed by a runner:
   * when it has not moved for `staleSeconds`, its process stopped mid-way, and it is marked failed
   * with that reason instead of showing "running" for ever. Returns how many were marked.
   */
  async failInterrupted(): Promise<number> {
    return this.ctx.db.$executeRawUnsafe(
      `UPDATE "Job" SET "status" = 'failed', "finishedAt" = now(), "updatedAt" = now(),
         "error" = 'Interrupted: the process running this job stopped before it finished (' || "done" || ' of ' || "total" || ' done). Run the change again to finish it.'
       WHERE "status" = 'running' AND ("params"->>'runner') IS DISTINCT FROM $1 AND "updatedAt" < now() - make_interval(secs => $2)`,
      OPS_RUNNER,
      this.opts.staleSeconds,
    );
  }

  private lastReap = 0;

  /** Claims and runs one job to its end; false when there was none. */
  async runOnce(): Promise<boolean> {
    if (Date.now() - this.lastReap > (this.opts.staleSeconds * 1000) / 2) {
      this.lastReap = Date.now();
      await this.failInterrupted();
    }
    const job = await this.claim();
    if (!job) return false;
    await this.execute(job);
    return true;
  }

  /** Runs jobs until none is waiting (tests, and the loop). */
  async drain(): Promise<number> {
    let n = 0;
    while (await this.runOnce()) n++;
    return n;
  }

  private async execute(job: ClaimedJob): Promise<void> {
    const { db } = this.ctx;
    const state = { lastWrite: 0, latest: null as { done: number; total: number } | null };
    const write = async (p: { done: number; total: number }) => {
      state.lastWrite = Date.now();
      await db.job.updateMany({ where: { id: job.id, status: "running" }, data: { done: p.done, total: p.total, updatedAt: new Date() } });
    };
    const progress = async (done: number, total: number) => {
      state.latest = { done, total };
      if (done === total || done === 0 || Date.now() - state.lastWrite >= this.opts.progressEveryMs) await write(state.latest);
    };
    // Keeps the row fresh while one long step runs, so no other process takes the job over.
    const heartbeat = setInterval(() => {
      void db.job
        .updateMany({ where: { id: job.id, status: "running" }, data: { ...state.latest, updatedAt: new Date() } })
        .catch((err: unknown) => log.warn({ err, jobId: job.id }, "job heartbeat failed"));
    }, this.opts.heartbeatMs);
    const started = performance.now();
    try {
      const outcome = await this.handlers[job.kind](this.ctx, job.params, progress);
      if (state.latest) await write(state.latest);
      const attempts = Number(job.params.attempts ?? 0) + 1;
      if (outcome.retry && outcome.error && attempts < MAX_JOB_ATTEMPTS) {
        // Left running with a fresh row: taken over (by this or another process) once stale, so a
        // job whose work must still be done is tried again after staleSeconds, not lost.
        await db.job.update({
          where: { id: job.id },
          data: { params: { ...job.params, attempts } as Prisma.InputJsonValue, result: outcome.result as Prisma.InputJsonValue, error: `${outcome.error} (attempt ${attempts} of ${MAX_JOB_ATTEMPTS}; tried again later)`, updatedAt: new Date() },
        });
        log.warn({ jobId: job.id, kind: job.kind, attempts, error: outcome.error }, "job will be tried again");
        return;
      }
      await db.job.update({
        where: { id: job.id },
        data: { status: outcome.error ? "failed" : "succeeded", result: outcome.result as Prisma.InputJsonValue, error: outcome.error ?? null, finishedAt: new Date() },
      });
      log.info({ jobId: job.id, kind: job.kind, ms: Math.round(performance.now() - started), error: outcome.error }, "job finished");
    } catch (err) {
      log.error({ err, jobId: job.id, kind: job.kind }, "job failed");
      await db.job.update({ where: { id: job.id }, data: { status: "failed", error: (err as Error).message.slice(0, 2000), finishedAt: new Date() } });
    } finally {
      clearInterval(heartbeat);
    }
  }
}

const g = globalThis as unknown as { __errJobRunner?: { ctx: EngineContext; runner: JobRunner } };

/**
 * The process's job runner, started by the server's boot (server/boot.ts): queued jobs, those a
 * restart left included, run in every serving process; the queue's row locks keep them apart.
 */
export function ensureJobRunner(ctx: EngineContext): JobRunner {
  if (g.__errJobRunner?.ctx.db !== ctx.db) {
    void g.__errJobRunner?.runner.stop();
    const runner = new JobRunner(ctx);
    runner.start();
    g.__errJobRunner = { ctx, runner };
  }
  return g.__errJobRunner.runner;
}

/**
 * Starts this process's runner on a job queued just now, rather than at its next poll. Call after
 * the transaction that queued the job committed; a no-op where no runner runs (tests, scripts).
 */
export function wakeJobRunner(): void {
  g.__errJobRunner?.runner.wake();
}

export async function stopJobRunner(): Promise<void> {
  const current = g.__errJobRunner;
  g.__errJobRunner = undefined;
  await current?.runner.stop();
}
