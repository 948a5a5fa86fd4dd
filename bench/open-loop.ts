import http from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { SignedRequest } from "../dev/simulator/sign";
import { percentile } from "./lib";

export interface LoadResult {
  sent: number;
  accepted: number;
  other: Record<number, number>;
  errors: number;
  seconds: number;
  latencies: number[];
  /** Worst latency of the requests scheduled in each second of the run. */
  worstBySecond: number[];
}

/** Keep-alive connections as a source system's HTTP client would hold them; node:http costs the sender far less CPU than fetch. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function post(req: SignedRequest): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = Buffer.from(req.body);
    const r = http.request(req.url, { method: "POST", agent, headers: { ...req.headers, "content-length": String(body.length) } }, (res) => {
      res.on("data", () => {});
      res.on("end", () => resolve(res.statusCode ?? 0));
      res.on("error", reject);
    });
    r.on("error", reject);
    r.end(body);
  });
}

/**
 * Open-loop load: request i is sent at start + i/rate whatever happened to earlier ones, and its
 * latency counts from that scheduled moment, so a stalled server cannot hide its queueing delay.
 */
export async function openLoop(requests: (i: number) => SignedRequest, rate: number, seconds: number, offset = 0): Promise<LoadResult> {
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  const worstBySecond: number[] = [];
  const other: Record<number, number> = {};
  let accepted = 0;
  let errors = 0;
  const inflight: Promise<void>[] = [];
  const start = performance.now();
  let next = 0;
  while (next < total) {
    const now = performance.now();
    while (next < total && start + (next * 1000) / rate <= now) {
      const scheduled = start + (next * 1000) / rate;
      // Built and signed when sent, as a source system would (and no 60-second backlog in memory).
      const req = requests(offset + next);
      inflight.push(
        post(req)
          .then((status) => {
            const ms = performance.now() - scheduled;
            latencies.push(ms);
            const sec = Math.floor((scheduled - start) / 1000);
            worstBySecond[sec] = Math.max(worstBySecond[sec] ?? 0, ms);
            if (status === 202) accepted++;
            else other[status] = (other[status] ?? 0) + 1;
          })
          .catch(() => {
            errors++;
          }),
      );
      next++;
    }
    await sleep(1);
  }
  await Promise.all(inflight);
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return { sent: total, accepted, other, errors, seconds: elapsed, latencies, worstBySecond };
}

export const p = (r: LoadResult, q: number) => percentile(r.latencies, q);

/**
 * Closed loop: `concurrency` senders, each posting its next request as soon as the previous one is
 * answered, for `seconds`: the most the server accepts when it sets the pace (its capacity).
 */
export async function closedLoop(requests: (i: number) => SignedRequest, concurrency: number, seconds: number, offset = 0): Promise<LoadResult> {
  const latencies: number[] = [];
  const other: Record<number, number> = {};
  let accepted = 0;
  let errors = 0;
  let next = offset;
  const start = performance.now();
  const until = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) {
        const req = requests(next++);
        const sent = performance.now();
        try {
          const status = await post(req);
          latencies.push(performance.now() - sent);
          if (status === 202) accepted++;
          else other[status] = (other[status] ?? 0) + 1;
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return { sent: next - offset, accepted, other, errors, seconds: elapsed, latencies, worstBySecond: [] };
}

/** Several runs as one: their counts and times added up, latencies pooled. */
export function mergeResults(runs: LoadResult[]): LoadResult {
  const other: Record<number, number> = {};
  for (const r of runs) for (const [status, n] of Object.entries(r.other)) other[Number(status)] = (other[Number(status)] ?? 0) + n;
  return {
    sent: runs.reduce((n, r) => n + r.sent, 0),
    accepted: runs.reduce((n, r) => n + r.accepted, 0),
    other,
    errors: runs.reduce((n, r) => n + r.errors, 0),
    seconds: runs.reduce((n, r) => n + r.seconds, 0),
    latencies: runs.flatMap((r) => r.latencies).sort((a, b) => a - b),
    worstBySecond: [],
  };
}
