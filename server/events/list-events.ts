import { z } from "zod";
import { safeDate, safeInt } from "../lib/safe-text";
import type { Db } from "../db/client";
import { cappedTotal, COUNT_CAP, finishPage, keyColumns, keysetPlan, type KeysetOrder } from "../db/keyset";
import { SqlParams } from "../db/sql-params";

export const EVENT_STATUSES = ["received", "applied", "held", "no_change", "stale", "waiting", "quarantined", "failed"] as const;

const cursor = z.string().max(2000).optional();

export const eventListInput = z.object({
  source: z.string().max(100).optional(),
  status: z.array(z.enum(EVENT_STATUSES)).max(EVENT_STATUSES.length).optional(),
  caseId: z.string().trim().max(200).optional(),
  /** A webhook id or an entity id. */
  q: z.string().trim().max(200).optional(),
  from: safeDate().optional(),
  to: safeDate().optional(),
  /** Keyset cursors (server/db/keyset.ts). */
  after: cursor,
  before: cursor,
  pageSize: safeInt(10, 200).default(50),
});
export type EventListInput = z.infer<typeof eventListInput>;

/** Newest received first, seq breaking ties: the index (receivedAt, seq) of migration 20261201100000_read_path_indexes. */
const ORDER: KeysetOrder = { tag: "events", keys: [`e."receivedAt"`, `e."seq"`], types: ["timestamp", "bigint"], dir: "desc" };

/**
 * The conditions of a listing, each answerable from an index: a case's events through EventCase
 * and the event's own case id, a webhook or entity id through the (source, id) keys of each
 * source (there are a handful), dates as a range of the order's own index.
 */
function conditions(p: SqlParams, input: EventListInput): string[] {
  const where: string[] = [];
  if (input.source) where.push(`e."sourceId" = (SELECT s."id" FROM "Source" s WHERE s."name" = ${p.add(input.source)})`);
  if (input.caseId) {
    const c = p.add(input.caseId);
    where.push(`e."id" IN (SELECT ec."eventId" FROM "EventCase" ec WHERE ec."caseId" = ${c} UNION SELECT x."id" FROM "WebhookEvent" x WHERE x."caseId" = ${c})`);
  }
  if (input.q) {
    const q = p.add(input.q);
    where.push(
      `e."id" IN (SELECT x."id" FROM "Source" s JOIN "WebhookEvent" x ON x."sourceId" = s."id" AND x."webhookId" = ${q}
                  UNION SELECT x."id" FROM "Source" s JOIN "WebhookEvent" x ON x."sourceId" = s."id" AND x."entityId" = ${q})`,
    );
  }
  if (input.from) where.push(`e."receivedAt" >= ${p.add(input.from)}::timestamp`);
  if (input.to) where.push(`e."receivedAt" <= ${p.add(input.to)}::timestamp`);
  return where;
}

/**
 * `SELECT <what> FROM "WebhookEvent" e` under the filters, in the log's order, at most `limit`
 * rows. With a status filter, one branch per status, each walking its own index (statuses are
 * enum values from the input schema, written as literals so the partial index of the rare
 * statuses applies), merged in order.
 */
function listingSql(p: SqlParams, input: EventListInput, what: string, limit: number, page: { after?: string; before?: string }) {
  const where = conditions(p, input);
  const plan = keysetPlan(p, ORDER, page);
  const base = [...where, plan.where];
  const statuses = [...new Set(input.status ?? [])].filter((s) => (EVENT_STATUSES as readonly string[]).includes(s));
  const branch = (extra: string[]) => `SELECT ${what} FROM "WebhookEvent" e WHERE ${[...base, ...extra].join(" AND ")} ORDER BY ${plan.orderBy} LIMIT ${limit}`;
  const sql = statuses.length
    ? `SELECT * FROM (${statuses.map((s) => `(${branch([`e."status" = '${s}'`])})`).join(" UNION ALL ")}) e ORDER BY ${plan.orderBy} LIMIT ${limit}`
    : branch([]);
  return { sql, plan };
}

interface Row {
  id: string;
  webhookId: string;
  type: string;
  caseId: string;
  entityKind: string;
  entityId: string;
  entityVersion: number;
  occurredAt: Date;
  receivedAt: Date;
  processedAt: Date | null;
  status: (typeof EVENT_STATUSES)[number];
  attempts: number;
  lastError: string | null;
  source: string;
  cases: string;
  caseCount: number;
}

const COLUMNS = `e."id", e."webhookId", e."type", e."caseId", e."entityKind", e."entityId", e."entityVersion", e."occurredAt", e."receivedAt",
  e."processedAt", e."status"::text AS "status", e."attempts", e."lastError", e."seq", e."sourceId"`;

/** The intake stream, newest first, a keyset page at a time, with what each event did to the cases it touched. */
export async function listEvents(db: Db, input: EventListInput) {
  const read = async (page: { after?: string; before?: string }) => {
    const p = new SqlParams();
    const { sql, plan } = listingSql(p, input, COLUMNS, input.pageSize + 1, page);
    const rows = await db.$queryRawUnsafe<Row[]>(
      `SELECT e."id", e."webhookId", e."type", e."caseId", e."entityKind", e."entityId", e."entityVersion", e."occurredAt", e."receivedAt",
         e."processedAt", e."status", e."attempts", e."lastError", s."name" AS "source", ${keyColumns(ORDER)},
         (SELECT COALESCE(json_agg(json_build_object('caseId', c."caseId", 'outcome', c."outcome", 'recordVersion', c."recordVersion") ORDER BY c."caseId"), '[]')::text
            FROM (SELECT * FROM "EventCase" c WHERE c."eventId" = e."id" ORDER BY c."caseId" LIMIT 20) c) AS "cases",
         (SELECT count(*)::int FROM "EventCase" c WHERE c."eventId" = e."id") AS "caseCount"
       FROM (${sql}) e JOIN "Source" s ON s."id" = e."sourceId"
       ORDER BY ${plan.orderBy}`,
      ...p.values,
    );
    return { plan, rows };
  };
  const count = async () => {
    const p = new SqlParams();
    const { sql } = listingSql(p, input, `e."receivedAt", e."seq"`, COUNT_CAP, {});
    const [row] = await db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS "n" FROM (${sql}) x`, ...p.values);
    return cappedTotal(row?.n ?? 0);
  };
  const [{ plan, rows }, total] = await Promise.all([read({ after: input.after, before: input.before }), count()]);
  const page = await finishPage(ORDER, plan, rows, input.pageSize, shape, async () => (await read({})).rows);
  return { total: total.count, totalCapped: total.capped, pageSize: input.pageSize, ...page };
}

function shape(r: Row) {
  return {
    id: r.id,
    webhookId: r.webhookId,
    type: r.type,
    caseId: r.caseId,
    entityKind: r.entityKind,
    entityId: r.entityId,
    entityVersion: r.entityVersion,
    occurredAt: r.occurredAt,
    receivedAt: r.receivedAt,
    processedAt: r.processedAt,
    status: r.status,
    attempts: r.attempts,
    lastError: r.lastError,
    source: r.source,
    cases: JSON.parse(r.cases) as { caseId: string; outcome: (typeof EVENT_STATUSES)[number]; recordVersion: number | null }[],
    caseCount: r.caseCount,
  };
}

/** Sources for the filter. */
export async function eventFacets(db: Db) {
  const sources = await db.source.findMany({ select: { name: true }, orderBy: { name: "asc" } });
  return { sources: sources.map((s) => s.name), statuses: [...EVENT_STATUSES] };
}
