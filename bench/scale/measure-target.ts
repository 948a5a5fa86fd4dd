import type { DbHandle } from "../../server/db/client";
import { SourceRegistry } from "../../server/sources/registry";
import { ReferenceCache } from "../../server/reference/load-reference";
import type { EngineContext } from "../../server/refresh/engine-context";
import { defaultRefreshConcurrency } from "../../server/runtime";
import { latencies, type EventToCurrent } from "../lib";
import { openLoop, type LoadResult } from "../open-loop";
import { benchSecrets } from "../workload";
import type { SeededTarget } from "./databases";
import { drainBurst, oneRefreshTimes, parkBacklog, type DrainResult } from "./measure-engine";
import { measureReads, type ReadFigure } from "./measure-reads";
import { steadyLoad, withServer, type ServerTarget } from "./measure-server";
import { TicketUpdates } from "./ticket-updates";

export interface PhaseSettings {
  oneRefresh: { samples: number; budgetMs: number };
  drain: { events: number; batch: number; capMs: number };
  latency: { rate: number; seconds: number; drainCapMs: number };
  intake: { rate: number; seconds: number };
  reads: { reps: number; budgetMs: number };
  port: number;
}

const engineOf = (handle: DbHandle): EngineContext => ({
  db: handle.db,
  registry: new SourceRegistry(handle.db, { key: null, envSecrets: {} }),
  reference: new ReferenceCache(handle.db),
});

export interface PairedFigures {
  reads: ReadFigure[];
  oneRefresh: { small: number[]; large: number[] };
  /** Each side's ticket updates, versions tracked on for the later phases. */
  updates: { small: TicketUpdates; large: TicketUpdates };
}

/**
 * The figures measured on both databases in turn, call for call: the UI's reads (nothing written
 * yet) and single refreshes. Both databases are open at once here.
 */
export async function measurePaired(small: SeededTarget, large: SeededTarget, s: PhaseSettings, say: (m: string) => void): Promise<PairedFigures> {
  const [ha, hb] = [await small.open(), await large.open()];
  try {
    say("reads, small and large in turn");
    const reads = await measureReads(
      { db: ha.db, historyCaseId: small.seed.historyCaseId!, groups: small.seed.groups },
      { db: hb.db, historyCaseId: large.seed.historyCaseId!, groups: large.seed.groups },
      s.reads,
    );
    const updates = { small: await TicketUpdates.load(ha.db, 6000), large: await TicketUpdates.load(hb.db, 6000) };
    say("single refreshes, small and large in turn");
    const oneRefresh = await oneRefreshTimes(
      { ctx: engineOf(ha), updates: updates.small },
      { ctx: engineOf(hb), updates: updates.large },
      { ...s.oneRefresh, runId: Date.now().toString(36) },
    );
    return { reads, oneRefresh, updates };
  } finally {
    await ha.close();
    await hb.close();
  }
}

export interface LoadFigures {
  drain: DrainResult;
  latency: EventToCurrent;
  intake: LoadResult;
  parked: number;
}

/**
 * The figures that load one database and so cannot share the machine with the other: the drain
 * of a burst, then the production server for event-to-current and for intake with refresh on. A
 * phase that hits its time cap leaves events behind; they are parked (parkBacklog) before the next.
 */
export async function measureLoad(target: SeededTarget, updates: TicketUpdates, s: PhaseSettings, say: (m: string) => void): Promise<LoadFigures> {
  const runId = Date.now().toString(36);
  say(`drain of ${s.drain.events} events on distinct cases`);
  let handle = await target.open();
  const concurrency = defaultRefreshConcurrency(target.kind);
  const second = target.kind === "postgres" ? await target.open() : null;
  const engines = [{ ctx: engineOf(handle), concurrency }, ...(second ? [{ ctx: engineOf(second), concurrency }] : [])];
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
  return { drain, latency, intake, parked };
}
