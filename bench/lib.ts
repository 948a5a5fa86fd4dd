import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { Db } from "../server/db/client";

/** Shared helpers for the benchmarks: a production server process, RSS sampling, percentiles. */
export interface ServerProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

export async function startServer(env: Record<string, string>, port: number): Promise<ServerProcess> {
  if (!existsSync(path.resolve(".next/BUILD_ID"))) throw new Error("no production build: run `npm run build` first");
  let out = "";
  // BENCH_PROFILE_DIR=dir writes a V8 CPU profile of the app process there (open it in Chrome DevTools).
  const profile = process.env.BENCH_PROFILE_DIR;
  const args = profile
    ? ["--cpu-prof", `--cpu-prof-dir=${profile}`, "scripts/start.mjs"]
    : ["scripts/start.mjs"];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, NODE_ENV: "production", LOG_LEVEL: "warn", DEMO: "off", ...env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.on("data", (d) => (out += d));
  child.stderr!.on("data", (d) => (out += d));
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
