import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { backlogNow } from "./dashboard/dashboard-rollups";
import { readCounters } from "./dashboard/metric-counters";
import type { DbHandle } from "../db/client";
import { ConflictRule } from "../db/generated/enums";
import { outboundGauges } from "../notify/outbound-health";

/**
 * The process's Prometheus metrics (GET /api/metrics), through prom-client.
 *
 * Counters and histograms are this process's own (each app or worker process is its own scrape
 * target, as Prometheus expects; they restart at zero with the process). Gauges of database-wide
 * state (backlog, unresolved exceptions) are read at scrape time from the rollups and counters the
 * write path keeps (server/ops/dashboard), so a scrape costs a few index look-ups whatever the history.
 * Labels stay few: a refused delivery's source is "unknown" unless the source exists, and its
 * reason is a fixed word per refusal kind, never the free-text reason.
 */
export interface AppMetrics {
  registry: Registry;
  intakeAccepted: Counter<"source" | "status">;
  intakeRefused: Counter<"source" | "reason">;
  intakeAck: Histogram<"source" | "outcome">;
  intakeStoreBatch: Histogram;
  intakeStoreDuration: Histogram;
  refreshDuration: Histogram<"outcome">;
  eventToCurrent: Histogram;
  backlog: Gauge<"source">;
  backlogAge: Gauge;
  exceptions: Gauge<"rule" | "status">;
  poolConnections: Gauge<"state">;
  poolWaiting: Gauge;
  outboundAttempts: Counter<"outcome" | "trigger">;
  outboundAttemptDuration: Histogram<"outcome">;
  outboundAutoDisabled: Counter;
  outboundEndpoints: Gauge<"state">;
  outboundPending: Gauge;
  upkeepSeconds: Counter<"table" | "action">;
}

function create(): AppMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    intakeAccepted: new Counter({
      name: "escalation_intake_accepted_total",
      help: "Webhook deliveries stored, by source and by what the store found (accepted, duplicate, stale).",
      labelNames: ["source", "status"],
      registers,
    }),
    intakeRefused: new Counter({
      name: "escalation_intake_refused_total",
      help: "Webhook deliveries refused, by source (unknown when no such source exists) and reason.",
      labelNames: ["source", "reason"],
      registers,
    }),
    intakeAck: new Histogram({
      name: "escalation_intake_ack_duration_seconds",
      help: "Time from a delivery reaching intake to its answer, by source and outcome (acknowledged: 2xx, stored now or before; refused: any other answer).",
      labelNames: ["source", "outcome"],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    intakeStoreBatch: new Histogram({
      name: "escalation_intake_store_batch_size",
      help: "Deliveries stored by one store statement (intake's group commit: those that queued while the previous one ran).",
      buckets: [1, 2, 4, 8, 16, 32, 64],
      registers,
    }),
    intakeStoreDuration: new Histogram({
      name: "escalation_intake_store_statement_seconds",
      help: "Time one store statement of intake's group commit took, from sending it to its rows (a delivery waits for the statement before it and its own).",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers,
    }),
    refreshDuration: new Histogram({
      name: "escalation_refresh_duration_seconds",
      help: "Time one case's refresh took, by outcome (applied, held, no_change, waiting, error).",
      labelNames: ["outcome"],
      buckets: [0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
      registers,
    }),
    eventToCurrent: new Histogram({
      name: "escalation_event_to_current_seconds",
      help: "Time from an event's receipt to the moment a current version holding it was committed.",
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800, 7200],
      registers,
    }),
    backlog: new Gauge({ name: "escalation_refresh_backlog_events", help: "Events received and not yet refreshed, by source.", labelNames: ["source"], registers }),
    backlogAge: new Gauge({ name: "escalation_refresh_backlog_oldest_age_seconds", help: "Age of the oldest event waiting for its refresh (0 when none).", registers }),
    exceptions: new Gauge({
      name: "escalation_exceptions_unresolved",
      help: "Exceptions not yet resolved, by rule and status (open or claimed).",
      labelNames: ["rule", "status"],
      registers,
    }),
    poolConnections: new Gauge({
      name: "escalation_db_pool_connections",
      help: "Connections of this process's PostgreSQL pool, by state (total, idle); absent on the embedded database.",
      labelNames: ["state"],
      registers,
    }),
    poolWaiting: new Gauge({ name: "escalation_db_pool_waiting_clients", help: "Queries of this process waiting for a free pool connection.", registers }),
    outboundAttempts: new Counter({
      name: "escalation_outbound_attempts_total",
      help: "Outbound notification attempts, by outcome (success, http_4xx, http_5xx, http_other, timeout, network_error) and trigger (automatic, manual, test).",
      labelNames: ["outcome", "trigger"],
      registers,
    }),
    outboundAttemptDuration: new Histogram({
      name: "escalation_outbound_attempt_duration_seconds",
      help: "Time one outbound attempt took, from the request to the endpoint's answer or the timeout, by outcome.",
      labelNames: ["outcome"],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    outboundAutoDisabled: new Counter({ name: "escalation_outbound_endpoints_auto_disabled_total", help: "Outbound endpoints disabled after failing continuously.", registers }),
    outboundEndpoints: new Gauge({ name: "escalation_outbound_endpoints", help: "Registered outbound endpoints, by state (enabled, failing, disabled).", labelNames: ["state"], registers }),
    outboundPending: new Gauge({ name: "escalation_outbound_pending_deliveries", help: "Outbound deliveries created and not yet delivered, over every endpoint.", registers }),
    upkeepSeconds: new Counter({
      name: "escalation_table_upkeep_seconds_total",
      help: "Time the app's own table upkeep spent in VACUUM or ANALYZE, by table and action (docs/faults.md, \"Table upkeep\"); on the embedded database this time holds the app's one thread.",
      labelNames: ["table", "action"],
      registers,
    }),
  };
}

const g = globalThis as unknown as { __errMetrics?: AppMetrics };
/** One registry per process: Next bundles routes separately, and the webhook lane and worker share it. */
export const metrics: AppMetrics = (g.__errMetrics ??= create());

const REFUSAL_REASONS: Record<number, string> = {
  400: "invalid_payload",
  401: "signature",
  404: "unknown_source",
  413: "too_large",
  415: "unsupported_media_type",
  429: "rate_limited",
  // Answered after admission only when the database went away; the gate's own 503s name their cause.
  503: "database_unavailable",
};

/**
 * One delivery's answer, counted and timed. `source` is a known source's name, or null; `refusal`
 * names a gate refusal's cause (ShedCause), which the status alone does not tell.
 */
export function recordIntake(source: string | null, status: number, storeStatus: string | undefined, seconds: number, refusal?: string): void {
  const label = source ?? "unknown";
  if (status < 300) metrics.intakeAccepted.inc({ source: label, status: storeStatus ?? "accepted" });
  else metrics.intakeRefused.inc({ source: label, reason: refusal ?? REFUSAL_REASONS[status] ?? `http_${status}` });
  metrics.intakeAck.observe({ source: label, outcome: status < 300 ? "acknowledged" : "refused" }, seconds);
}

/** One outbound attempt, counted and timed (server/notify/record-attempt.ts). */
export function recordOutboundAttempt(outcome: string, trigger: "automatic" | "manual" | "test", seconds: number): void {
  metrics.outboundAttempts.inc({ outcome, trigger });
  metrics.outboundAttemptDuration.observe({ outcome: outcome === "success" ? "success" : "failure" }, seconds);
}

/** Database-wide gauges, read when scraped. */
async function collectGauges(handle: DbHandle): Promise<void> {
  const rules = Object.values(ConflictRule);
  const names = rules.flatMap((r) => [`exceptions.open.rule.${r}`, `exceptions.claimed.rule.${r}`] as const);
  const [backlog, counters] = await Promise.all([backlogNow(handle.db), readCounters(handle.db, names)]);
  metrics.backlog.reset();
  for (const b of backlog.bySource) metrics.backlog.set({ source: b.source }, b.backlog);
  metrics.backlogAge.set(backlog.oldestReceivedAt ? Math.max(0, (Date.now() - new Date(backlog.oldestReceivedAt).getTime()) / 1000) : 0);
  for (const rule of rules) {
    metrics.exceptions.set({ rule, status: "open" }, counters[`exceptions.open.rule.${rule}`]);
    metrics.exceptions.set({ rule, status: "claimed" }, counters[`exceptions.claimed.rule.${rule}`]);
  }
  const outbound = await outboundGauges(handle.db);
  for (const [state, n] of Object.entries(outbound.endpoints)) metrics.outboundEndpoints.set({ state }, n);
  metrics.outboundPending.set(outbound.pending);
  if (handle.pool) {
    metrics.poolConnections.set({ state: "total" }, handle.pool.totalCount);
    metrics.poolConnections.set({ state: "idle" }, handle.pool.idleCount);
    metrics.poolWaiting.set(handle.pool.waitingCount);
  }
}

/** The exposition in Prometheus text format, with its content type. */
export async function scrapeMetrics(handle: DbHandle): Promise<{ body: string; contentType: string }> {
  await collectGauges(handle);
  return { body: await metrics.registry.metrics(), contentType: metrics.registry.contentType };
}
