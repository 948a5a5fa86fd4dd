import { log } from "../lib/log";
import type { EngineContext } from "./engine-context";
import { processBatch } from "./process-events";

export interface WorkerOptions {
  batch?: number;
  pollMs?: number;
  leaseSeconds?: number;
  /** Cases refreshed at the same time within a batch (see BatchOptions.concurrency). */
  concurrency?: number;
}

/** A refresh worker loop: drains the queue, sleeps until woken or the poll interval passes. */
export class RefreshWorker {
  private running = false;
  private wakeUp: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private pending = false;

  constructor(
    private readonly ctx: EngineContext,
    private readonly opts: WorkerOptions = {},
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  wake(): void {
    this.pending = true;
    this.wakeUp?.();
  }

  /** Finishes the batch in hand, then stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        this.pending = false;
        const n = await processBatch(this.ctx, this.opts.batch ?? 100, { leaseSeconds: this.opts.leaseSeconds, concurrency: this.opts.concurrency });
        failures = 0;
        if (n > 0) continue;
      } catch (err) {
        failures++;
        log.error({ err }, "refresh worker batch failed");
      }
      if (!this.running) break;
      if (this.pending) continue;
      const waitMs = failures ? Math.min(10_000, 200 * 2 ** failures) : (this.opts.pollMs ?? 250);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = null;
    }
  }
}
