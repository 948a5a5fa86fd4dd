// `npm run bench:intake`: open-loop webhook load at fixed rates against the production build, on
// PostgreSQL and on PGlite, compared in the same run with the insert ceiling of the same database.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createPostgresDatabase } from "../server/testing/test-db";
import { pgInsertCeiling, pgliteCeilings } from "./ceiling";
import { fmt, mb, RssSampler, startServer, table } from "./lib";
import { closedLoop, openLoop, p } from "./open-loop";
import { benchSecrets, secretEnv, signedAt } from "./workload";

const quick = process.argv.includes("--quick");
const only = process.argv.find((a) => a.startsWith("--db="))?.slice(5);
const PHASES = quick
  ? [{ rate: 250, seconds: 5 }, { rate: 500, seconds: 5 }, { rate: 1000, seconds: 10 }]
  : [{ rate: 250, seconds: 10 }, { rate: 500, seconds: 20 }, { rate: 1000, seconds: 60 }];

async function runOn(kind: "postgres" | "pglite") {
  const secrets = benchSecrets();
  const env: Record<string, string> = { ...secretEnv(secrets), IN_PROCESS_WORKER: "off", APP_SECRET_KEY: "11".repeat(32) };
  let cleanup = async () => {};
  // The ceiling: single-row INSERTs, each its own committed transaction, as one stream (the app's
  // unit of work, one delivery after another) and, on PostgreSQL, from 10 connections at once (the
  // database's own limit with group commit, the size of the app's pool).
  let ceiling: number;
  let pooledCeiling = NaN;
  if (kind === "postgres") {
    const db = await createPostgresDatabase();
    env.DATABASE_URL = db.url;
    cleanup = db.drop;
    ceiling = await pgInsertCeiling(db.url, quick ? 5 : 10, 1);
    pooledCeiling = await pgInsertCeiling(db.url, quick ? 5 : 10, 10);
  } else {
    const dir = mkdtempSync(path.join(tmpdir(), "bench-intake-"));
    env.DATA_DIR = dir;
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
    ceiling = (await pgliteCeilings(quick ? 3 : 5)).insert;
  }
  const server = await startServer(env, 4900 + (kind === "postgres" ? 1 : 2));
  const rss = new RssSampler(server.pid);
  const runId = Date.now().toString(36);
  const rows: (string | number)[][] = [["rate/s", "seconds", "accepted/s", "p50 ms", "p99 ms", "non-202", "errors"]];
  const results = [];
  let offset = 0;
  let capacity: Awaited<ReturnType<typeof closedLoop>> | null = null;
  try {
    // Warm-up: first requests compile routes and fill caches.
    await openLoop((i) => signedAt(i, 2000, server.url, secrets, `${runId}w`), 100, 3);
    for (const phase of PHASES) {
      const r = await openLoop((i) => signedAt(i, 2000, server.url, secrets, runId), phase.rate, phase.seconds, offset);
      offset += r.sent;
      results.push({ ...phase, r });
      rows.push([phase.rate, phase.seconds, fmt(r.accepted / r.seconds, 0), fmt(p(r, 50), 2), fmt(p(r, 99), 2), JSON.stringify(r.other), r.errors]);
    }
    // Capacity: 32 senders, each sending its next delivery when the last is answered.
    capacity = await closedLoop((i) => signedAt(i, 2000, server.url, secrets, runId), 32, quick ? 5 : 15, offset);
    rows.push(["max (32 in flight)", fmt(capacity.seconds, 0), fmt(capacity.accepted / capacity.seconds, 0), fmt(p(capacity, 50), 2), fmt(p(capacity, 99), 2), JSON.stringify(capacity.other), capacity.errors]);
  } finally {
    const peak = rss.stop();
    await server.stop();
    await cleanup();
    console.log(`\n## Intake on ${kind}`);
    console.log(table(rows));
    const top = results.at(-1)?.r;
    const at500 = results.find((x) => x.rate === 500)?.r;
    const sustained = top ? top.accepted / top.seconds : 0;
    const max = capacity ? capacity.accepted / capacity.seconds : 0;
    console.log(`ceiling, single-row INSERTs/s through ${kind === "postgres" ? "pg, one connection" : "PGlite"}: ${fmt(ceiling, 0)}`);
    if (kind === "postgres") console.log(`ceiling, single-row INSERTs/s through pg, 10 connections: ${fmt(pooledCeiling, 0)}`);
    console.log(`sustained accepted/s at the top rate: ${fmt(sustained, 0)}; capacity: ${fmt(max, 0)} accepted/s`);
    console.log(`capacity = ${fmt((100 * max) / ceiling, 0)}% of the one-stream ceiling${kind === "postgres" ? `, ${fmt((100 * max) / pooledCeiling, 0)}% of the 10-connection ceiling` : ""}`);
    console.log(`peak app RSS: ${mb(peak)}`);
    if (kind === "postgres") {
      const checks = [
        [`≥ 1000 events/s sustained`, sustained >= 1000 * 0.98],
        [`capacity ≥ 50% of the one-stream insert ceiling`, max >= ceiling / 2],
        [`capacity ≥ 50% of the 10-connection insert ceiling`, max >= pooledCeiling / 2],
        [`p99 ack < 25 ms at 500/s (${fmt(at500 ? p(at500, 99) : NaN, 2)} ms)`, at500 ? p(at500, 99) < 25 : false],
        [`app RSS < 400 MB (${mb(peak)})`, peak < 400 * 1024 * 1024],
      ] as const;
      for (const [label, ok] of checks) console.log(`${ok ? "✓" : "✗"} ${label}`);
    }
  }
}

for (const kind of ["postgres", "pglite"] as const) {
  if (!only || only === kind) await runOn(kind);
}
