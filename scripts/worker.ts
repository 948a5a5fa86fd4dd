// `npm run worker`: a refresh worker process beside the web server. It shares the PostgreSQL
// database of DATABASE_URL (an embedded PGlite database belongs to one process), applies pending
// migrations, seeds missing reference data and drains the event queue until SIGTERM or SIGINT.
import "./heap-tuning.mjs";
import { z } from "zod";
import { openDb } from "../server/db/client";
import { MetricsMaintenance } from "../server/ops/dashboard/metrics-maintenance";
import { TableUpkeep } from "../server/ops/table-maintenance";
import { migrate } from "../server/db/migrate";
import { EnvError, parseEnv } from "../server/env";
import { SourceRegistry } from "../server/sources/registry";
import { log } from "../server/lib/log";
import { ReferenceCache } from "../server/reference/load-reference";
import { seedReference } from "../server/reference/seed-reference";
import { DEFAULT_LEASE_SECONDS } from "../server/refresh/process-events";
import { RefreshWorker } from "../server/refresh/worker";
import { parseKey } from "../server/lib/crypto";
import { OutboundWorker } from "../server/notify/outbound-worker";

const workerEnv = z.object({
  WORKER_BATCH: z.coerce.number().int().min(1).max(1000).default(100),
  WORKER_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(250),
  WORKER_LEASE_SECONDS: z.coerce.number().int().min(1).max(3600).default(DEFAULT_LEASE_SECONDS),
  REFRESH_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(4),
});

function fail(message: string): never {
  console.error(`[escalation-refresh worker] cannot start: ${message}`);
  process.exit(1);
}

async function main(): Promise<void> {
  let env;
  try {
    env = parseEnv();
  } catch (err) {
    if (err instanceof EnvError) fail(err.message);
    throw err;
  }
  if (!env.DATABASE_URL) {
    fail(
      "DATABASE_URL is required. A separate worker process needs a PostgreSQL database shared with the web server; " +
        "the embedded PGlite database can only be opened by one process (its web server runs the worker in-process).",
    );
  }
  const opts = workerEnv.safeParse(process.env);
  if (!opts.success) fail(opts.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));

  const handle = await openDb({ databaseUrl: env.DATABASE_URL });
  const applied = await migrate(handle.db);
  if (applied.length) log.info({ applied }, "migrations applied");
  await seedReference(handle.db);
  const ctx = {
    db: handle.db,
    registry: new SourceRegistry(handle.db, { key: null, envSecrets: env.webhookSecrets }),
    reference: new ReferenceCache(handle.db),
  };
  const worker = new RefreshWorker(ctx, { batch: opts.data.WORKER_BATCH, pollMs: opts.data.WORKER_POLL_MS, leaseSeconds: opts.data.WORKER_LEASE_SECONDS, concurrency: opts.data.REFRESH_CONCURRENCY });
  worker.start();
  // The dashboard's lineage audit and rollup upkeep; every worker process takes its share.
  const maintenance = new MetricsMaintenance(handle.db);
  maintenance.start();
  // Vacuum where the database does not (PostgreSQL with autovacuum off; one process at a time).
  const upkeep = new TableUpkeep(handle, { mode: env.DB_VACUUM });
  await upkeep.start().catch((err) => log.warn({ err }, "table upkeep could not start"));
  // Outbound notifications: endpoints are leased, so every process takes its share. Their secrets
  // are sealed with APP_SECRET_KEY; without it this process leaves them to the app processes.
  const outbound = env.APP_SECRET_KEY ? new OutboundWorker({ db: handle.db, key: parseKey(env.APP_SECRET_KEY) }) : null;
  outbound?.start();
  log.info({ pid: process.pid, database: handle.where, ...opts.data }, "refresh worker started");

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, "refresh worker stopping after the batch in hand");
    await worker.stop();
    await maintenance.stop();
    await upkeep.stop();
    await outbound?.stop();
    await handle.close();
    log.info("refresh worker stopped");
    process.exit(0);
  };
  process.on("SIGTERM", (s) => void stop(s));
  process.on("SIGINT", (s) => void stop(s));
}

main().catch((err) => {
  log.fatal({ err }, "refresh worker crashed");
  console.error(`[escalation-refresh worker] ${(err as Error).message}`);
  process.exit(1);
});
