import type { Db } from "../../db/client";
import { backlogNow, eventBuckets, exceptionsByRule, incompleteEvents, latencyBins, refusalBuckets, windowRange, type EventBucket } from "./dashboard-rollups";
import { histogramSummary } from "./latency-histogram";
import { auditBacklog } from "./lineage-audit";
import { readCounters } from "./metric-counters";
import { recurringExceptions } from "../../exceptions/recurring";
import { WINDOWS, windowKey, type WindowKey } from "./windows";

export interface AuthoritativeChanges {
  /** Accepted, non-stale events received in the window. */
  total: number;
  /** Applied: a new version, exactly one current per case, complete lineage, a delta trace. */
  applied: number;
  /** Already reflected (no_change): the case's one current version carries complete lineage. */
  unchanged: number;
  /** Settled as applied/no_change, but the lineage audit found a version it counts for without complete lineage or delta trace. */
  incomplete: number;
  held: number;
  waiting: number;
  received: number;
  quarantined: number;
  failed: number;
  /** (applied + unchanged) / total; null when there was nothing to measure. */
  share: number | null;
  /** Versions written but not yet audited (counted up to 1,000): their events count as complete until audited. */
  auditPending: number;
}

const STATUSES = ["received", "applied", "held", "noChange", "stale", "waiting", "quarantined", "failed"] as const;

/**
 * Everything /dashboard shows for one window, read from rollups the write path keeps (triggers
 * of migration 20261201100000_read_path_indexes) and from whole-database counters: a few hundred
 * rows per read, so the page costs the same with a thousand events as with a million.
 *
 * Event-to-current latency has one definition here: from the event's receipt until the version
 * holding its change is current (the event settles as applied). Events held behind an exception
 * before going current are measured separately (their time is mostly the wait for a specialist).
 */
export async function getDashboard(db: Db, rawWindow: WindowKey) {
  const window = windowKey.parse(rawWindow);
  const w = WINDOWS[window];
  const range = windowRange(window);
  const [eventRows, latencyRows, refusalRows, exceptions, queue, recurring, counters, incomplete, auditPending] = await Promise.all([
    eventBuckets(db, range),
    latencyBins(db, range),
    refusalBuckets(db, range),
    exceptionsByRule(db, range),
    backlogNow(db),
    recurringExceptions(db, window, 10, { cases: false }),
    readCounters(db, ["records", "recordsWithException"]),
    incompleteEvents(db, range),
    auditBacklog(db),
  ]);
  const sum = (rows: EventBucket[], k: keyof Omit<EventBucket, "bucket" | "source">) => rows.reduce((n, r) => n + r[k], 0);
  const events = Object.fromEntries(STATUSES.map((s) => [s === "noChange" ? "no_change" : s, sum(eventRows, s)])) as Record<string, number>;
  const totalEvents = STATUSES.reduce((n, s) => n + sum(eventRows, s), 0);
  const total = totalEvents - events.stale!;
  const applied = Math.max(0, events.applied! - incomplete.applied);
  const unchanged = Math.max(0, events.no_change! - incomplete.unchanged);
  const changes: AuthoritativeChanges = {
    total,
    applied,
    unchanged,
    incomplete: events.applied! - applied + (events.no_change! - unchanged),
    held: events.held!,
    waiting: events.waiting!,
    received: events.received!,
    quarantined: events.quarantined!,
    failed: events.failed!,
    share: total ? (applied + unchanged) / total : null,
    auditPending,
  };

  const t = (d: Date) => d.getTime();
  const direct = latencyRows.filter((l) => l.kind === "direct");
  const latency = {
    ...histogramSummary(direct),
    series: range.buckets
      .map((b) => ({ bucket: b, ...histogramSummary(direct.filter((l) => t(l.bucket) === t(b))) }))
      .filter((s) => s.events > 0)
      .map((s) => ({ bucket: s.bucket, events: s.events, p50Ms: s.p50Ms, p99Ms: s.p99Ms })),
    held: histogramSummary(latencyRows.filter((l) => l.kind === "held")),
  };

  const sources = [...new Set([...eventRows.map((r) => r.source), ...refusalRows.map((r) => r.source)])].sort();
  const accepted = (r: EventBucket) => STATUSES.reduce((n, s) => n + r[s], 0) - r.stale;
  const bySource = sources.map((source) => {
    const rows = eventRows.filter((r) => r.source === source);
    return {
      source,
      accepted: rows.reduce((n, r) => n + accepted(r), 0),
      stale: sum(rows, "stale"),
      refused: refusalRows.filter((r) => r.source === source).reduce((n, r) => n + r.count, 0),
    };
  });
  const refusals = [...new Map(refusalRows.map((r) => [`${r.source}\u0000${r.httpStatus}`, { source: r.source, httpStatus: r.httpStatus, count: 0 }])).values()];
  for (const r of refusalRows) refusals.find((x) => x.source === r.source && x.httpStatus === r.httpStatus)!.count += r.count;
  refusals.sort((a, b) => b.count - a.count || a.source.localeCompare(b.source) || a.httpStatus - b.httpStatus);
  const acceptedTotal = bySource.reduce((n, s) => n + s.accepted, 0);

  // Backlog at the end of each bucket: today's backlog, less what arrived since, plus what left since.
  const widthMs = range.width * 1000;
  const series = range.buckets.map((b) => {
    const at = new Date(Math.min(t(b) + widthMs, t(range.until)));
    const later = eventRows.filter((r) => t(r.bucket) > t(b));
    return { at, backlog: Math.max(0, queue.now - sum(later, "arrived") + sum(later, "departed")) };
  });

  return {
    window,
    windowLabel: w.phrase,
    since: range.since,
    until: range.until,
    bucketSeconds: range.width,
    records: counters.records,
    withExceptions: counters.recordsWithException,
    events,
    totalEvents,
    changes,
    latency,
    intake: {
      accepted: acceptedTotal,
      stale: bySource.reduce((n, s) => n + s.stale, 0),
      refused: bySource.reduce((n, s) => n + s.refused, 0),
      perMinute: acceptedTotal / ((t(range.until) - t(range.since)) / 60_000),
      sources,
      bySource,
      buckets: range.buckets.map((b) => ({
        bucket: b,
        bySource: Object.fromEntries(
          sources
            .map((source) => {
              const ev = eventRows.filter((r) => r.source === source && t(r.bucket) === t(b));
              const refused = refusalRows.filter((r) => r.source === source && t(r.bucket) === t(b)).reduce((n, r) => n + r.count, 0);
              return [source, { bucket: b, source, accepted: ev.reduce((n, r) => n + accepted(r), 0), stale: sum(ev, "stale"), refused }] as const;
            })
            .filter(([, v]) => v.accepted + v.stale + v.refused > 0),
        ),
      })),
      refusals,
    },
    exceptions,
    backlog: { ...queue, series },
    recurring: recurring.groups,
  };
}

export type Dashboard = Awaited<ReturnType<typeof getDashboard>>;

const CACHE_MS = 10_000;
const g = globalThis as unknown as { __errDashboardCache?: Map<string, { at: number; value: Promise<Dashboard> }> };

/** getDashboard shared by every viewer for a few seconds: the page polls, and many may watch it. */
export function getDashboardCached(db: Db, window: WindowKey): Promise<Dashboard> {
  const cache = (g.__errDashboardCache ??= new Map());
  const hit = cache.get(window);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.value;
  const value = getDashboard(db, window);
  cache.set(window, { at: Date.now(), value });
  value.catch(() => cache.delete(window));
  return value;
}
