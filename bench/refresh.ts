// `npm run bench:refresh`: the refresh engine on PostgreSQL and PGlite — draining a burst, event-to-
// current latency at a steady rate, refresh cost against history length, peak memory — compared in
// the same run with the ceiling of one insert-plus-update transaction through the same database.
// The drain is measured twice: a burst that folds (many events per case, as sources really send
// them) and one event per case on a database already holding HISTORY_CASES cases of history, where
// nothing folds and every event costs a whole refresh; the latency phase sends one event per case
// into such a database too, so neither figure can flatter the engine.
import "./quiet";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { openDb, type DbHandle } from "../server/db/client";
import { migrate } from "../server/db/migrate";
import { parseEvent } from "../server/intake/event-schemas";
import { storeEvent } from "../server/intake/store-event";
import { SourceRegistry } from "../server/sources/registry";
import { ReferenceCache } from "../server/reference/load-reference";
import { seedReference } from "../server/reference/seed-reference";
import type { EngineContext } from "../server/refresh/engine-context";
import { drain, processBatch } from "../server/refresh/process-events";
import { refreshCase } from "../server/refresh/refresh-case";
import { ticket } from "../dev/testing/events";
import { seedSyntheticHistory } from "../dev/testing/synthetic-history";
import { defaultRefreshConcurrency } from "../server/runtime";
import { createPostgresDatabase } from "../dev/testing/test-db";
import { pgliteCeilings, pgTxCeiling } from "./ceiling";
import { backlogOf, BENCH_PORT, fmt, latencies, mb, percentile, RssSampler, startServer, table } from "./lib";
import { openLoop } from "./open-loop";
import { benchSecrets, distinctCaseUpdate, eventAt, secretEnv, signedAt, signedDistinct } from "./workload";

const quick = process.argv.includes("--quick");
const only = process.argv.find((a) => a.startsWith("--db="))?.slice(5);
/** `--distinct-only`: just the ceiling and the one-event-per-case drain (the refresh's capacity), a minute or two per database. */
const distinctOnly = process.argv.includes("--distinct-only");
const BURST = quick ? 2000 : 10_000;
const CASES = quick ? 100 : 500;
/** Cases of synthetic history (bulk SQL) under the distinct-case drain and the latency phase. */
const HISTORY_CASES = quick ? 5_000 : 20_000;
const DISTINCT = quick ? 500 : 2_000;

async function engine(databaseUrl?: string, dataDir?: string): Promise<{ ctx: EngineContext; handle: DbHandle }> {
  const handle = await openDb({ databaseUrl, dataDir });
  await migrate(handle.db);
  await seedReference(handle.db);
  const registry = new SourceRegistry(handle.db, { key: null, envSecrets: {} });
  return { handle, ctx: { db: handle.db, registry, reference: new ReferenceCache(handle.db) } };
}

async function store(ctx: EngineContext, k: number, ev = eventAt(k, CASES), id = `b_${k}`) {
  const parsed = parseEvent(ev.kind, ev.body);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  await storeEvent(ctx.db, (await ctx.registry.get(ev.kind))!, id, parsed.event);
}

/** Drains a stored burst with `workers` concurrent loops (separate connections on PostgreSQL). */
async function drainBurst(engines: { ctx: EngineContext; concurrency: number }[]): Promise<{ seconds: number; events: number }> {
  for (let k = 0; k < BURST; k++) await store(engines[0]!.ctx, k);
  const start = performance.now();
  const counts = await Promise.all(engines.map((e) => drain(e.ctx, 100, { concurrency: e.concurrency })));
  return { seconds: (performance.now() - start) / 1000, events: counts.reduce((a, b) => a + b, 0) };
}

/** One event on each of DISTINCT cases of a database holding HISTORY_CASES cases of history: nothing folds. */
async function drainDistinct(engines: { ctx: EngineContext; concurrency: number }[]): Promise<{ seconds: number; events: number }> {
  const ctx = engines[0]!.ctx;
  await seedSyntheticHistory(ctx.db, { cases: HISTORY_CASES });
  for (let k = 0; k < DISTINCT; k++) await store(ctx, k, distinctCaseUpdate(k, HISTORY_CASES), `d_${k}`);
  const start = performance.now();
  const counts = await Promise.all(engines.map((e) => drain(e.ctx, 100, { concurrency: e.concurrency })));
  return { seconds: (performance.now() - start) / 1000, events: counts.reduce((a, b) => a + b, 0) };
}

/** A migrated database holding HISTORY_CASES cases of synthetic history, for the latency phase's server. */
async function historyDatabase(databaseUrl?: string, dataDir?: string): Promise<void> {
  const e = await engine(databaseUrl, dataDir);
  await seedSyntheticHistory(e.ctx.db, { cases: HISTORY_CASES });
  await e.handle.close();
}

/** Milliseconds per refresh of a case that already has `history` versions (each refresh makes one more). */
async function refreshCost(ctx: EngineContext, caseId: string, history: number, samples: number): Promise<number> {
  let v = 0;
  const next = () => ticket(caseId, ++v, { subject: `Subject revision ${v % 2}`, notes: [] });
  for (let i = 0; i < history; i++) {
    await store(ctx, 0, next(), `${caseId}_h${v + 1}`);
    await processBatch(ctx, 10);
  }
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    await store(ctx, 0, next(), `${caseId}_s${v + 1}`);
    const t = performance.now();
    await refreshCase(ctx, caseId);
    times.push(performance.now() - t);
    await processBatch(ctx, 10); // settles the event; the case is already current
  }
  times.sort((a, b) => a - b);
  return percentile(times, 50);
}

async function latencyAtSteadyRate(env: Record<string, string>, port: number, secrets: Record<string, string>) {
  const server = await startServer(env, port);
  const rss = new RssSampler(server.pid);
  let peak = 0;
  try {
    // Warm-up: every case gets its first versions and the server its JIT before the measured phase.
    await openLoop((i) => signedAt(i, 200, server.url, secrets, "lw"), 100, 4);
    // Measured: one ticket update per case, each on a different case of the history.
    await openLoop((i) => signedDistinct(i, HISTORY_CASES, server.url, secrets, "lat"), 100, quick ? 10 : 30, 100_000);
    // Let the queue finish before reading latencies from the database.
    for (let i = 0; i < 120; i++) {
      if ((await backlogOf(server.url)) === 0) break;
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    peak = rss.stop();
    await server.stop();
  }
  return peak;
}

/** The ceiling and the one-event-per-case drain alone, with their ratio (both measured now, on the same machine and database kind). */
async function distinctOn(kind: "postgres" | "pglite") {
  const out: (string | number)[][] = [["measure", "value"]];
  const dir = mkdtempSync(path.join(tmpdir(), "bench-refresh-"));
  const db = kind === "postgres" ? await createPostgresDatabase() : null;
  const ceiling = db ? await pgTxCeiling(db.url, quick ? 5 : 10) : (await pgliteCeilings(quick ? 3 : 5)).tx;
  const engines = db ? [await engine(db.url), await engine(db.url)] : [await engine(undefined, path.join(dir, "distinct"))];
  const r = await drainDistinct(engines.map((e) => ({ ...e, concurrency: defaultRefreshConcurrency(kind) })));
  for (const e of engines) await e.handle.close();
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
  const rate = r.events / r.seconds;
  out.push([`drain ${DISTINCT} events, one per case, ${fmt(HISTORY_CASES, 0)}-case history`, `${fmt(rate, 0)} events/s (${fmt(r.seconds, 1)} s)`]);
  out.push([`ceiling: insert+update transactions/s`, fmt(ceiling, 0)]);
  out.push([`drain ÷ ceiling`, fmt(rate / ceiling, 3)]);
  console.log(`\n## One-event-per-case drain on ${kind}`);
  console.log(table(out));
}

async function runOn(kind: "postgres" | "pglite") {
  if (distinctOnly) return distinctOn(kind);
  const out: (string | number)[][] = [["measure", "value"]];
  const memory = new RssSampler(process.pid);
  let ceiling: number;
  let drainResult: { seconds: number; events: number };
  let distinctResult: { seconds: number; events: number };
  let cost10: number;
  let cost1000: number;
  let lat: { p50: number; p99: number; n: number };
  let serverPeak: number;
  const secrets = benchSecrets();
  if (kind === "postgres") {
    const burstDb = await createPostgresDatabase();
    ceiling = await pgTxCeiling(burstDb.url, quick ? 5 : 10);
    const a = await engine(burstDb.url);
    const b = await engine(burstDb.url);
    drainResult = await drainBurst([a, b].map((e) => ({ ...e, concurrency: defaultRefreshConcurrency("postgres") })));
    distinctResult = await drainDistinct([a, b].map((e) => ({ ...e, concurrency: defaultRefreshConcurrency("postgres") })));
    cost10 = await refreshCost(a.ctx, "HIST-10", 10, 30);
    cost1000 = await refreshCost(a.ctx, "HIST-1000", quick ? 300 : 1000, 30);
    await a.handle.close();
    await b.handle.close();
    await burstDb.drop();
    const latDb = await createPostgresDatabase();
    await historyDatabase(latDb.url);
    serverPeak = await latencyAtSteadyRate({ ...secretEnv(secrets), DATABASE_URL: latDb.url, APP_SECRET_KEY: "11".repeat(32) }, BENCH_PORT + 4, secrets);
    const reader = await openDb({ databaseUrl: latDb.url, poolSize: 1 });
    lat = await latencies(reader.db, "bench_lat_");
    await reader.close();
    await latDb.drop();
  } else {
    const dir = mkdtempSync(path.join(tmpdir(), "bench-refresh-"));
    ceiling = (await pgliteCeilings(quick ? 3 : 5)).tx;
    const a = await engine(undefined, path.join(dir, "burst"));
    drainResult = await drainBurst([{ ...a, concurrency: defaultRefreshConcurrency("pglite") }]);
    distinctResult = await drainDistinct([{ ...a, concurrency: defaultRefreshConcurrency("pglite") }]);
    cost10 = await refreshCost(a.ctx, "HIST-10", 10, 30);
    cost1000 = await refreshCost(a.ctx, "HIST-1000", quick ? 300 : 1000, 30);
    await a.handle.close();
    const latDir = path.join(dir, "lat");
    await historyDatabase(undefined, latDir);
    serverPeak = await latencyAtSteadyRate({ ...secretEnv(secrets), DATA_DIR: latDir }, BENCH_PORT + 5, secrets);
    const reader = await openDb({ dataDir: latDir });
    lat = await latencies(reader.db, "bench_lat_");
    await reader.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const benchPeak = memory.stop();
  const drainRate = drainResult.events / drainResult.seconds;
  const distinctRate = distinctResult.events / distinctResult.seconds;
  out.push([`drain ${BURST} events over ${CASES} cases (folding)`, `${fmt(drainRate, 0)} events/s (${fmt(drainResult.seconds, 1)} s)`]);
  out.push([`drain ${DISTINCT} events, one per case, ${fmt(HISTORY_CASES, 0)}-case history`, `${fmt(distinctRate, 0)} events/s (${fmt(distinctResult.seconds, 1)} s)`]);
  out.push([`ceiling: insert+update transactions/s`, fmt(ceiling, 0)]);
  out.push([`event-to-current at 100 events/s, one per case (n=${lat.n})`, `p50 ${fmt(lat.p50, 1)} ms, p99 ${fmt(lat.p99, 1)} ms`]);
  out.push([`refresh cost, 10 prior versions`, `${fmt(cost10, 2)} ms`]);
  out.push([`refresh cost, ${quick ? 300 : 1000} prior versions`, `${fmt(cost1000, 2)} ms (×${fmt(cost1000 / cost10, 2)})`]);
  out.push([`peak RSS: bench process (engine)`, mb(benchPeak)]);
  out.push([`peak RSS: app server at 100 events/s`, mb(serverPeak)]);
  console.log(`\n## Refresh on ${kind}`);
  console.log(table(out));
  if (kind === "postgres") {
    for (const [label, ok] of [
      [`drain ≥ 500 events/s`, drainRate >= 500],
      [`p99 event-to-current < 250 ms at 100 events/s`, lat.p99 < 250],
      [`refresh cost flat in history length (≤ 1.5×)`, cost1000 / cost10 <= 1.5],
    ] as const) console.log(`${ok ? "✓" : "✗"} ${label}`);
  }
}

for (const kind of ["postgres", "pglite"] as const) {
  if (!only || only === kind) await runOn(kind);
}
process.exit(0);
