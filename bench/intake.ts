// `npm run bench:intake`: open-loop webhook load at fixed rates against the production build, then
// its capacity (32 deliveries in flight, closed loop). On PostgreSQL the capacity is compared, in
// the same run and with the same load generator, with a minimal reference intake
// (bench/reference-intake.ts); on PGlite with the embedded database's own insert ceiling.
import "./quiet";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createPostgresDatabase } from "../dev/testing/test-db";
import { pgliteCeilings } from "./ceiling";
import { BENCH_PORT, CpuMeter, fmt, mb, raiseRateLimits, RssSampler, startReferenceIntake, startServer, table, type ServerProcess } from "./lib";
import { closedLoop, mergeResults, openLoop, p, type LoadResult } from "./open-loop";
import { benchSecrets, secretEnv, signedAt } from "./workload";

const quick = process.argv.includes("--quick");
const only = process.argv.find((a) => a.startsWith("--db="))?.slice(5);
const PHASES = quick
  ? [{ rate: 250, seconds: 5 }, { rate: 500, seconds: 5 }, { rate: 1000, seconds: 10 }]
  : [{ rate: 250, seconds: 10 }, { rate: 500, seconds: 20 }, { rate: 1000, seconds: 60 }];
/** Capacity is measured in slots taken in turn, app and reference in ABBA order, so drift in the machine's load hits both alike. */
const SLOT_SECONDS = quick ? 3 : 4;
const SLOT_PAIRS = 2;
const IN_FLIGHT = 32;
const TARGET_RATIO = 0.8;

/** A closed-loop measurer for one server: each call continues its own stream of deliveries. */
function capacityOf(server: ServerProcess, secrets: Record<string, string>, runId: string, start: number, meter?: CpuMeter) {
  let offset = start;
  const slots: LoadResult[] = [];
  const cpu = { appMs: 0, dbMs: 0 };
  return {
    slots,
    cpu,
    async slot(seconds: number) {
      await meter?.start();
      const r = await closedLoop((i) => signedAt(i, 2000, server.url, secrets, runId), IN_FLIGHT, seconds, offset);
      const used = await meter?.stop();
      cpu.appMs += used?.appMs ?? 0;
      cpu.dbMs += used?.dbMs ?? 0;
      offset += r.sent;
      slots.push(r);
    },
  };
}

const databaseName = (url: string) => decodeURIComponent(new URL(url).pathname.slice(1));
/** CPU per accepted delivery, in microseconds, of the server process and of its database backends. */
const cpuPerDelivery = (cpu: { appMs: number; dbMs: number }, r: LoadResult) =>
  `${fmt((1000 * cpu.appMs) / r.accepted, 0)} µs server + ${fmt((1000 * cpu.dbMs) / r.accepted, 0)} µs PostgreSQL`;

const perSecond = (r: LoadResult | null | undefined) => (r ? r.accepted / r.seconds : 0);
const row = (label: string, r: LoadResult) => [label, fmt(r.seconds, 0), fmt(perSecond(r), 0), fmt(p(r, 50), 2), fmt(p(r, 99), 2), JSON.stringify(r.other), r.errors];

/** Runs one database's measurements; whatever they started is stopped and dropped, even when they fail. */
async function runOn(kind: "postgres" | "pglite") {
  const cleanups: (() => Promise<void>)[] = [];
  try {
    await measureOn(kind, cleanups);
  } finally {
    for (const c of cleanups) await c().catch((err) => console.error(`cleanup failed: ${(err as Error).message}`));
  }
}

async function measureOn(kind: "postgres" | "pglite", cleanups: (() => Promise<void>)[]) {
  const secrets = benchSecrets();
  const env: Record<string, string> = { ...secretEnv(secrets), IN_PROCESS_WORKER: "off", APP_SECRET_KEY: "11".repeat(32) };
  let reference: ServerProcess | null = null;
  let ceiling = NaN;
  let appDbName = "";
  let refDbName = "";
  if (kind === "postgres") {
    // The app and the reference each on a fresh database of their own.
    const db = await createPostgresDatabase();
    env.DATABASE_URL = db.url;
    appDbName = databaseName(db.url);
    cleanups.push(db.drop);
    const refDb = await createPostgresDatabase();
    refDbName = databaseName(refDb.url);
    cleanups.push(refDb.drop);
    reference = await startReferenceIntake({ ...secretEnv(secrets), DATABASE_URL: refDb.url }, BENCH_PORT + 3);
    cleanups.unshift(() => reference!.stop());
  } else {
    const dir = mkdtempSync(path.join(tmpdir(), "bench-intake-"));
    env.DATA_DIR = dir;
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    // Single-row INSERTs, each its own committed transaction, through PGlite as one stream.
    ceiling = (await pgliteCeilings(quick ? 3 : 5)).insert;
  }
  const server = await startServer(env, BENCH_PORT + (kind === "postgres" ? 1 : 2));
  cleanups.unshift(() => server.stop());
  if (env.DATABASE_URL) await raiseRateLimits(env.DATABASE_URL);
  const rss = new RssSampler(server.pid);
  const runId = Date.now().toString(36);
  const rows: (string | number)[][] = [["rate/s", "seconds", "accepted/s", "p50 ms", "p99 ms", "non-202", "errors"]];
  const results = [];
  let offset = 0;
  let app: LoadResult | null = null;
  let ref: LoadResult | null = null;
  const slotFigures: string[] = [];
  const cpuFigures: string[] = [];
  try {
    // Warm-up: first requests compile routes, fill caches and let the JIT settle, on both servers.
    await openLoop((i) => signedAt(i, 2000, server.url, secrets, `${runId}w`), 100, 3);
    if (reference) await openLoop((i) => signedAt(i, 2000, reference!.url, secrets, `${runId}w`), 100, 3);
    for (const phase of PHASES) {
      const r = await openLoop((i) => signedAt(i, 2000, server.url, secrets, runId), phase.rate, phase.seconds, offset);
      offset += r.sent;
      results.push({ ...phase, r });
      rows.push([phase.rate, phase.seconds, fmt(perSecond(r), 0), fmt(p(r, 50), 2), fmt(p(r, 99), 2), JSON.stringify(r.other), r.errors]);
    }
    // Capacity: 32 senders, each sending its next delivery when the last is answered.
    const meter = (pid: number, name: string) => (env.DATABASE_URL ? new CpuMeter(pid, name, env.DATABASE_URL) : undefined);
    const appLoop = capacityOf(server, secrets, runId, offset, meter(server.pid, appDbName));
    const refLoop = reference ? capacityOf(reference, secrets, runId, 0, meter(reference.pid, refDbName)) : null;
    // Both at full speed once before measuring: JIT, pools at full size.
    await closedLoop((i) => signedAt(i, 2000, server.url, secrets, `${runId}x`), IN_FLIGHT, 2);
    if (reference) await closedLoop((i) => signedAt(i, 2000, reference!.url, secrets, `${runId}x`), IN_FLIGHT, 2);
    for (let pair = 0; pair < (refLoop ? SLOT_PAIRS : 1); pair++) {
      if (!refLoop) {
        await appLoop.slot(quick ? 5 : 15);
        break;
      }
      // A B B A
      await appLoop.slot(SLOT_SECONDS);
      await refLoop.slot(SLOT_SECONDS);
      await refLoop.slot(SLOT_SECONDS);
      await appLoop.slot(SLOT_SECONDS);
    }
    slotFigures.push(`app ${appLoop.slots.map((r) => fmt(perSecond(r), 0)).join(", ")}`);
    if (refLoop) slotFigures.push(`reference ${refLoop.slots.map((r) => fmt(perSecond(r), 0)).join(", ")}`);
    app = mergeResults(appLoop.slots);
    if (env.DATABASE_URL) cpuFigures.push(`app ${cpuPerDelivery(appLoop.cpu, app)}`);
    rows.push(row(`app, max (${IN_FLIGHT} in flight)`, app));
    if (refLoop) {
      ref = mergeResults(refLoop.slots);
      cpuFigures.push(`reference ${cpuPerDelivery(refLoop.cpu, ref)}`);
      rows.push(row(`reference, max (${IN_FLIGHT} in flight)`, ref));
    }
  } finally {
    const peak = rss.stop();
    await server.stop();
    console.log(`\n## Intake on ${kind}`);
    console.log(table(rows));
    const top = results.at(-1)?.r;
    const at500 = results.find((x) => x.rate === 500)?.r;
    const sustained = perSecond(top);
    const max = perSecond(app);
    console.log(`sustained accepted/s at the top rate: ${fmt(sustained, 0)}; capacity: ${fmt(max, 0)} accepted/s`);
    if (kind === "postgres") {
      const baseline = perSecond(ref);
      const ratio = max / baseline;
      console.log(`capacity slot by slot (accepted/s): ${slotFigures.join("; ")}`);
      console.log(`CPU per accepted delivery at capacity: ${cpuFigures.join("; ")}`);
      console.log(`reference intake (verify, JSON.parse, one INSERT through pg): ${fmt(baseline, 0)} accepted/s`);
      console.log(`app / reference = ${fmt(ratio, 2)}`);
      console.log(`peak app RSS: ${mb(peak)}`);
      const checks = [
        [`≥ 1000 events/s sustained`, sustained >= 1000 * 0.98],
        [`capacity ≥ ${TARGET_RATIO} of the reference intake (${fmt(ratio, 2)})`, Number.isFinite(ratio) && ratio >= TARGET_RATIO],
        [`p99 ack < 25 ms at 500/s (${fmt(at500 ? p(at500, 99) : NaN, 2)} ms)`, at500 ? p(at500, 99) < 25 : false],
        [`app RSS < 400 MB (${mb(peak)})`, peak < 400 * 1024 * 1024],
      ] as const;
      for (const [label, ok] of checks) console.log(`${ok ? "✓" : "✗"} ${label}`);
    } else {
      console.log(`ceiling, single-row INSERTs/s through PGlite: ${fmt(ceiling, 0)}; capacity = ${fmt((100 * max) / ceiling, 0)}% of it`);
      console.log(`peak app RSS: ${mb(peak)}`);
    }
  }
}

for (const kind of ["postgres", "pglite"] as const) {
  if (!only || only === kind) await runOn(kind);
}
