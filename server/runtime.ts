import "server-only";
import { MetricsMaintenance } from "./ops/dashboard/metrics-maintenance";
import { TableUpkeep } from "./ops/table-maintenance";
import { ensureFirstAdmin } from "./auth/bootstrap";
import { seedDemoUsers } from "./auth/users";
import { openDb, type DbHandle } from "./db/client";
import { migrate } from "./db/migrate";
import { env, type Env } from "./env";
import { DEFAULT_MAX_LAG_MS, DEFAULT_TARGET_LAG_MS, defaultIntakeLimit, IntakeGate, overloadedIntakeLimit, RefusalLog } from "./intake/intake-gate";
import { SourceRateLimiter } from "./sources/rate-limit";
import { ensureDevelopmentSecrets, SourceRegistry, type SecretContext } from "./sources/registry";
import { loadOrCreateKeyFile, parseKey } from "./lib/crypto";
import { log } from "./lib/log";
import { ReferenceCache } from "./reference/load-reference";
import { seedReference } from "./reference/seed-reference";
import type { EngineContext } from "./refresh/engine-context";
import { RefreshWorker } from "./refresh/worker";
import { OutboundWorker } from "./notify/outbound-worker";

/** Everything a server process shares: one database handle, caches, the in-process worker. */
export interface Runtime extends EngineContext {
  env: Env;
  handle: DbHandle;
  limiter: SourceRateLimiter;
  /** The bound on webhook deliveries in flight (load shedding) and the log of its 503s. */
  intakeGate: IntakeGate;
  refusals: RefusalLog;
  secrets: SecretContext;
  worker: RefreshWorker | null;
  /** The dashboard's lineage audit and rollup upkeep; runs beside the refresh worker. */
  maintenance: MetricsMaintenance | null;
  /** Vacuum and analyze where the database does not (null: not started, or left to autovacuum). */
  upkeep: TableUpkeep | null;
  /** Outbound notifications to downstream endpoints (docs/change-feed.md); runs beside the refresh worker. */
  outbound: OutboundWorker | null;
  startedAt: Date;
}

const g = globalThis as unknown as { __errRuntime?: Promise<Runtime> };

export interface StartOptions {
  env?: Env;
  worker?: boolean;
}

export async function startRuntime(opts: StartOptions = {}): Promise<Runtime> {
  const e = opts.env ?? env();
  const handle = await openDb({ databaseUrl: e.DATABASE_URL, dataDir: e.DATA_DIR });
  const applied = await migrate(handle.db);
  if (applied.length) log.info({ applied }, "migrations applied");
  await seedReference(handle.db);
  if (handle.kind === "postgres" || e.DEMO === "off") await ensureFirstAdmin(handle.db);
  const key = e.APP_SECRET_KEY ? parseKey(e.APP_SECRET_KEY) : handle.kind === "pglite" ? loadOrCreateKeyFile(e.DATA_DIR) : null;
  const secrets: SecretContext = { key, envSecrets: e.webhookSecrets };
  if (handle.kind === "pglite") {
    const created = await ensureDevelopmentSecrets(handle.db, secrets);
    for (const c of created) {
      // Printed once, when generated: the embedded default's development secrets.
      console.log(`[escalation-refresh] development webhook secret for ${c.source}: ${c.secret}`);
    }
    if (e.DEMO === "on") await seedDemoUsers(handle.db);
    // One process owns an embedded database, so no other worker can hold a lease.
    await handle.db.webhookEvent.updateMany({ where: { status: "received", lockedUntil: { not: null } }, data: { lockedUntil: null } });
    await handle.db.outboundEndpoint.updateMany({ where: { lockedUntil: { not: null } }, data: { lockedUntil: null } });
  }
  const registry = new SourceRegistry(handle.db, secrets);
  // Load shedding's bound, and the smaller one while overloaded (docs/faults.md, "Load shedding").
  const intakeLimit = e.INTAKE_MAX_IN_FLIGHT ?? defaultIntakeLimit(handle.kind);
  const runtime: Runtime = {
    env: e,
    handle,
    db: handle.db,
    registry,
    reference: new ReferenceCache(handle.db),
    limiter: new SourceRateLimiter(handle.pool),
    intakeGate: new IntakeGate(intakeLimit, {
      overloadedLimit: e.INTAKE_OVERLOADED_IN_FLIGHT ?? overloadedIntakeLimit(handle.kind, intakeLimit),
      maxLagMs: e.INTAKE_MAX_LAG_MS ?? DEFAULT_MAX_LAG_MS,
      // Off outside production: a test process's own work (and next dev's compiling) lags the loop.
      targetLagMs: e.INTAKE_TARGET_LAG_MS ?? (e.NODE_ENV === "production" ? DEFAULT_TARGET_LAG_MS : 0),
    }),
    refusals: new RefusalLog(handle.db),
    secrets,
    worker: null,
    maintenance: null,
    upkeep: null,
    outbound: null,
    startedAt: new Date(),
  };
  if (opts.worker ?? e.IN_PROCESS_WORKER === "on") {
    runtime.worker = new RefreshWorker(runtime, { concurrency: e.REFRESH_CONCURRENCY ?? defaultRefreshConcurrency(handle.kind) });
    runtime.worker.start();
    runtime.maintenance = new MetricsMaintenance(handle.db);
    runtime.maintenance.start();
    runtime.upkeep = new TableUpkeep(handle, { mode: e.DB_VACUUM });
    await runtime.upkeep.start().catch((err) => log.warn({ err }, "table upkeep could not start"));
    runtime.outbound = new OutboundWorker({ db: handle.db, key });
    runtime.outbound.start();
    // Back from an outage: work at once rather than when the backoff ends.
    handle.availability?.onRecover(() => {
      runtime.worker?.wake();
      runtime.outbound?.wake();
    });
  }
  log.info({ database: handle.kind, where: handle.where }, "runtime ready");
  return runtime;
}

/** PostgreSQL overlaps the round trips of several cases' refreshes; the embedded database runs one transaction at a time. */
export function defaultRefreshConcurrency(kind: DbHandle["kind"]): number {
  return kind === "postgres" ? 4 : 1;
}

/** The process-wide runtime (Next bundles route files separately, so it lives on globalThis). */
export function getRuntime(): Promise<Runtime> {
  g.__errRuntime ??= startRuntime().catch((err) => {
    g.__errRuntime = undefined;
    throw err;
  });
  return g.__errRuntime;
}

export async function stopRuntime(rt: Runtime): Promise<void> {
  await rt.worker?.stop();
  await rt.maintenance?.stop();
  await rt.upkeep?.stop();
  await rt.outbound?.stop();
  await rt.limiter.close();
  rt.intakeGate.close();
  rt.refusals.close();
  await rt.refusals.flush();
  await rt.handle.close();
}
