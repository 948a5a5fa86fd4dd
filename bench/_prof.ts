import { createPostgresDatabase } from "../server/testing/test-db";
import { startServer, mb, RssSampler } from "./lib";
import { openLoop, p } from "./open-loop";
import { benchSecrets, secretEnv, signedAt } from "./workload";
const rates = (process.argv[2] ?? "300").split(",").map(Number), secs = Number(process.argv[3] ?? 10);
const secrets = benchSecrets();
const db = await createPostgresDatabase();
const env: Record<string,string> = { ...secretEnv(secrets), IN_PROCESS_WORKER: "off", APP_SECRET_KEY: "11".repeat(32), DATABASE_URL: db.url, BENCH_TRIVIAL: process.env.BENCH_TRIVIAL ?? "" };
const server = await startServer(env, 4950);
const rss = new RssSampler(server.pid);
const runId = Date.now().toString(36);
await openLoop((i) => signedAt(i, 2000, server.url, secrets, runId + "w"), 100, 3);
let off = 0;
for (const rate of rates) {
const r = await openLoop((i) => signedAt(i, 2000, server.url, secrets, runId), rate, secs, off); off += r.sent;
console.log(rate, r.worstBySecond.map((x) => Math.round(x)).join(" "), { acc: Math.round(r.accepted / r.seconds), p50: p(r, 50).toFixed(1), p99: p(r, 99).toFixed(1), other: r.other, errors: r.errors });
}
console.log("rss", mb(rss.stop()));
await server.stop(); await db.drop();
