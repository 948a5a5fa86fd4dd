// `npm run bench:soak -- [--minutes=30] [--db=pglite|postgres] [--rate=100] [--reads=5] [--case-minutes=5]`: steady
// mixed load against the production build for a long run: signed webhooks open-loop at `rate`/s,
// the in-process refresh worker turning them into record versions, and read-API reads (the change
// feed and current records, `reads`/s). Every minute it prints the server's memory, the intake's
// acknowledgement latency, the reads' latency, the refresh backlog and the server's refusals by
// reason (why any 503 was answered: overload_in_flight, overload_admission, overload_stall,
// database_unavailable); at the end the ratio of the
// last five minutes to the first five (1.0 = flat) for memory and p99 latencies. Cases live
// `case-minutes` (5) minutes of the mix, then new ones open in their slots (bench/workload.ts
// eventAt): the database grows all run long, a case's record does not grow without end. A case's
// record grows over its life (notes, bundles, versions), so each window of the ratio must hold
// whole lives: with lives of 5 minutes and a run of whole 5-minute spans, the first and the last
// five minutes are each one generation of cases from its first event to its last, and the ratio
// compares a database 6 times larger doing the same work. (Lives counted in rounds of the mix made
// a life 10 minutes long at 50/s: the first five minutes saw young cases and the last five old
// ones, and the ratio measured the cases' age, not the run's.)
import http from "node:http";
import pg from "pg";
import { setTimeout as sleep } from "node:timers/promises";
import type { SignedRequest } from "../dev/simulator/sign";
import { backlogOf, BENCH_PORT, throwawayDatabase, fmt, mb, metricByLabels, metricSum, metricValue, percentile, refusedByReason, scrapeMetrics, startServer, table, treeRss } from "./lib";
import { benchSecrets, secretEnv, signedAt } from "./workload";

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const kind = (arg("db") ?? "pglite") as "pglite" | "postgres";
if (kind !== "pglite" && kind !== "postgres") throw new Error("--db must be pglite or postgres");
const minutes = Number(arg("minutes") ?? "30");
const rate = Number(arg("rate") ?? "100");
const readRate = Number(arg("reads") ?? "5");
const caseMinutes = Number(arg("case-minutes") ?? "5");
const CASES = 500;
/** Rounds of the mix (an event for each case slot) in one case's life. */
const lifetime = Math.max(1, Math.round((caseMinutes * 60 * rate) / CASES));
if (minutes >= 10 && (minutes % caseMinutes || 5 % caseMinutes)) console.warn(`warning: ${minutes} min is not a whole number of ${caseMinutes}-minute case lives; the last-5/first-5 ratio then compares cases of different ages`);
const TOKEN = "soak-benchmark-token-0123456789";

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function request(url: string, init: { method: string; headers: Record<string, string>; body?: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = init.body === undefined ? undefined : Buffer.from(init.body);
    const headers = body ? { ...init.headers, "content-length": String(body.length) } : init.headers;
    const r = http.request(url, { method: init.method, agent, headers }, (res) => {
      res.on("data", () => {});
      res.on("end", () => resolve(res.statusCode ?? 0));
      res.on("error", reject);
    });
    r.on("error", reject);
    r.end(body);
  });
}

interface Minute {
  /** PostgreSQL only: database size, and over the minute the share of page reads served by shared buffers, WAL written and its full-page images. */
  pg?: { sizeMb: number; hitPct: number; walMb: number; fpi: number };
  acks: number[];
  reads: number[];
  statuses: Record<string, number>;
  rss: number[];
  backlog: number;
  /** The server's refusals of the minute by reason (its metrics): why the 503s were answered. */
  refused: Record<string, number>;
  /** The server's own metrics at the minute's end: V8's heap and the memory outside it (PGlite's WebAssembly heap), in bytes. */
  heap?: number;
  external?: number;
  /** Seconds the app's table upkeep spent in VACUUM/ANALYZE during the minute (on PGlite it holds the one thread). */
  upkeepSeconds?: number;
  /** Refreshes the server ran during the minute and the seconds they took (its refresh-duration histogram): how busy the refresh kept it. */
  refreshes?: number;
  refreshSeconds?: number;
  /** Seconds the server's garbage collector ran during the minute (minor and major), to weigh heap size against collection time. */
  gcSeconds?: number;
}

const newMinute = (): Minute => ({ acks: [], reads: [], statuses: {}, rss: [], backlog: NaN, refused: {} });
/** Answers of a minute's requests may arrive after it ended: sort a copy each time. */
const pct = (xs: number[], q: number) => percentile([...xs].sort((a, b) => a - b), q);

async function main() {
  const secrets = benchSecrets();
  const runId = Date.now().toString(36);
  const env: Record<string, string> = { ...secretEnv(secrets), IN_PROCESS_WORKER: "on", API_TOKEN: TOKEN, APP_SECRET_KEY: "11".repeat(32) };
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const db = await throwawayDatabase(kind, "soak");
    Object.assign(env, db.env);
    cleanups.push(db.drop);
    const server = await startServer(env, BENCH_PORT + 7);
    cleanups.unshift(() => server.stop());
    console.log(`soak on ${kind}: ${rate} webhooks/s over ${CASES} cases, each case open for ${fmt((lifetime * CASES) / rate / 60, 1)} min (${lifetime} events), and ${readRate} reads/s for ${minutes} min`);
    // PostgreSQL's side of each minute (whether the working set still fits its shared buffers, how
    // much WAL the load writes), to tell a slower database from a slower app.
    const stats = kind === "postgres" ? new pg.Client({ connectionString: env.DATABASE_URL }) : null;
    if (stats) {
      await stats.connect();
      cleanups.unshift(() => stats.end());
      const { rows } = await stats.query<{ v: string }>(`SELECT current_setting('shared_buffers') AS v`);
      console.log(`PostgreSQL shared_buffers: ${rows[0]!.v} (the database grows past it as the run goes on; the buffer-hit column shows when)`);
    }
    let lastPg: { read: number; hit: number; wal: number; fpi: number } | null = null;
    const pgMinute = async (): Promise<Minute["pg"]> => {
      if (!stats) return undefined;
      const { rows } = await stats.query<{ size: string; read: string; hit: string; wal: string; fpi: string }>(
        `SELECT pg_database_size(current_database())::text AS size, d.blks_read::text AS read, d.blks_hit::text AS hit, w.wal_bytes::text AS wal, w.wal_fpi::text AS fpi
         FROM pg_stat_database d, pg_stat_wal w WHERE d.datname = current_database()`,
      );
      const r = rows[0]!;
      const now = { read: Number(r.read), hit: Number(r.hit), wal: Number(r.wal), fpi: Number(r.fpi) };
      const prev = lastPg ?? { read: 0, hit: 0, wal: now.wal, fpi: now.fpi };
      lastPg = now;
      const reads = now.read - prev.read + (now.hit - prev.hit);
      return { sizeMb: Number(r.size) / 1048576, hitPct: reads ? (100 * (now.hit - prev.hit)) / reads : 100, walMb: (now.wal - prev.wal) / 1048576, fpi: now.fpi - prev.fpi };
    };
    await pgMinute();

    const done: Minute[] = [];
    let current = newMinute();
    const count = (label: string): void => {
      current.statuses[label] = (current.statuses[label] ?? 0) + 1;
    };
    const rssTimer = setInterval(() => current.rss.push(treeRss(server.pid)), 1000);
    const inflight = new Set<Promise<void>>();
    const track = (p: Promise<void>) => {
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    };
    const start = performance.now();
    const end = start + minutes * 60_000;
    let sent = 0;
    let reads = 0;
    let nextMinute = start + 60_000;
    let lastRefused = new Map<string, number>();
    let lastUpkeep = 0;
    let lastRefresh = { count: 0, sum: 0 };
    let lastGc = 0;
    let lastScrape = "";
    /** The server's side of the minute, from one scrape of its metrics. */
    const serverMinute = async (m: Minute): Promise<void> => {
      const text = await scrapeMetrics(server.url, TOKEN);
      lastScrape = text;
      const now = refusedByReason(text);
      m.refused = {};
      for (const [reason, n] of now) if (n > (lastRefused.get(reason) ?? 0)) m.refused[reason] = n - (lastRefused.get(reason) ?? 0);
      lastRefused = now;
      m.heap = metricValue(text, "nodejs_heap_size_total_bytes");
      m.external = metricValue(text, "nodejs_external_memory_bytes");
      const upkeep = metricSum(text, "escalation_table_upkeep_seconds_total");
      m.upkeepSeconds = upkeep - lastUpkeep;
      lastUpkeep = upkeep;
      const refresh = { count: metricSum(text, "escalation_refresh_duration_seconds_count"), sum: metricSum(text, "escalation_refresh_duration_seconds_sum") };
      m.refreshes = refresh.count - lastRefresh.count;
      m.refreshSeconds = refresh.sum - lastRefresh.sum;
      lastRefresh = refresh;
      const gc = metricSum(text, "nodejs_gc_duration_seconds_sum");
      m.gcSeconds = gc - lastGc;
      lastGc = gc;
    };
    const rows: (string | number)[][] = [
      ["minute", "RSS", "heap / external", "ack p50 ms", "ack p99 ms", "read p99 ms", "backlog", "refreshes (s)", "upkeep s", "GC s", "answers", "refused by reason", ...(stats ? ["db MB", "buffer hits", "WAL MB", "full pages"] : [])],
    ];
    /** Ends the current minute: its backlog from the health endpoint, a printed line. */
    const closeMinute = async () => {
      const m = current;
      current = newMinute();
      try {
        m.backlog = (await backlogOf(server.url, TOKEN)) ?? NaN;
      } catch {
        // reported as n/a
      }
      m.pg = await pgMinute().catch(() => undefined);
      await serverMinute(m).catch(() => (m.refused = { "metrics unavailable": 1 }));
      done.push(m);
      const row = [
        done.length,
        mb(Math.max(...m.rss, 0)),
        m.heap === undefined ? "n/a" : `${mb(m.heap)} / ${mb(m.external ?? NaN)}`,
        fmt(pct(m.acks, 50), 1),
        fmt(pct(m.acks, 99), 1),
        fmt(pct(m.reads, 99), 1),
        m.backlog,
        m.refreshes === undefined ? "n/a" : `${m.refreshes} (${fmt(m.refreshSeconds ?? NaN, 1)})`,
        m.upkeepSeconds === undefined ? "n/a" : fmt(m.upkeepSeconds, 1),
        m.gcSeconds === undefined ? "n/a" : fmt(m.gcSeconds, 1),
        JSON.stringify(m.statuses),
        JSON.stringify(m.refused),
      ];
      if (m.pg) row.push(fmt(m.pg.sizeMb, 0), `${fmt(m.pg.hitPct, 2)} %`, fmt(m.pg.walMb, 0), m.pg.fpi);
      rows.push(row);
      console.log(row.join("  |  "));
    };
    while (performance.now() < end) {
      const now = performance.now();
      while (start + (sent * 1000) / rate <= now) {
        const scheduled = start + (sent * 1000) / rate;
        const req: SignedRequest = signedAt(sent++, CASES, server.url, secrets, runId, lifetime);
        const m = current;
        track(
          request(req.url, { method: "POST", headers: req.headers, body: req.body })
            .then((status) => {
              m.acks.push(performance.now() - scheduled);
              count(String(status));
            })
            .catch(() => count("error")),
        );
      }
      while (readRate > 0 && start + (reads * 1000) / readRate <= now) {
        const scheduled = start + (reads * 1000) / readRate;
        // A case of the generation open now (eventAt's naming).
        const generation = Math.floor(Math.floor(sent / CASES) / lifetime);
        const url = reads++ % 2 ? `${server.url}/api/v1/changes?limit=100` : `${server.url}/api/v1/cases/BENCH-${reads % CASES}${generation ? `-g${generation}` : ""}/record`;
        const m = current;
        track(
          request(url, { method: "GET", headers: { authorization: `Bearer ${TOKEN}` } })
            .then((status) => {
              m.reads.push(performance.now() - scheduled);
              if (status !== 200 && status !== 404) count(`read ${status}`);
            })
            .catch(() => count("read error")),
        );
      }
      if (now >= nextMinute) {
        nextMinute += 60_000;
        await closeMinute();
      }
      await sleep(2);
    }
    // The last minute ends with the run.
    if (current.acks.length || inflight.size) await closeMinute();
    clearInterval(rssTimer);
    await Promise.all(inflight);

    console.log(table(rows));
    // Where the table upkeep's time went over the run (the server's upkeep counter by table and action).
    const upkeep = [...metricByLabels(lastScrape, "escalation_table_upkeep_seconds_total", (l) => `table=${l.table},action=${l.action}`)]
      .map(([labels, seconds]) => ({ labels, seconds }))
      .sort((a, b) => b.seconds - a.seconds);
    if (upkeep.length) console.log(`table upkeep over the run: ${upkeep.slice(0, 8).map((u) => `${u.labels} ${fmt(u.seconds, 1)} s`).join("; ")}`);
    const span = Math.min(5, Math.floor(done.length / 2));
    if (span >= 1) {
      const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
      const first = done.slice(0, span);
      const last = done.slice(-span);
      const ratio = (f: (m: Minute) => number) => mean(last.map(f)) / mean(first.map(f));
      const rssOf = (m: Minute) => mean(m.rss);
      console.log(
        table([
          [`last ${span} min ÷ first ${span} min`, "RSS", "ack p99", "read p99", "backlog (absolute, first → last)"],
          [
            "ratio",
            fmt(ratio(rssOf), 2),
            fmt(ratio((m) => pct(m.acks, 99)), 2),
            fmt(ratio((m) => pct(m.reads, 99)), 2),
            `${fmt(mean(first.map((m) => m.backlog)), 0)} → ${fmt(mean(last.map((m) => m.backlog)), 0)}`,
          ],
        ]),
      );
    } else {
      console.log("run at least 2 minutes for the last/first ratios");
    }
  } finally {
    for (const c of cleanups) await c().catch((err) => console.error(`cleanup failed: ${(err as Error).message}`));
    agent.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
