import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import net from "node:net";
import path from "node:path";
import pg from "pg";
import { setTimeout as sleep } from "node:timers/promises";
import type { Db } from "../server/db/client";
import { createPostgresDatabase } from "../dev/testing/test-db";

/** Shared helpers for the benchmarks: a production server process, RSS sampling, percentiles. */
export interface ServerProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/** The read-API token the benchmarks give the servers they start: /api/health shows its details only to a token holder. */
export const BENCH_TOKEN = "bench-read-token-0123456789";

/** The refresh backlog of a running app, from its health details (null when it does not answer). */
export async function backlogOf(url: string, token = BENCH_TOKEN): Promise<number | null> {
  try {
    const h = (await (await fetch(`${url}/api/health`, { headers: { authorization: `Bearer ${token}` } })).json()) as { checks?: { worker?: { backlog?: number } } };
    return typeof h.checks?.worker?.backlog === "number" ? h.checks.worker.backlog : null;
  } catch {
    return null;
  }
}

/**
 * A fresh, empty database for a server a benchmark starts: its env entry (DATABASE_URL, or DATA_DIR
 * for the embedded database) and how to remove it afterwards.
 */
export async function throwawayDatabase(kind: "postgres" | "pglite", label: string): Promise<{ env: Record<string, string>; drop: () => Promise<void> }> {
  if (kind === "postgres") {
    const db = await createPostgresDatabase();
    return { env: { DATABASE_URL: db.url }, drop: db.drop };
  }
  const dir = mkdtempSync(path.join(tmpdir(), `bench-${label}-`));
  // BENCH_KEEP_DB=1 leaves the embedded database's folder in place to inspect after the run.
  if (process.env.BENCH_KEEP_DB) return { env: { DATA_DIR: dir }, drop: async () => console.log(`the embedded database is kept in ${dir} (BENCH_KEEP_DB)`) };
  return { env: { DATA_DIR: dir }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

/** The production app (scripts/start.mjs, after `npm run build`) on `port`. */
export async function startServer(env: Record<string, string>, port: number): Promise<ServerProcess> {
  if (!existsSync(path.resolve(".next/BUILD_ID"))) throw new Error("no production build: run `npm run build` first");
  // BENCH_PROFILE_DIR=dir writes a V8 CPU profile of the app process there (open it in Chrome DevTools).
  const profile = process.env.BENCH_PROFILE_DIR;
  // BENCH_NODE_ARGS="--trace-gc ...": further options for the app's node (with BENCH_SERVER_OUTPUT to keep what they print).
  const extra = (process.env.BENCH_NODE_ARGS ?? "").split(/\s+/).filter(Boolean);
  const args = [...(profile ? ["--cpu-prof", `--cpu-prof-dir=${profile}`] : []), ...extra, "scripts/start.mjs"];
  return startProcess(args, { NODE_ENV: "production", LOG_LEVEL: process.env.BENCH_LOG_LEVEL || "warn", DEMO: "off", API_TOKEN: BENCH_TOKEN, ...env }, port);
}

/** The intake baseline (bench/reference-intake.ts) as a process of its own, like the app. */
export function startReferenceIntake(env: Record<string, string>, port: number): Promise<ServerProcess> {
  return startProcess(["--conditions=react-server", "--import", "tsx", "bench/reference-intake.ts"], { NODE_ENV: "production", ...env }, port);
}

/** Base of the ports the benchmarks listen on (BENCH_PORT, default 4900): each uses a few above it. */
export const BENCH_PORT = Number(process.env.BENCH_PORT || "4900");

/** Servers a benchmark started: an interrupted benchmark (Ctrl-C, a timeout) must not leave them running. */
const started = new Set<ChildProcess>();
let reaping = false;
function reapOnExit(child: ChildProcess): void {
  started.add(child);
  child.once("exit", () => started.delete(child));
  if (reaping) return;
  reaping = true;
  process.once("exit", () => {
    for (const c of started) c.kill("SIGKILL");
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(130));
}

/** Starts `node args...` with PORT=port and waits until GET /api/health answers. */
const OUTPUT_KEPT = 1024 * 1024;

async function startProcess(args: string[], env: Record<string, string>, port: number): Promise<ServerProcess> {
  // A server left over from an interrupted run would answer the health check in the new one's place.
  await new Promise<void>((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", () => reject(new Error(`port ${port} is in use: stop what listens there or set BENCH_PORT`)));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve()));
  });
  let out = "";
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  reapOnExit(child);
  // The server's output, its last 1 MB only: at the default log level a stored delivery is a line.
  // BENCH_SERVER_OUTPUT=file: all of it is also appended to that file.
  const file = process.env.BENCH_SERVER_OUTPUT;
  const keep = (d: Buffer) => {
    if (file) appendFileSync(file, d);
    out += d;
    if (out.length > 2 * OUTPUT_KEPT) out = out.slice(-OUTPUT_KEPT);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 240; i++) {
    if (child.exitCode !== null) throw new Error(`server exited: ${out}`);
    try {
      const res = await fetch(`${url}/api/health`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  return {
    url,
    pid: child.pid!,
    child,
    output: () => out,
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill("SIGTERM");
      await Promise.race([new Promise((r) => child.once("exit", r)), sleep(10_000)]);
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}

/** Resident memory of a process and all its descendants, in bytes (Linux /proc). */
export function treeRss(rootPid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirNumeric("/proc")) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), entry]);
    } catch {
      // process ended meanwhile
    }
  }
  let total = 0;
  const stack = [rootPid];
  while (stack.length) {
    const pid = stack.pop()!;
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (m) total += Number(m[1]) * 1024;
    } catch {
      // gone
    }
    stack.push(...(children.get(pid) ?? []));
  }
  return total;
}

function readdirNumeric(dir: string): number[] {
  return readdirSync(dir).filter((d) => /^\d+$/.test(d)).map(Number);
}

export class RssSampler {
  peak = 0;
  private timer: NodeJS.Timeout;
  constructor(pid: number) {
    this.timer = setInterval(() => (this.peak = Math.max(this.peak, treeRss(pid))), 200);
  }
  stop(): number {
    clearInterval(this.timer);
    return this.peak;
  }
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

export const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "n/a");
export const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

export function table(rows: (string | number)[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => String(r[i]).length)));
  return rows.map((r) => r.map((c, i) => String(c).padEnd(widths[i]!)).join("  ")).join("\n");
}

export interface EventToCurrent {
  p50: number;
  p99: number;
  /** Events that became current. */
  n: number;
  /** Events still unprocessed when measured: counted at their age so far, a lower bound. */
  unfinished: number;
}

/**
 * Event-to-current latency of the events whose webhook id starts with `webhookPrefix`: per event,
 * until every case it touched had a current version holding its state (the version its EventCase
 * row names), counted from the moment intake stored it. Events not yet processed count with their
 * age so far, so a backlog that never drains cannot flatter the percentiles.
 */
export async function latencies(db: Db, webhookPrefix: string): Promise<EventToCurrent> {
  const rows = await db.$queryRawUnsafe<{ ms: number; at: Date }[]>(
    `SELECT max(EXTRACT(EPOCH FROM (v."createdAt" - e."receivedAt")) * 1000) AS ms, e."receivedAt" AS at
     FROM "WebhookEvent" e JOIN "EventCase" c ON c."eventId" = e."id"
     JOIN "RecordVersion" v ON v."caseId" = c."caseId" AND v."version" = c."recordVersion"
     WHERE e."webhookId" LIKE $1 AND c."outcome" = 'applied'
     GROUP BY e."id", e."receivedAt"`,
    `${webhookPrefix}%`,
  );
  const waiting = await db.$queryRawUnsafe<{ ms: number }[]>(
    `SELECT EXTRACT(EPOCH FROM (localtimestamp - "receivedAt")) * 1000 AS ms FROM "WebhookEvent" WHERE "webhookId" LIKE $1 AND "status" = 'received'`,
    `${webhookPrefix}%`,
  );
  const ms = [...rows, ...waiting].map((r) => Number(r.ms)).sort((a, b) => a - b);
  if (process.env.BENCH_VERBOSE) {
    const t0 = Math.min(...rows.map((r) => new Date(r.at).getTime()));
    const worst: number[] = [];
    for (const r of rows) {
      const sec = Math.floor((new Date(r.at).getTime() - t0) / 1000);
      worst[sec] = Math.max(worst[sec] ?? 0, Math.round(Number(r.ms)));
    }
    console.log(`worst event-to-current per second: ${worst.join(" ")}`);
  }
  return { p50: percentile(ms, 50), p99: percentile(ms, 99), n: rows.length, unfinished: waiting.length };
}

/** CPU time (user + system) a process has used, in milliseconds; 0 once it is gone. */
export function processCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime, fields 14 and 15 of /proc/<pid>/stat, in clock ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

/**
 * CPU spent by a server process and by the PostgreSQL backends serving its database over a stretch
 * of work: `start()` before it, `stop()` after. On a shared machine this, per delivery, is steadier
 * than throughput; backends that end during the stretch are missed (pools keep theirs open).
 */
export class CpuMeter {
  private before = new Map<number, number>();
  private appBefore = 0;
  constructor(
    private readonly pid: number,
    private readonly databaseName: string,
    private readonly adminUrl: string,
  ) {}

  private async backends(): Promise<number[]> {
    const client = new pg.Client({ connectionString: this.adminUrl });
    await client.connect();
    try {
      const r = await client.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [this.databaseName]);
      return r.rows.map((x) => x.pid);
    } finally {
      await client.end();
    }
  }

  async start(): Promise<void> {
    this.appBefore = processCpuMs(this.pid);
    this.before = new Map((await this.backends()).map((p) => [p, processCpuMs(p)]));
  }

  async stop(): Promise<{ appMs: number; dbMs: number }> {
    const appMs = processCpuMs(this.pid) - this.appBefore;
    let dbMs = 0;
    for (const p of await this.backends()) dbMs += processCpuMs(p) - (this.before.get(p) ?? 0);
    return { appMs, dbMs };
  }
}

/**
 * The built-in sources start with a rate limit of 1,000 deliveries/s each (SPEC: a source's limit is
 * configured per source). The reference intake has none, so a capacity compared with it (bench:intake), or
 * an overload of intake's capacity (bench:overload), must not be capped by that setting: the bench raises every source's limit as an admin would for such a load
 * (Admin → Sources). The app's source registry reads it again within 2 s, before the warm-up ends.
 */
const RAISE_RATE_LIMITS_SQL = `UPDATE "Source" SET "rateLimitPerSec" = 100000, "rateLimitBurst" = 500000`;

/**
 * The same for the embedded database, in its folder while no server has it open (PGlite is one
 * process's): since its statements gather a turn's deliveries it stores more than the built-in
 * 1,000 deliveries a second per source, and a capacity run met 429s.
 */
export async function raiseRateLimitsEmbedded(dataDir: string) {
  const { PGlite } = await import("@electric-sql/pglite");
  const { pg_trgm } = await import("@electric-sql/pglite/contrib/pg_trgm");
  const db = new PGlite(path.resolve(dataDir, "pg"), { extensions: { pg_trgm } });
  try {
    await db.query(RAISE_RATE_LIMITS_SQL);
  } finally {
    await db.close();
  }
}

export async function raiseRateLimits(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(RAISE_RATE_LIMITS_SQL);
  } finally {
    await client.end();
  }
}

/** The server's /api/metrics text (Prometheus format), read with the benchmarks' API token. */
export async function scrapeMetrics(url: string, token = BENCH_TOKEN): Promise<string> {
  const res = await fetch(`${url}/api/metrics`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`/api/metrics answered ${res.status}`);
  return res.text();
}

/**
 * The server's own acknowledgement histogram (`escalation_intake_ack_duration_seconds`, outcome
 * "acknowledged", summed over sources): cumulative counts by bucket bound in seconds. Two scrapes'
 * difference is what the server measured between them, from a delivery reaching intake to its
 * answer; the client's figure adds the time the request waited to be read and the sender's own queue.
 */
export function ackBuckets(metricsText: string): Map<number, number> {
  return histogramBuckets(metricsText, "escalation_intake_ack_duration_seconds", (labels) => labels.includes('outcome="acknowledged"'));
}

/** A histogram's cumulative buckets in a scrape (upper bound → count), summed over the samples whose labels `keep` accepts. */
export function histogramBuckets(metricsText: string, name: string, keep: (labels: string) => boolean = () => true): Map<number, number> {
  const buckets = new Map<number, number>();
  for (const m of metricsText.matchAll(new RegExp(`^${name}_bucket\\{(.*)\\} (\\d+)$`, "gm"))) {
    if (!keep(m[1]!)) continue;
    const le = /le="([^"]+)"/.exec(m[1]!)![1]!;
    const bound = le === "+Inf" ? Infinity : Number(le);
    buckets.set(bound, (buckets.get(bound) ?? 0) + Number(m[2]));
  }
  return buckets;
}

/** The value of an unlabelled metric in a scrape (NaN when absent). */
export function metricValue(text: string, name: string): number {
  return Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? NaN);
}

/** A metric summed over all its label sets in a scrape (0 when absent). */
export function metricSum(text: string, name: string): number {
  let sum = 0;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, "gm"))) sum += Number(m[1]);
  return sum;
}

/**
 * A metric's samples in the exposition text summed by a key made of their labels (`key` returns
 * undefined to leave a sample out): by reason, by table and action.
 */
export function metricByLabels(metricsText: string, name: string, key: (labels: Record<string, string>) => string | undefined): Map<string, number> {
  const sums = new Map<string, number>();
  for (const m of metricsText.matchAll(new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`, "gm"))) {
    const labels = Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1]!, l[2]!]));
    const k = key(labels);
    if (k !== undefined) sums.set(k, (sums.get(k) ?? 0) + Number(m[2]));
  }
  return sums;
}

/**
 * Refused deliveries by reason (`escalation_intake_refused_total`, summed over sources), for the
 * 503s' causes: overload_in_flight, overload_admission, overload_stall, database_unavailable.
 */
export function refusedByReason(metricsText: string): Map<string, number> {
  return metricByLabels(metricsText, "escalation_intake_refused_total", (l) => l.reason);
}

/** "n acknowledged; x % within 10 ms, y % within 25 ms, ..." for the difference of two scrapes. */
export function describeAckBuckets(before: Map<number, number>, after: Map<number, number>): string {
  return describeBuckets(before, after, [0.005, 0.01, 0.025, 0.05, 0.1], "acknowledged");
}

/** How many of what a histogram counted between two scrapes fell within each of `shown` bounds (seconds), as percentages. */
export function describeBuckets(before: Map<number, number>, after: Map<number, number>, shown: number[], what: string): string {
  const total = (after.get(Infinity) ?? 0) - (before.get(Infinity) ?? 0);
  if (!total) return `none ${what}`;
  const within = (b: number) => (((after.get(b) ?? 0) - (before.get(b) ?? 0)) / total) * 100;
  return `${total} ${what}; ${shown.filter((b) => after.has(b)).map((b) => `${within(b).toFixed(2)} % within ${b * 1000} ms`).join(", ")}`;
}

/**
 * The server's event-loop delay since the previous scrape (prom-client's default metrics read Node's
 * monitorEventLoopDelay and reset it on every scrape): "p50 / p99 / max" in ms. How long a request
 * that arrived meanwhile could wait unread, which the server's own acknowledgement timing cannot see.
 * Node's histogram records the time between two firings of a timer of prom-client's resolution
 * (10 ms), not how late it fired: an idle loop reads 10.1 ms. The resolution is taken off here.
 */
export const LOOP_DELAY_RESOLUTION_MS = 10;
export function loopDelay(text: string): string {
  return ["p50", "p99", "max"]
    .map((q) => Math.max(0, metricValue(text, `nodejs_eventloop_lag_${q}_seconds`) * 1000 - LOOP_DELAY_RESOLUTION_MS).toFixed(1))
    .join(" / ");
}
