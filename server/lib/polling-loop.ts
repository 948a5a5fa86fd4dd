/**
 * A background loop that runs a step again at once while it finds work, otherwise sleeps until
 * woken or the poll interval passes; after a failing step it backs off, doubling up to a maximum.
 * The refresh worker and the job runner are both this loop around their own step.
 */
export interface PollingLoopOptions {
  pollMs: number;
  /** Wait after the first failure; it doubles with each further one. */
  backoffMs: number;
  maxBackoffMs: number;
  onError: (err: unknown) => void;
}

export class PollingLoop {
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private pending = false;

  /** `step` returns true when it did some work (the loop runs it again without waiting). */
  constructor(
    private readonly step: () => Promise<boolean>,
    private readonly opts: PollingLoopOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** New work arrived: run the step now instead of at the next poll. */
  wake(): void {
    this.pending = true;
    this.wakeUp?.();
  }

  /** Finishes the step in hand, then stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.loop;
  }

  /** Time to wait after `failures` failed steps in a row (none: the poll interval). */
  waitMs(failures: number): number {
    return failures ? Math.min(this.opts.maxBackoffMs, this.opts.backoffMs * 2 ** (failures - 1)) : this.opts.pollMs;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        this.pending = false;
        const worked = await this.step();
        failures = 0;
        if (worked) continue;
      } catch (err) {
        failures++;
        this.opts.onError(err);
      }
      if (!this.running) break;
      if (this.pending) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.waitMs(failures));
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = null;
    }
  }
}
