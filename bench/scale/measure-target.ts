import type { DbHandle } from "../../server/db/client";
import { SourceRegistry } from "../../server/intake/source-registry";
import { ReferenceCache } from "../../server/reference/load-reference";
import type { EngineContext } from "../../server/refresh/engine-context";
import { defaultRefreshConcurrency } from "../../server/runtime";
import { latencies, percentile, type EventToCurrent } from "../lib";
import { openLoop, p, type LoadResult } from "../open-loop";
import { benchSecrets } from "../workload";
import type { SeededTarget } from "./databases";
import { drainBurst, oneRefreshTimes, parkBacklog, type DrainResult } from "./measure-engine";
import { measureReads, type ReadFigure } from "./measure-reads";
import { steadyLoad, withServer, type ServerTarget } from "./measure-server";
import { TicketUpdates } from "./ticket-updates";

export interface PhaseSettings {
  oneRefresh: { samples: number; budgetMs: number };
  drain: { events: number; capMs: number };
  latency: { rate: number; seconds: number; drainCapMs: number };
  intake: { rate: number; seconds: number };
  reads: { reps: number; budgetMs: number };
  port: number;
}

export interface TargetFigures {
  reads: ReadFigure[];
  oneRefresh: number[];
  drain: DrainResult;
  latency: EventToCurrent;
  intake: LoadResult;
  parked: number;
}

const engineOf = (handle: DbHandle): EngineContext => ({
  db: handle.db,
  registry: new SourceRegistry(handle.db, { key: null, envSecrets: {} }),
  reference: new ReferenceCache(handle.db),
});

/**
 * Every figure of the scale benchmark on one seeded database, in an order where each phase starts
 * from a settled database: reads first (nothing written yet), single refreshes, the drain, then
 * the production server for event-to-current and for intake. A phase that hits its time cap
 * leaves events behind; they are parked (parkBacklog) before the next phase.
 */
export async function measureTarget(target: SeededTarget, s: PhaseSettings, say: (m: string) => void): Promise<TargetFigures> {
  const runId = Date.now().toString(36);
  let handle = await target.open();
  say("reads");
  const reads = await measureReads(handle.db, { ...s.reads, historyCaseId: target.seed.historyCaseId!, groups: target.seed.groups });
  const updates = await TicketUpdates.load(handle.db, 6000);
  const ctx = engineOf(handle);
  say("single refreshes");
  const oneRefresh = await oneRefreshTimes(ctx, updates, { ...s.oneRefresh, runId });
  say("drain");
  const concurrency = defaultRefreshConcurrency(target.kind);
  const second = target.kind === "postgres" ? await target.open() : null;
  const engines = [{ ctx, concurrency }, ...(second ? [{ ctx: engineOf(second), concurrency }] : [])];
  const drain = await drainBurst(engines, updates, { ...s.drain, runId });
  await second?.close();
  let parked = await parkBacklog(handle.db);
  await handle.close();

  const server: ServerTarget = {
    env: target.databaseUrl ? { DATABASE_URL: target.databaseUrl } : { DATA_DIR: target.dataDir! },
    port: s.port,
    secrets: benchSecrets(),
  };
  say(`event-to-current at ${s.latency.rate}/s`);
  const prefix = `scale_lat_${runId}_`;
  await withServer(server, (srv) => steadyLoad(srv, server, updates, { ...s.latency, prefix }));
  handle = await target.open(1);
  const latency = await latencies(handle.db, `${prefix}m`);
  parked += await parkBacklog(handle.db);
  await handle.close();

  say(`intake at ${s.intake.rate}/s with refresh on`);
  const intake = await withServer(server, (srv) =>
    openLoop((k) => updates.signed(k, srv.url, server.secrets, `scale_in_${runId}_`), s.intake.rate, s.intake.seconds),
  );
  return { reads, oneRefresh, drain, latency, intake, parked };
}

export const median = (sorted: number[]) => percentile(sorted, 50);
export const p95 = (sorted: number[]) => percentile(sorted, 95);
export const ackP99 = (r: LoadResult) => p(r, 99);
