import { setTimeout as sleep } from "node:timers/promises";
import type { SignedRequest } from "../server/simulator/sign";
import { percentile } from "./lib";

export interface LoadResult {
  sent: number;
  accepted: number;
  other: Record<number, number>;
  errors: number;
  seconds: number;
  latencies: number[];
}

/**
 * Open-loop load: request i is sent at start + i/rate whatever happened to earlier ones, and its
 * latency counts from that scheduled moment, so a stalled server cannot hide its queueing delay.
 */
export async function openLoop(requests: (i: number) => SignedRequest, rate: number, seconds: number, offset = 0): Promise<LoadResult> {
  const total = Math.round(rate * seconds);
  const prepared = Array.from({ length: total }, (_, i) => requests(offset + i));
  const latencies: number[] = [];
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
      const req = prepared[next]!;
      inflight.push(
        fetch(req.url, { method: "POST", headers: req.headers, body: req.body })
          .then(async (res) => {
            await res.arrayBuffer();
            latencies.push(performance.now() - scheduled);
            if (res.status === 202) accepted++;
            else other[res.status] = (other[res.status] ?? 0) + 1;
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
  return { sent: total, accepted, other, errors, seconds: elapsed, latencies };
}

export const p = (r: LoadResult, q: number) => percentile(r.latencies, q);
