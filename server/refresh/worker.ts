import "server-only";
import { log } from "../lib/log";
import { PollingLoop } from "../lib/polling-loop";
import type { EngineContext } from "./engine-context";
import { processBatch } from "./process-events";

export interface WorkerOptions {
  batch?: number;
  pollMs?: number;
  leaseSeconds?: number;
  /** Cases refreshed at the same time within a batch (see BatchOptions.concurrency). */
  concurrency?: number;
}

/** A refresh worker: drains the queue batch after batch, sleeps until woken or the poll interval passes. */
export class RefreshWorker {
  private readonly loop: PollingLoop;

  constructor(ctx: EngineContext, opts: WorkerOptions = {}) {
    this.loop = new PollingLoop(
      async () => (await processBatch(ctx, opts.batch ?? 100, { leaseSeconds: opts.leaseSeconds, concurrency: opts.concurrency })) > 0,
      { name: "refresh worker", pollMs: opts.pollMs ?? 250, backoffMs: 400, maxBackoffMs: 10_000, onError: (err) => log.error({ err }, "refresh worker batch failed") },
    );
  }

  start(): void {
    this.loop.start();
  }

  wake(): void {
    this.loop.wake();
  }

  /** Finishes the batch in hand, then stops. */
  stop(): Promise<void> {
    return this.loop.stop();
  }
}
