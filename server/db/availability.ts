import { isDatabaseUnavailable, isDatabaseUnreachable } from "../lib/db-errors";
import { log } from "../lib/log";

/**
 * Whether the PostgreSQL server is reachable, as last seen. The first failure to connect marks it
 * down (logged once, not once per request); while down, intake answers 503 at once instead of
 * opening a connection per delivery, and a probe (one `SELECT 1` every `probeMs`) notices its
 * return, which is logged once too. A connection lost on its own (pg_terminate_backend) fails its
 * own request only: the next connection works.
 */
export interface AvailabilityOptions {
  probe: () => Promise<unknown>;
  probeMs?: number;
}

export class DatabaseAvailability {
  private downSince: number | null = null;
  private reason = "";
  private refused = 0;
  private refusedEver = 0;
  private timer: NodeJS.Timeout | null = null;
  private probing = false;
  private closed = false;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly opts: AvailabilityOptions) {}

  get available(): boolean {
    return this.downSince === null;
  }

  /** Reports a failure; true when it is a connection-level one (the database is marked down when it cannot be reached). */
  noteFailure(err: unknown): boolean {
    if (!isDatabaseUnavailable(err)) return false;
    if (this.downSince === null && !this.closed && isDatabaseUnreachable(err)) {
      this.downSince = Date.now();
      this.reason = (err as Error)?.message?.split("\n").filter(Boolean).at(-1)?.slice(0, 300) ?? String(err);
      this.refused = 0;
      log.warn({ reason: this.reason }, "database unavailable: answering 503 and backing off until it returns");
      this.schedule();
    }
    return true;
  }

  /** A request refused because the database is down (reported in the recovery message). */
  countRefusal(): void {
    this.refused++;
    this.refusedEver++;
  }

  /** Requests refused at once because the database was known to be down, since start (tests, metrics). */
  get refusedTotal(): number {
    return this.refusedEver;
  }

  noteSuccess(): void {
    if (this.downSince === null) return;
    const seconds = Math.round((Date.now() - this.downSince) / 100) / 10;
    log.warn({ seconds, refused: this.refused }, "database reachable again");
    this.downSince = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const l of this.listeners) l();
  }

  /** Called when the database comes back (the workers wake instead of waiting out their backoff); returns the unsubscribe. */
  onRecover(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.closed || this.timer || this.downSince === null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.probe();
    }, this.opts.probeMs ?? 250);
    this.timer.unref();
  }

  private async probe(): Promise<void> {
    if (this.probing || this.closed) return;
    this.probing = true;
    try {
      await this.opts.probe();
      this.noteSuccess();
    } catch {
      // still away: the next probe tries again
    } finally {
      this.probing = false;
      this.schedule();
    }
  }
}
