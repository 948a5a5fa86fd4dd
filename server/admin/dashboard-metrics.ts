import type { Db } from "../db/client";
import { recurringExceptions } from "./recurring-exceptions";
import { WINDOWS, windowKey, type WindowKey } from "./windows";

/** API.md's seven lineage fields: a lineage entry without one of them is incomplete. */
const LINEAGE_KEYS = ["source", "entityKind", "entityId", "entityVersion", "webhookId", "occurredAt", "receivedAt"];

export interface AuthoritativeChanges {
  /** Accepted, non-stale events received in the window. */
  total: number;
  /** Applied: a new version, exactly one current per case, complete lineage, a delta trace. */
  applied: number;
  /** Already reflected (no_change): the case's one current version carries complete lineage. */
  unchanged: number;
  /** Settled as applied/no_change, but a version it refers to lacks lineage or a delta trace, or its case has no single current version. */
  incomplete: number;
  held: number;
  waiting: number;
  received: number;
  quarantined: number;
  failed: number;
  /** (applied + unchanged) / total; null when there was nothing to measure. */
  share: number | null;
}

interface ChangeRow {
  total: number;
  applied: number;
  unchanged: number;
  incomplete: number;
  held: number;
  waiting: number;
  received: number;
  quarantined: number;
  failed: number;
}

/**
 * SPEC.md's headline measure, in one SQL statement: of the accepted non-stale events of the
 * window, how many ended in exactly one current record whose every leaf and list item has the
 * seven lineage fields (walked recursively over the jsonb record) and, for a new version, a delta
 * trace whose entries carry lineage.
 */
async function authoritativeChanges(db: Db, since: Date, until: Date): Promise<AuthoritativeChanges> {
  const [row] = await db.$queryRawUnsafe<ChangeRow[]>(
    `WITH RECURSIVE ev AS MATERIALIZED (
       SELECT e."id", e."status"::text AS "status" FROM "WebhookEvent" e
       WHERE e."receivedAt" >= $1::timestamp AND e."receivedAt" <= $2::timestamp AND e."status" <> 'stale'
     ),
     refs AS MATERIALIZED (
       SELECT c."eventId", c."caseId", c."outcome"::text AS "outcome", COALESCE(c."recordVersion", cs."currentVersion") AS "version"
       FROM "EventCase" c JOIN ev ON ev."id" = c."eventId" LEFT JOIN "Case" cs ON cs."id" = c."caseId"
       WHERE c."outcome" IN ('applied', 'no_change')
     ),
     versions AS MATERIALIZED (
       SELECT v."id", v."caseId", v."version", v."record", v."lineage" FROM "RecordVersion" v
       WHERE (v."caseId", v."version") IN (SELECT r."caseId", r."version" FROM refs r)
     ),
     walk("id", "path", "value", "item") AS (
       SELECT v."id", '/' || replace(replace(k."key", '~', '~0'), '/', '~1'), k."value", false
       FROM versions v CROSS JOIN LATERAL jsonb_each(v."record") k
       UNION ALL
       SELECT w."id", w."path" || '/' || c."key", c."value", c."item"
       FROM walk w CROSS JOIN LATERAL (
         SELECT replace(replace(o."key", '~', '~0'), '/', '~1') AS "key", o."value", false AS "item"
         FROM jsonb_each(CASE WHEN jsonb_typeof(w."value") = 'object' THEN w."value" ELSE '{}'::jsonb END) o
         UNION ALL
         SELECT (a."ord" - 1)::text, a."value", true
         FROM jsonb_array_elements(CASE WHEN jsonb_typeof(w."value") = 'array' THEN w."value" ELSE '[]'::jsonb END) WITH ORDINALITY a("value", "ord")
       ) c
     ),
     lined AS MATERIALIZED (
       SELECT v."id", k."key" AS "path" FROM versions v CROSS JOIN LATERAL jsonb_each(v."lineage") k
       WHERE jsonb_typeof(k."value") = 'object' AND k."value" ?& $3::text[]
     ),
     unlined AS MATERIALIZED (
       SELECT DISTINCT w."id" FROM walk w
       WHERE (w."item" OR jsonb_typeof(w."value") NOT IN ('object', 'array'))
         AND NOT EXISTS (SELECT 1 FROM lined l WHERE l."id" = w."id" AND l."path" = w."path")
     ),
     traced AS MATERIALIZED (
       SELECT d."versionId" AS "id", bool_and(COALESCE(d."lineage" ?& $3::text[], false)) AS "ok"
       FROM "DeltaEntry" d WHERE d."versionId" IN (SELECT "id" FROM versions) GROUP BY d."versionId"
     ),
     verdict AS MATERIALIZED (
       SELECT v."caseId", v."version", u."id" IS NULL AS "lined", COALESCE(t."ok", false) AS "traced"
       FROM versions v LEFT JOIN unlined u ON u."id" = v."id" LEFT JOIN traced t ON t."id" = v."id"
     ),
     currents AS MATERIALIZED (
       SELECT v."caseId", count(*) AS "n" FROM "RecordVersion" v
       WHERE v."isCurrent" AND v."caseId" IN (SELECT "caseId" FROM refs) GROUP BY v."caseId"
     ),
     judged AS (
       SELECT r."eventId", bool_and(
         COALESCE(x."lined", false) AND COALESCE(cur."n", 0) = 1 AND (r."outcome" <> 'applied' OR COALESCE(x."traced", false))) AS "ok"
       FROM refs r
       LEFT JOIN verdict x ON x."caseId" = r."caseId" AND x."version" = r."version"
       LEFT JOIN currents cur ON cur."caseId" = r."caseId"
       GROUP BY r."eventId"
     )
     SELECT count(*)::int AS "total",
       count(*) FILTER (WHERE ev."status" = 'applied' AND j."ok")::int AS "applied",
       count(*) FILTER (WHERE ev."status" = 'no_change' AND j."ok")::int AS "unchanged",
       count(*) FILTER (WHERE ev."status" IN ('applied', 'no_change') AND NOT COALESCE(j."ok", false))::int AS "incomplete",
       count(*) FILTER (WHERE ev."status" = 'held')::int AS "held",
       count(*) FILTER (WHERE ev."status" = 'waiting')::int AS "waiting",
       count(*) FILTER (WHERE ev."status" = 'received')::int AS "received",
       count(*) FILTER (WHERE ev."status" = 'quarantined')::int AS "quarantined",
       count(*) FILTER (WHERE ev."status" = 'failed')::int AS "failed"
     FROM ev LEFT JOIN judged j ON j."eventId" = ev."id"`,
    since,
    until,
    LINEAGE_KEYS,
  );
  const r = row!;
  return { ...r, share: r.total ? (r.applied + r.unchanged) / r.total : null };
}

interface LatencyRow {
  bucket: Date | null;
  events: number;
  p50: number | null;
  p99: number | null;
  max: number | null;
}

/** Event receivedAt → createdAt of the version it produced (EventCase.recordVersion), per event the slowest of its cases. */
async function latency(db: Db, since: Date, until: Date, bucketSeconds: number) {
  const rows = await db.$queryRawUnsafe<LatencyRow[]>(
    `WITH lat AS (
       SELECT e."id", date_bin(make_interval(secs => $3), e."receivedAt", $1::timestamp) AS "bucket",
         GREATEST(0, max(EXTRACT(EPOCH FROM (v."createdAt" - e."receivedAt")))) * 1000 AS "ms"
       FROM "WebhookEvent" e
       JOIN "EventCase" c ON c."eventId" = e."id" AND c."outcome" = 'applied' AND c."recordVersion" IS NOT NULL
       JOIN "RecordVersion" v ON v."caseId" = c."caseId" AND v."version" = c."recordVersion"
       WHERE e."receivedAt" >= $1::timestamp AND e."receivedAt" <= $2::timestamp
       GROUP BY e."id", 2
     )
     SELECT "bucket", count(*)::int AS "events",
       percentile_cont(0.5) WITHIN GROUP (ORDER BY "ms") AS "p50",
       percentile_cont(0.99) WITHIN GROUP (ORDER BY "ms") AS "p99",
       max("ms") AS "max"
     FROM lat GROUP BY GROUPING SETS (("bucket"), ())
     ORDER BY "bucket" NULLS FIRST`,
    since,
    until,
    bucketSeconds,
  );
  const num = (v: number | string | null) => (v === null ? null : Number(v));
  const all = rows.find((r) => r.bucket === null);
  return {
    events: all?.events ?? 0,
    p50Ms: num(all?.p50 ?? null),
    p99Ms: num(all?.p99 ?? null),
    maxMs: num(all?.max ?? null),
    series: rows.filter((r) => r.bucket !== null).map((r) => ({ bucket: new Date(r.bucket!), events: r.events, p50Ms: num(r.p50), p99Ms: num(r.p99) })),
  };
}

interface IntakeRow {
  bucket: Date;
  source: string;
  accepted: number;
  stale: number;
  refused: number;
}

/** Accepted (non-stale), stale and refused deliveries per source and bucket. */
async function intake(db: Db, since: Date, until: Date, bucketSeconds: number) {
  return db.$queryRawUnsafe<IntakeRow[]>(
    `SELECT "bucket", "source", sum("accepted")::int AS "accepted", sum("stale")::int AS "stale", sum("refused")::int AS "refused" FROM (
       SELECT date_bin(make_interval(secs => $3), e."receivedAt", $1::timestamp) AS "bucket", s."name" AS "source",
         count(*) FILTER (WHERE e."status" <> 'stale') AS "accepted", count(*) FILTER (WHERE e."status" = 'stale') AS "stale", 0 AS "refused"
       FROM "WebhookEvent" e JOIN "Source" s ON s."id" = e."sourceId"
       WHERE e."receivedAt" >= $1::timestamp AND e."receivedAt" <= $2::timestamp
       GROUP BY 1, 2
       UNION ALL
       SELECT date_bin(make_interval(secs => $3), r."createdAt", $1::timestamp), r."sourceName", 0, 0, count(*)
       FROM "Refusal" r WHERE r."createdAt" >= $1::timestamp AND r."createdAt" <= $2::timestamp
       GROUP BY 1, 2
     ) x GROUP BY "bucket", "source" ORDER BY "bucket", "source"`,
    since,
    until,
    bucketSeconds,
  );
}

interface RefusalRow {
  source: string;
  httpStatus: number;
  count: number;
}

async function refusalsByReason(db: Db, since: Date, until: Date) {
  return db.$queryRawUnsafe<RefusalRow[]>(
    `SELECT r."sourceName" AS "source", r."httpStatus", count(*)::int AS "count" FROM "Refusal" r
     WHERE r."createdAt" >= $1::timestamp AND r."createdAt" <= $2::timestamp
     GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2`,
    since,
    until,
  );
}

interface ExceptionRuleRow {
  rule: string;
  opened: number;
  open: number;
  claimed: number;
  approve: number;
  reject: number;
  override: number;
  cleared: number;
}

async function exceptionsByRule(db: Db, since: Date, until: Date) {
  return db.$queryRawUnsafe<ExceptionRuleRow[]>(
    `SELECT x."rule"::text AS "rule", count(*)::int AS "opened",
       count(*) FILTER (WHERE x."status" = 'open')::int AS "open",
       count(*) FILTER (WHERE x."status" = 'claimed')::int AS "claimed",
       count(*) FILTER (WHERE x."resolution" = 'approve')::int AS "approve",
       count(*) FILTER (WHERE x."resolution" = 'reject')::int AS "reject",
       count(*) FILTER (WHERE x."resolution" = 'override')::int AS "override",
       count(*) FILTER (WHERE x."resolution" = 'cleared')::int AS "cleared"
     FROM "CaseException" x WHERE x."openedAt" >= $1::timestamp AND x."openedAt" <= $2::timestamp
     GROUP BY x."rule" ORDER BY 2 DESC, 1`,
    since,
    until,
  );
}

interface BacklogRow {
  source: string | null;
  backlog: number;
  oldest: Date | null;
}

/** Events received but not yet refreshed, now (per source) and at the end of each bucket (from receivedAt/processedAt). */
async function backlog(db: Db, since: Date, until: Date, bucketSeconds: number) {
  const [now, series] = await Promise.all([
    db.$queryRawUnsafe<BacklogRow[]>(
      `SELECT s."name" AS "source", count(*)::int AS "backlog", min(e."receivedAt") AS "oldest"
       FROM "WebhookEvent" e JOIN "Source" s ON s."id" = e."sourceId" WHERE e."status" = 'received'
       GROUP BY ROLLUP (s."name") ORDER BY 1 NULLS FIRST`,
    ),
    db.$queryRawUnsafe<{ at: Date; backlog: number }[]>(
      `WITH cand AS (
         SELECT e."receivedAt", e."processedAt" FROM "WebhookEvent" e
         WHERE e."receivedAt" <= $2::timestamp AND (e."processedAt" IS NULL OR e."processedAt" > $1::timestamp)
       )
       SELECT t."at", (SELECT count(*) FROM cand WHERE cand."receivedAt" <= t."at" AND (cand."processedAt" IS NULL OR cand."processedAt" > t."at"))::int AS "backlog"
       FROM generate_series($1::timestamp + make_interval(secs => $3), $2::timestamp, make_interval(secs => $3)) AS t("at")
       ORDER BY 1`,
      since,
      until,
      bucketSeconds,
    ),
  ]);
  const total = now.find((r) => r.source === null);
  return {
    now: total?.backlog ?? 0,
    oldestReceivedAt: total?.oldest ?? null,
    bySource: now.filter((r) => r.source !== null).map((r) => ({ source: r.source!, backlog: r.backlog, oldestReceivedAt: r.oldest })),
    series: series.map((r) => ({ at: new Date(r.at), backlog: r.backlog })),
  };
}

/** Everything /dashboard shows for one window; every number comes out of SQL aggregation. */
export async function getDashboard(db: Db, rawWindow: WindowKey) {
  const window = windowKey.parse(rawWindow);
  const w = WINDOWS[window];
  const until = new Date();
  const since = new Date(until.getTime() - w.seconds * 1000);
  const [changes, lat, intakeRows, refusals, exceptions, queue, recurring] = await Promise.all([
    authoritativeChanges(db, since, until),
    latency(db, since, until, w.bucketSeconds),
    intake(db, since, until, w.bucketSeconds),
    refusalsByReason(db, since, until),
    exceptionsByRule(db, since, until),
    backlog(db, since, until, w.bucketSeconds),
    recurringExceptions(db, window, 10),
  ]);
  const buckets = Array.from({ length: Math.ceil(w.seconds / w.bucketSeconds) }, (_, i) => new Date(since.getTime() + i * w.bucketSeconds * 1000));
  const sources = [...new Set(intakeRows.map((r) => r.source))].sort();
  const bySource = sources.map((source) => {
    const rows = intakeRows.filter((r) => r.source === source);
    return { source, accepted: rows.reduce((n, r) => n + r.accepted, 0), stale: rows.reduce((n, r) => n + r.stale, 0), refused: rows.reduce((n, r) => n + r.refused, 0) };
  });
  const accepted = bySource.reduce((n, s) => n + s.accepted, 0);
  return {
    window,
    windowLabel: w.label,
    since,
    until,
    bucketSeconds: w.bucketSeconds,
    changes,
    latency: lat,
    intake: {
      accepted,
      stale: bySource.reduce((n, s) => n + s.stale, 0),
      refused: bySource.reduce((n, s) => n + s.refused, 0),
      perMinute: accepted / (w.seconds / 60),
      sources,
      bySource,
      buckets: buckets.map((b) => ({ bucket: b, bySource: Object.fromEntries(intakeRows.filter((r) => r.bucket.getTime() === b.getTime()).map((r) => [r.source, r])) })),
      refusals,
    },
    exceptions,
    backlog: queue,
    recurring: recurring.groups,
  };
}

export type Dashboard = Awaited<ReturnType<typeof getDashboard>>;

const CACHE_MS = 10_000;
const g = globalThis as unknown as { __errDashboardCache?: Map<string, { at: number; value: Promise<Dashboard> }> };

/**
 * getDashboard shared by every viewer for a few seconds: the lineage walk costs seconds on the
 * embedded database, whose single connection intake and refreshes need too.
 */
export function getDashboardCached(db: Db, window: WindowKey): Promise<Dashboard> {
  const cache = (g.__errDashboardCache ??= new Map());
  const hit = cache.get(window);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.value;
  const value = getDashboard(db, window);
  cache.set(window, { at: Date.now(), value });
  value.catch(() => cache.delete(window));
  return value;
}
