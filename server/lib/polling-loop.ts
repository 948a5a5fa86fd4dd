import { isDatabaseUnavailable } from "./db-errors";
import { log } from "./log";

/**
 * A background loop that runs a step again at once while it finds work, otherwise sleeps until
 * woken or the poll interval passes; after a failing step it backs off, doubling up to a maximum.
 * The refresh worker and the job runner are both this loop around their own step.
 *
 * A database outage is one event, not one error per poll: its first failure is logged once (the
 * loop's `name` says who waits), later ones are not, and the first step that works again logs the
 * return. Meanwhile the loop still backs off, but no longer than `maxOutageBackoffMs`, so it
 * resumes within that long of the database's return (sooner when woken).
 */
export interface PollingLoopOptions {
  pollMs: number;
  /** Wait after the first failure; it doubles with each further one. */
  backoffMs: number;
  maxBackoffMs: number;
  onError: (err: unknown) => void;
  name?: string;
  /** Cap of the backoff while the failures are the database being unreachable (default 2 s). */
  maxOutageBackoffMs?: number;
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
  waitMs(failures: number, outage = false): number {
    const cap = outage ? Math.min(this.opts.maxBackoffMs, this.opts.maxOutageBackoffMs ?? 2_000) : this.opts.maxBackoffMs;
    return failures ? Math.min(cap, this.opts.backoffMs * 2 ** (failures - 1)) : this.opts.pollMs;
  }

  /** When the current outage began (null: none). */
  private outageSince: number | null = null;

  private async run(): Promise<void> {
    let failures = 0;
    while (this.running) {
      try {
        this.pending = false;
        const worked = await this.step();
        failures = 0;
        if (this.outageSince !== null) {
          log.warn({ loop: this.opts.name, seconds: Math.round((Date.now() - this.outageSince) / 100) / 10 }, "database reachable again: background work resumed");
          this.outageSince = null;
        }
        if (worked) continue;
      } catch (err) {
        failures++;
        if (!isDatabaseUnavailable(err)) this.opts.onError(err);
        else if (this.outageSince === null) {
          this.outageSince = Date.now();
          log.warn({ loop: this.opts.name, reason: (err as Error)?.message?.split("\n").filter(Boolean).at(-1)?.slice(0, 300) }, "database unavailable: background work paused, retrying with backoff");
        }
      }
      if (!this.running) break;
      if (this.pending) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.waitMs(failures, this.outageSince !== null));
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeUp = null;
    }
  }
}
