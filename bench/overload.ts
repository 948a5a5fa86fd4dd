// `npm run bench:overload -- --db=pglite|postgres [--seconds=60] [--capacity=N] [--factor=2] [--worker=off|on]`
// (BENCH_TRACE=1: the slowest deliveries, the server's memory metrics and log; BENCH_CONNECTIONS=n:
// the sender's connections, default 256; BENCH_WARM=n: open n connections before the overload
// instead of as the first requests go):
// twice the intake capacity for a minute against the production build. The refresh worker is off
// by default, as in bench:intake, so the capacity is intake's own; with --worker=on it shares the
// database (on the embedded one also the thread) with refresh. First the capacity is measured (closed loop, 5 s, with as many deliveries in flight as the server admits and with 32; the larger) unless
// given; then deliveries are offered open-loop at `factor` times it. Prints accepted and refused
// (503) deliveries, the acknowledgement latency of the accepted ones (from each request's
// scheduled send time, so queueing cannot hide), the server's peak RSS, and finally sends every
// refused delivery again, as its sender would, and counts how many were then accepted. Memory:
// the server's RSS when it started, just before the overload, and its peak during it; the embedded
// database's folder is created by a first start beforehand, as a deployed app restarts on its own.
import http from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { SignedRequest } from "../dev/simulator/sign";
import { BENCH_PORT, ackBuckets, describeAckBuckets, describeBuckets, histogramBuckets, refusedByReason, loopDelay, metricValue, scrapeMetrics, throwawayDatabase, fmt, mb, percentile, raiseRateLimits, raiseRateLimitsEmbedded, RssSampler, startServer, table, treeRss } from "./lib";
import { defaultIntakeLimit } from "../server/intake/intake-gate";
import { closedLoop } from "./open-loop";
import { RawPool, requestBytes } from "./raw-client";
import { benchSecrets, secretEnv, signedAt } from "./workload";

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const kind = (arg("db") ?? "pglite") as "pglite" | "postgres";
if (kind !== "pglite" && kind !== "postgres") throw new Error("--db must be pglite or postgres");
const seconds = Number(arg("seconds") ?? "60");
const factor = Number(arg("factor") ?? "2");
const givenCapacity = arg("capacity") ? Number(arg("capacity")) : null;
const worker = arg("worker") === "on" ? "on" : "off";
const CASES = 2000;
/** The sender's keep-alive connections (BENCH_CONNECTIONS; default 256), each carrying one request at a time. */
const POOL_CONNECTIONS = Number(process.env.BENCH_CONNECTIONS || "256");

const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });

function post(req: SignedRequest): Promise<{ status: number; retryAfter: number }> {
  return new Promise((resolve, reject) => {
    const body = Buffer.from(req.body);
    const r = http.request(req.url, { method: "POST", agent, headers: { ...req.headers, "content-length": String(body.length) } }, (res) => {
      res.on("data", () => {});
      res.on("end", () => resolve({ status: res.statusCode ?? 0, retryAfter: Number(res.headers["retry-after"] ?? 0) }));
      res.on("error", reject);
    });
    r.on("error", reject);
    r.end(body);
  });
}

async function main() {
  const secrets = benchSecrets();
  const runId = Date.now().toString(36);
  const env: Record<string, string> = { ...secretEnv(secrets), IN_PROCESS_WORKER: worker, APP_SECRET_KEY: "11".repeat(32), ...(process.env.BENCH_TRACE ? { LOG_LEVEL: "debug" } : {}) };
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const db = await throwawayDatabase(kind, "overload");
    Object.assign(env, db.env);
    cleanups.push(db.drop);
    if (kind === "pglite") {
      // The embedded database's first start creates its folder (initdb inside the app's process,
      // a few hundred MB of passing allocations that the process keeps for a while); a deployed
      // app restarts on a folder that exists. Create it first, as that first start would.
      const first = await startServer(env, BENCH_PORT + 5);
      await first.stop();
      await raiseRateLimitsEmbedded(env.DATA_DIR!);
    }
    const server = await startServer(env, BENCH_PORT + 5);
    cleanups.unshift(() => server.stop());
    if (env.DATABASE_URL) await raiseRateLimits(env.DATABASE_URL);
    const rssAtStart = treeRss(server.pid);
    let k = 0;

    let capacity = givenCapacity;
    if (!capacity) {
      // Warm-up first: right after start the server still loads and compiles its intake code, and
      // a capacity measured then (a few deliveries a second, some shed for event-loop lag) made
      // the "twice the capacity" phase a light load.
      // Two closed-loop senders, and the larger figure counts (so the stricter "twice"): one with as
      // many deliveries in flight as the server admits at once, one with 32. Against a bound of 16
      // (PostgreSQL's default for a while), 32 senders' extra deliveries bounce off with 503 as fast
      // as they are sent and the loop answering them accepted 1,488/s where 16 senders got 2,600/s; on the embedded
      // database 8 senders wait out each statement's round trip (874/s) where 32 keep it busy
      // (about 1,480/s) (docs/performance.md, session 17).
      const bound = Number(env.INTAKE_MAX_IN_FLIGHT || process.env.INTAKE_MAX_IN_FLIGHT) || defaultIntakeLimit(kind);
      const w = await closedLoop((i) => signedAt(i, CASES, server.url, secrets, runId), 32, 3, k);
      k += w.sent;
      for (const inFlight of [...new Set([bound, 32])]) {
        const r = await closedLoop((i) => signedAt(i, CASES, server.url, secrets, runId), inFlight, 5, k);
        k += r.sent;
        const measured = r.accepted / r.seconds;
        console.log(`capacity (${inFlight} in flight${inFlight === bound ? ", the server's bound" : ""}; 5 s): ${fmt(measured, 0)} accepted/s, other ${JSON.stringify(r.other)}`);
        capacity = Math.max(capacity ?? 0, measured);
      }
    }
    if (!capacity) throw new Error("no delivery was accepted while measuring the capacity");
    const rate = capacity * factor;
    console.log(`offering ${fmt(rate, 0)}/s (${factor}× capacity) for ${seconds} s on ${kind}, refresh worker ${worker}`);

    const total = Math.round(rate * seconds);
    // Every delivery of the minute signed beforehand: signing on the fly took the generator's loop
    // (it shares the two cores with the app and the database), so sends left late and their lateness
    // counted as the app's latency. Signatures stay valid for 5 minutes (docs/api.md).
    // Sent by a lean raw-socket client (bench/raw-client.ts): node:http's client cost the generator
    // more CPU than the app's refusals and its own queue was counted as the app's latency.
    const signed = Array.from({ length: total }, (_, n) => requestBytes(signedAt(k + n, CASES, server.url, secrets, runId)));
    const pool = new RawPool(server.url, POOL_CONNECTIONS);
    if (process.env.BENCH_WARM) await pool.warm(Number(process.env.BENCH_WARM));

    // Memory is what the overload costs: sampled from its start, with the process's size just before.
    const rssBefore = treeRss(server.pid);
    // Also resets the loop-delay histogram, so the scrape after the minute covers only the minute.
    const metricsBefore = await scrapeMetrics(server.url);
    const serverAcksBefore = ackBuckets(metricsBefore);
    const STORE_STATEMENT = "escalation_intake_store_statement_seconds";
    const storeBefore = histogramBuckets(metricsBefore, STORE_STATEMENT);
    const reasonsBefore = refusedByReason(metricsBefore);
    const rss = new RssSampler(server.pid);
    // BENCH_TRACE: what the memory is made of when the process is at its largest (the server's own
    // metrics every 2 s: V8's heap and the memory outside it, where PGlite's WebAssembly heap lives).
    let memoryAtPeak = "";
    let largest = 0;
    const memoryTimer = process.env.BENCH_TRACE
      ? setInterval(() => {
          void scrapeMetrics(server.url)
            .then((text) => {
              const resident = metricValue(text, "process_resident_memory_bytes");
              if (resident > largest) {
                largest = resident;
                memoryAtPeak = `RSS ${mb(resident)}: V8 heap ${mb(metricValue(text, "nodejs_heap_size_total_bytes"))} (used ${mb(metricValue(text, "nodejs_heap_size_used_bytes"))}), external ${mb(metricValue(text, "nodejs_external_memory_bytes"))}`;
              }
            })
            .catch(() => {});
        }, 2000)
      : null;
    const acked: number[] = [];
    // The same acknowledgements split in two: the sender's own wait (its loop late to send, or every
    // connection busy) and the rest, from the request's write to its answer (kernel, the app's loop, intake).
    const senderWait: number[] = [];
    const fromWrite: number[] = [];
    const refused: number[] = [];
    const other: Record<string, number> = {};
    const retryAfter = new Set<number>();
    const inflight = new Set<Promise<void>>();
    const start = performance.now();
    let maxInFlight = 0;
    const worstBySecond: number[] = [];
    const slow: [number, number][] = [];
    const wallStart = Date.now();
    for (let n = 0; n < total; ) {
      const now = performance.now();
      while (n < total && start + (n * 1000) / rate <= now) {
        const scheduled = start + (n * 1000) / rate;
        const id = k + n;
        const p: Promise<void> = pool
          .send(signed[n]!)
          .then((res) => {
            if (res.status === 202 || res.status === 200) {
              const answered = performance.now();
              const ms = answered - scheduled;
              acked.push(ms);
              senderWait.push(res.writtenAt - scheduled);
              fromWrite.push(answered - res.writtenAt);
              if (process.env.BENCH_TRACE) slow.push([Math.round(scheduled - start), Math.round(ms)]);
              const sec = Math.floor((scheduled - start) / 1000);
              worstBySecond[sec] = Math.max(worstBySecond[sec] ?? 0, ms);
            }
            else if (res.status === 503) {
              refused.push(id);
              retryAfter.add(res.retryAfter);
            } else other[res.status] = (other[res.status] ?? 0) + 1;
          })
          .catch((err: Error) => {
            other[err.message] = (other[err.message] ?? 0) + 1;
          })
          .finally(() => inflight.delete(p));
        inflight.add(p);
        maxInFlight = Math.max(maxInFlight, inflight.size);
        n++;
      }
      await sleep(1);
    }
    await Promise.all(inflight);
    pool.close();
    const elapsed = (performance.now() - start) / 1000;
    const peak = rss.stop();
    if (memoryTimer) clearInterval(memoryTimer);
    const metricsAfter = await scrapeMetrics(server.url);
    const delay = loopDelay(metricsAfter);
    const serverAcks = describeAckBuckets(serverAcksBefore, ackBuckets(metricsAfter));
    // Where the server's time went: the store statements (a delivery waits for the one before its
    // own and its own; on PostgreSQL the rest is the event loop) and which rule refused.
    const storeStatements = describeBuckets(storeBefore, histogramBuckets(metricsAfter, STORE_STATEMENT), [0.005, 0.01, 0.025, 0.05], "store statements");
    const reasons = [...refusedByReason(metricsAfter)].map(([r, n]) => [r, n - (reasonsBefore.get(r) ?? 0)] as const).filter(([, n]) => n > 0);
    acked.sort((a, b) => a - b);
    senderWait.sort((a, b) => a - b);
    fromWrite.sort((a, b) => a - b);

    // Every refused delivery again, as a sender honouring Retry-After would, a few at a time.
    await sleep(1000 * Math.max(1, ...retryAfter));
    let retriedOk = 0;
    const retryFailures: Record<string, number> = {};
    const queue = [...refused];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
          for (let attempt = 1; ; attempt++) {
            const res = await post(signedAt(id, CASES, server.url, secrets, runId)).catch(() => ({ status: 0, retryAfter: 1 }));
            if (res.status === 202 || res.status === 200) {
              retriedOk++;
              break;
            }
            if (attempt >= 5) {
              retryFailures[res.status] = (retryFailures[res.status] ?? 0) + 1;
              break;
            }
            await sleep(1000 * Math.max(1, res.retryAfter));
          }
        }
      }),
    );

    console.log(
      table([
        ["db", "offered/s", "seconds", "accepted", "accepted/s", "refused 503", "other", "ack p50 ms", "ack p99 ms", "ack max ms", "client in flight max", "RSS at start / before / peak", "Retry-After", "refused then accepted"],
        [
          kind,
          fmt(rate, 0),
          fmt(elapsed, 1),
          acked.length,
          fmt(acked.length / elapsed, 0),
          refused.length,
          JSON.stringify(other),
          fmt(percentile(acked, 50), 1),
          fmt(percentile(acked, 99), 1),
          fmt(acked.at(-1) ?? NaN, 1),
          maxInFlight,
          `${mb(rssAtStart)} / ${mb(rssBefore)} / ${mb(peak)}`,
          [...retryAfter].join(",") || "-",
          `${retriedOk} of ${refused.length}${Object.keys(retryFailures).length ? ` (still failing: ${JSON.stringify(retryFailures)})` : ""}`,
        ],
      ]),
    );
    // The server's share of the acknowledgement latency: from a delivery reaching intake to its
    // answer (the client's figures add the wait to be read and the sender's own queue).
    // Where the slow acknowledgements were: the worst of each second's scheduled deliveries.
    const split = (xs: number[]) => `${fmt(percentile(xs, 50), 1)} / ${fmt(percentile(xs, 99), 1)} / ${fmt(xs.at(-1) ?? NaN, 1)} ms`;
    console.log(`acknowledged deliveries, p50 / p99 / max: the sender's own wait before writing ${split(senderWait)} (${pool.waitedForConnection} of all ${total} requests waited for one of its ${POOL_CONNECTIONS} connections); from the write to the answer ${split(fromWrite)}`);
    console.log(`worst acknowledgement by second of the run (ms): ${Array.from(worstBySecond, (w) => Math.round(w ?? 0)).join(" ")}`);
    if (process.env.BENCH_TRACE) {
      slow.sort((a, b) => b[1] - a[1]);
      console.log(`largest the server was by its own metrics (every 2 s): ${memoryAtPeak || "n/a"}`);
      console.log(`slowest acknowledgements [scheduled at ms, took ms]: ${JSON.stringify(slow.slice(0, 15))}; slower than 1 s: ${slow.filter((x) => x[1] > 1000).length}`);
      console.log(metricsAfter.split("\n").filter((l) => /^(escalation_intake_store_batch_size_(sum|count)|nodejs_heap_size|nodejs_external|process_resident|nodejs_heap_space_size_used)/.test(l)).join("\n"));
      console.log(`overload started at ${new Date(wallStart).toISOString()}; the server's log lines other than per-delivery ones:`);
      for (const line of server.output().split("\n")) if (line && !line.includes('"webhook stored"') && !line.includes('"webhook refused"')) console.log(line.slice(0, 400));
    }
    console.log(`server's own timing of the overload minute: ${serverAcks}; event-loop delay p50 / p99 / max ${delay} ms`);
    console.log(`the minute's ${storeStatements}; refused by reason: ${reasons.map(([r, n]) => `${r} ${n}`).join(", ") || "none"}`);
  } finally {
    for (const c of cleanups) await c().catch((err) => console.error(`cleanup failed: ${(err as Error).message}`));
    agent.destroy();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
