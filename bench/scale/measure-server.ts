import { setTimeout as sleep } from "node:timers/promises";
import { backlogOf, startServer, type ServerProcess } from "../lib";
import { openLoop, type LoadResult } from "../open-loop";
import { secretEnv } from "../workload";
import type { TicketUpdates } from "./ticket-updates";

export interface ServerTarget {
  /** Environment naming the database (DATABASE_URL or DATA_DIR). */
  env: Record<string, string>;
  port: number;
  secrets: Record<string, string>;
}

/** The production server on the target database, refresh worker in-process (the default). */
export async function withServer<T>(target: ServerTarget, fn: (server: ServerProcess) => Promise<T>): Promise<T> {
  const server = await startServer({ ...secretEnv(target.secrets), APP_SECRET_KEY: "11".repeat(32), IN_PROCESS_WORKER: "on", ...target.env }, target.port);
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}

/** Waits until the server reports no backlog, at most `capMs`; true when it drained. */
export async function waitForBacklog(server: ServerProcess, capMs: number): Promise<boolean> {
  const until = performance.now() + capMs;
  while (performance.now() < until) {
    if ((await backlogOf(server.url)) === 0) return true;
    await sleep(500);
  }
  return false;
}

/**
 * Signed ticket updates of existing cases at a steady `rate` for `seconds`, each case in turn
 * (webhook ids `${prefix}m${k}`; warm-up `${prefix}w${k}`), after a few seconds of warm-up whose events are
 * refreshed first; then at most `drainCapMs` for the
 * worker to catch up. Event-to-current is read from the database afterwards (bench/lib.ts latencies).
 */
export async function steadyLoad(server: ServerProcess, target: ServerTarget, updates: TicketUpdates, opts: { rate: number; seconds: number; prefix: string; drainCapMs: number }): Promise<{ load: LoadResult; drained: boolean }> {
  const warm = await openLoop((k) => updates.signed(k, server.url, target.secrets, `${opts.prefix}w`), opts.rate, 3);
  if (warm.accepted === 0) throw new Error(`warm-up refused: ${JSON.stringify(warm.other)} ${server.output().slice(-2000)}`);
  // The warm-up's events are refreshed before the measured load starts: a freshly started server
  // (cold JIT, pools and caches) leaves a backlog behind it, and a worker running near its capacity
  // would carry that backlog through the whole phase, which would then measure the start, not the
  // steady state. A backlog the measured load builds itself still counts.
  await waitForBacklog(server, opts.drainCapMs);
  const load = await openLoop((k) => updates.signed(k, server.url, target.secrets, `${opts.prefix}m`), opts.rate, opts.seconds, warm.sent);
  const drained = await waitForBacklog(server, opts.drainCapMs);
  return { load, drained };
}
