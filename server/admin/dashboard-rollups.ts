import type { Db } from "../db/client";
import { WINDOWS, type WindowKey } from "./windows";

/**
 * Reads of the dashboard's rollups (migration 20261201100000_read_path_indexes). Each reads the
 * buckets of one width inside the window: a few hundred rows whatever the size of the event log.
 */
export interface WindowRange {
  /** Start of the first bucket: the window rounded down to a bucket boundary, so whole buckets are counted. */
  since: Date;
  until: Date;
  width: number;
  buckets: Date[];
}

export function windowRange(window: WindowKey, now = new Date()): WindowRange {
  const w = WINDOWS[window];
  const widthMs = w.bucketSeconds * 1000;
  const since = new Date(Math.floor((now.getTime() - w.seconds * 1000) / widthMs) * widthMs);
  const buckets: Date[] = [];
  for (let t = since.getTime(); t <= now.getTime(); t += widthMs) buckets.push(new Date(t));
  return { since, until: now, width: w.bucketSeconds, buckets };
}

export interface EventBucket {
  bucket: Date;
  source: string;
  received: number;
  applied: number;
  held: number;
  noChange: number;
  stale: number;
  waiting: number;
  quarantined: number;
  failed: number;
  arrived: number;
  departed: number;
}

export async function eventBuckets(db: Db, r: WindowRange): Promise<EventBucket[]> {
  const rows = await db.$queryRawUnsafe<EventBucket[]>(
    `SELECT e."bucket", COALESCE(s."name", e."sourceId") AS "source",
       sum(e."received")::int AS "received", sum(e."applied")::int AS "applied", sum(e."held")::int AS "held", sum(e."noChange")::int AS "noChange",
       sum(e."stale")::int AS "stale", sum(e."waiting")::int AS "waiting", sum(e."quarantined")::int AS "quarantined", sum(e."failed")::int AS "failed",
       sum(e."arrived")::int AS "arrived", sum(e."departed")::int AS "departed"
     FROM "EventRollup" e LEFT JOIN "Source" s ON s."id" = e."sourceId"
     WHERE e."width" = $1 AND e."bucket" >= $2::timestamp
     GROUP BY 1, 2 ORDER BY 1, 2`,
    r.width,
    r.since,
  );
  return rows.map((x) => ({ ...x, bucket: new Date(x.bucket) }));
}

export interface LatencyBin {
  bucket: Date;
  kind: "direct" | "held";
  bin: number;
  n: number;
}

export async function latencyBins(db: Db, r: WindowRange): Promise<LatencyBin[]> {
  const rows = await db.$queryRawUnsafe<LatencyBin[]>(
    `SELECT "bucket", "kind", "bin", sum("n")::int AS "n" FROM "LatencyRollup"
     WHERE "width" = $1 AND "bucket" >= $2::timestamp GROUP BY 1, 2, 3 HAVING sum("n") > 0`,
    r.width,
    r.since,
  );
  return rows.map((x) => ({ ...x, bucket: new Date(x.bucket) }));
}

export interface RefusalBucket {
  bucket: Date;
  source: string;
  httpStatus: number;
  count: number;
}

export async function refusalBuckets(db: Db, r: WindowRange): Promise<RefusalBucket[]> {
  const rows = await db.$queryRawUnsafe<RefusalBucket[]>(
    `SELECT "bucket", "sourceName" AS "source", "httpStatus", sum("n")::int AS "count" FROM "RefusalRollup"
     WHERE "width" = $1 AND "bucket" >= $2::timestamp GROUP BY 1, 2, 3 HAVING sum("n") > 0`,
    r.width,
    r.since,
  );
  return rows.map((x) => ({ ...x, bucket: new Date(x.bucket) }));
}

export interface ExceptionRuleRow {
  rule: string;
  opened: number;
  open: number;
  claimed: number;
  approve: number;
  reject: number;
  override: number;
  cleared: number;
}

/** Exceptions opened in the window per rule, and what became of them. */
export async function exceptionsByRule(db: Db, r: WindowRange): Promise<ExceptionRuleRow[]> {
  return db.$queryRawUnsafe<ExceptionRuleRow[]>(
    `SELECT "rule"::text AS "rule", sum("opened")::int AS "opened", sum("open")::int AS "open", sum("claimed")::int AS "claimed",
       sum("approve")::int AS "approve", sum("reject")::int AS "reject", sum("override")::int AS "override", sum("cleared")::int AS "cleared"
     FROM "ExceptionRollup" WHERE "width" = $1 AND "bucket" >= $2::timestamp AND "scope" = 'rule'
     GROUP BY 1 HAVING sum("opened") > 0 ORDER BY 2 DESC, 1`,
    r.width,
    r.since,
  );
}

interface BacklogRow {
  source: string | null;
  backlog: number;
  oldest: Date | null;
}

/** Events received and not yet refreshed, per source: the backlog's own rows, through the partial index of unsettled statuses. */
export async function backlogNow(db: Db) {
  const rows = await db.$queryRawUnsafe<BacklogRow[]>(
    `SELECT s."name" AS "source", count(*)::int AS "backlog", min(e."receivedAt") AS "oldest"
     FROM "WebhookEvent" e JOIN "Source" s ON s."id" = e."sourceId" WHERE e."status" = 'received'
     GROUP BY ROLLUP (s."name") ORDER BY 1 NULLS FIRST`,
  );
  const total = rows.find((r) => r.source === null);
  return {
    now: total?.backlog ?? 0,
    oldestReceivedAt: total?.oldest ?? null,
    bySource: rows.filter((r) => r.source !== null).map((r) => ({ source: r.source!, backlog: r.backlog, oldestReceivedAt: r.oldest })),
  };
}

/**
 * Events of the window the lineage audit found counted against an incomplete version: an applied
 * outcome needs its version lined and traced, an unchanged one the case's current version lined.
 * Starts from the (rare) incomplete versions, so it costs nothing while everything is complete.
 */
export async function incompleteEvents(db: Db, r: WindowRange): Promise<{ applied: number; unchanged: number }> {
  const rows = await db.$queryRawUnsafe<{ status: string; n: number }[]>(
    `SELECT e."status"::text AS "status", count(DISTINCT e."id")::int AS "n"
     FROM "IncompleteVersion" iv
     JOIN "EventCase" ec ON ec."caseId" = iv."caseId" AND ec."outcome" IN ('applied', 'no_change')
     LEFT JOIN "Case" cs ON cs."id" = ec."caseId"
     JOIN "WebhookEvent" e ON e."id" = ec."eventId"
     WHERE COALESCE(ec."recordVersion", cs."currentVersion") = iv."version"
       AND (NOT iv."lined" OR (ec."outcome" = 'applied' AND NOT iv."traced"))
       AND e."receivedAt" >= $1::timestamp AND e."status" IN ('applied', 'no_change')
     GROUP BY 1`,
    r.since,
  );
  return { applied: rows.find((x) => x.status === "applied")?.n ?? 0, unchanged: rows.find((x) => x.status === "no_change")?.n ?? 0 };
}
