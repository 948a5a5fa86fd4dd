import type { Db } from "../../db/client";
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

/**
 * Events received and not yet refreshed, per source: the rollup's received counts over every
 * bucket (upkeep never drops a bucket still holding a received event), and the oldest one's
 * receipt from the first entry of the partial index of unsettled statuses. Neither reads the
 * backlog itself, which can be large.
 */
export async function backlogNow(db: Db) {
  const [rows, oldest] = await Promise.all([
    db.$queryRawUnsafe<{ source: string; backlog: number }[]>(
      `SELECT COALESCE(s."name", r."sourceId") AS "source", sum(r."received")::int AS "backlog"
       FROM "EventRollup" r LEFT JOIN "Source" s ON s."id" = r."sourceId"
       WHERE r."width" = 21600 GROUP BY 1 HAVING sum(r."received") <> 0 ORDER BY 1`,
    ),
    db.$queryRawUnsafe<{ at: Date }[]>(`SELECT "receivedAt" AS "at" FROM "WebhookEvent" WHERE "status" = 'received' ORDER BY "receivedAt" LIMIT 1`),
  ]);
  return {
    now: rows.reduce((n, r) => n + r.backlog, 0),
    oldestReceivedAt: oldest[0]?.at ?? null,
    bySource: rows.map((r) => ({ source: r.source, backlog: r.backlog })),
  };
}

/**
 * Events of the window the lineage audit found counted against an incomplete version: an applied
 * outcome needs its version lined and traced, an unchanged one the case's current version lined.
 * Starts from the (rare) incomplete versions: one look-up of an empty table while all is complete,
 * then only the cases concerned, by their keys.
 */
export async function incompleteEvents(db: Db, r: WindowRange): Promise<{ applied: number; unchanged: number }> {
  const bad = await db.$queryRawUnsafe<{ caseId: string }[]>(`SELECT DISTINCT "caseId" FROM "IncompleteVersion" LIMIT 10000`);
  if (!bad.length) return { applied: 0, unchanged: 0 };
  const rows = await db.$queryRawUnsafe<{ status: string; n: number }[]>(
    `SELECT e."status"::text AS "status", count(DISTINCT e."id")::int AS "n"
     FROM "EventCase" ec
     JOIN "IncompleteVersion" iv ON iv."caseId" = ec."caseId"
     LEFT JOIN "Case" cs ON cs."id" = ec."caseId"
     JOIN "WebhookEvent" e ON e."id" = ec."eventId"
     WHERE ec."caseId" = ANY($2::text[]) AND ec."outcome" IN ('applied', 'no_change')
       AND COALESCE(ec."recordVersion", cs."currentVersion") = iv."version"
       AND (NOT iv."lined" OR (ec."outcome" = 'applied' AND NOT iv."traced"))
       AND e."receivedAt" >= $1::timestamp AND e."status" IN ('applied', 'no_change')
     GROUP BY 1`,
    r.since,
    bad.map((b) => b.caseId),
  );
  return { applied: rows.find((x) => x.status === "applied")?.n ?? 0, unchanged: rows.find((x) => x.status === "no_change")?.n ?? 0 };
}
