import { z } from "zod";
import { safeInt } from "../lib/safe-text";
import { readCounters } from "../ops/dashboard/metric-counters";
import type { Db } from "../db/client";
import type { DeltaCause } from "../db/generated/client";
import { cappedCountSql, cappedTotal, finishPage, keyColumns, keysetPlan, type KeysetOrder } from "../db/keyset";
import { SqlParams } from "../db/sql-params";
import { CAUSES } from "../refresh/types";

const cursor = z.string().max(2000).optional();

export const recordListInput = z.object({
  q: z.string().trim().max(200).optional(),
  severity: z.array(z.enum(["S1", "S2", "S3", "S4"])).max(4).optional(),
  tier: z.array(z.string().max(100)).max(20).optional(),
  product: z.array(z.string().max(100)).max(50).optional(),
  status: z.array(z.enum(["open", "pending", "solved", "closed"])).max(4).optional(),
  hasException: z.boolean().optional(),
  cause: z.enum(CAUSES).optional(),
  sort: z.enum(["refreshed", "severity", "case", "customer", "exceptions"]).default("refreshed"),
  dir: z.enum(["asc", "desc"]).default("desc"),
  /** Keyset cursors (server/db/keyset.ts): the page after or before a row of the previous page. */
  after: cursor,
  before: cursor,
  pageSize: safeInt(10, 200).default(50),
});
export type RecordListInput = z.infer<typeof recordListInput>;
export type RecordSort = RecordListInput["sort"];

// Every expression here is written exactly as in the indexes of migration
// 20261201100000_read_path_indexes, so the planner matches them.
const REFRESHED = `COALESCE(c."lastRefreshedAt", '-infinity'::timestamp)`;
const SEVERITY = `COALESCE(c."severity", '')`;
const SEARCH = `(E'\\x1f' || c."id" || E'\\x1f' || COALESCE(c."accountId", '') || E'\\x1f' || COALESCE(c."customerName", '') || E'\\x1f' || COALESCE(c."subject", ''))`;

const SORT_KEYS: Record<RecordSort, { keys: string[]; types: string[] }> = {
  refreshed: { keys: [REFRESHED, `c."id"`], types: ["timestamp", "text"] },
  severity: { keys: [SEVERITY, REFRESHED, `c."id"`], types: ["text", "timestamp", "text"] },
  case: { keys: [`c."id"`], types: ["text"] },
  customer: { keys: [`COALESCE(c."customerName", '')`, `c."id"`], types: ["text", "text"] },
  exceptions: { keys: [`c."openExceptionCount"`, REFRESHED, `c."id"`], types: ["int", "timestamp", "text"] },
};

export function recordOrder(sort: RecordSort, dir: "asc" | "desc"): KeysetOrder {
  return { tag: `records:${sort}:${dir}`, dir, ...SORT_KEYS[sort] };
}

/** U+001F separates the searched columns; a search never contains it. */
const SEPARATOR = String.fromCharCode(0x1f);
const withoutSeparator = (q: string) => q.split(SEPARATOR).join("");

/** LIKE's wildcards and escape character taken literally. */
export function likePattern(q: string): string {
  return `%${withoutSeparator(q).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

function filters(p: SqlParams, input: RecordListInput): string[] {
  const where = [`c."currentVersion" IS NOT NULL`];
  const q = input.q ? withoutSeparator(input.q) : "";
  // Substring search through the trigram index (pg_trgm) over id, account, customer and subject.
  if (q) where.push(`${SEARCH} ILIKE ${p.add(likePattern(q))}`);
  if (input.severity?.length) where.push(`c."severity" = ANY(${p.add(input.severity)}::text[])`);
  if (input.tier?.length) where.push(`c."tier" = ANY(${p.add(input.tier)}::text[])`);
  if (input.product?.length) where.push(`c."productCode" = ANY(${p.add(input.product)}::text[])`);
  if (input.status?.length) where.push(`c."status" = ANY(${p.add(input.status)}::text[])`);
  if (input.hasException !== undefined) where.push(input.hasException ? `c."openExceptionCount" > 0` : `c."openExceptionCount" = 0`);
  // A scalar enum parameter: the embedded database's adapter cannot send an enum array.
  if (input.cause) where.push(`c."lastCauses" @> ARRAY[${p.add(input.cause)}::"DeltaCause"]`);
  return where;
}

const COLUMNS = `c."id", c."accountId", c."customerName", c."subject", c."severity", c."status", c."productCode", c."tier",
  c."currentVersion", c."lastVersion", c."lastCauses"::text[] AS "lastCauses", c."lastSummary", c."lastRefreshedAt", c."openExceptionCount"`;

interface Row {
  id: string;
  accountId: string | null;
  customerName: string | null;
  subject: string | null;
  severity: string | null;
  status: string | null;
  productCode: string | null;
  tier: string | null;
  currentVersion: number | null;
  lastVersion: number;
  lastCauses: DeltaCause[];
  lastSummary: string | null;
  lastRefreshedAt: Date | null;
  openExceptionCount: number;
}

function hasFilters(input: RecordListInput): boolean {
  return !!(input.q || input.severity?.length || input.tier?.length || input.product?.length || input.status?.length || input.hasException !== undefined || input.cause);
}

/**
 * Current records for the list screen: filtered in SQL on the case's denormalised columns, read
 * in the sort's index order one keyset page at a time, so the first page, a filtered page and the
 * thousandth page cost the same at any table size. The total is exact without filters (a
 * counter) and counted up to 1,000 with them.
 */
export async function listRecords(db: Db, input: RecordListInput) {
  const order = recordOrder(input.sort, input.dir);
  // Filtering the default order by severity: walking the refreshed index and skipping the other
  // severities costs as many rows as precede the page's matches (all of them for a rare severity).
  // Instead each chosen severity is read from the (severity, refreshed, id) index, one page each,
  // and the pages merged: |severities| × page rows, whatever the table size.
  const bySeverity = !!input.severity?.length && input.sort === "refreshed";
  const read = async (page: { after?: string; before?: string }) => {
    const p = new SqlParams();
    if (bySeverity) {
      const severities = p.add(input.severity);
      const where = filters(p, { ...input, severity: undefined });
      const plan = keysetPlan(p, order, page);
      const rows = await db.$queryRawUnsafe<Row[]>(
        `SELECT x.* FROM unnest(${severities}::text[]) s(v) CROSS JOIN LATERAL (
           SELECT ${COLUMNS}, ${keyColumns(order)}, ${order.keys.map((k, i) => `${k} AS "_o${i}"`).join(", ")} FROM "Case" c
           WHERE ${SEVERITY} = s.v AND ${[...where, plan.where].join(" AND ")}
           ORDER BY ${plan.orderBy} LIMIT ${input.pageSize + 1}) x
         ORDER BY ${order.keys.map((_, i) => `x."_o${i}" ${plan.readDir}`).join(", ")} LIMIT ${input.pageSize + 1}`,
        ...p.values,
      );
      return { plan, rows };
    }
    const where = filters(p, input);
    const plan = keysetPlan(p, order, page);
    const rows = await db.$queryRawUnsafe<Row[]>(
      `SELECT ${COLUMNS}, ${keyColumns(order)} FROM "Case" c WHERE ${[...where, plan.where].join(" AND ")}
       ORDER BY ${plan.orderBy} LIMIT ${input.pageSize + 1}`,
      ...p.values,
    );
    return { plan, rows };
  };
  const countQuery = async () => {
    if (!hasFilters(input)) return { count: (await readCounters(db, ["records"])).records, capped: false };
    const p = new SqlParams();
    if (input.severity?.length && !hasFilters({ ...input, severity: undefined })) {
      // Severity alone: exact, from the counters the Case trigger keeps (migration 20261202000000).
      const counters = await readCounters(db, input.severity.map((s) => `records.severity.${s}` as const));
      return { count: Object.values<number>(counters).reduce((a, b) => a + b, 0), capped: false };
    }
    // In the page's own order: the count walks the sort's index and stops at the cap.
    const [row] = await db.$queryRawUnsafe<{ n: number }[]>(cappedCountSql(`FROM "Case" c WHERE ${filters(p, input).join(" AND ")}`, order), ...p.values);
    return cappedTotal(row?.n ?? 0);
  };
  const [{ plan, rows }, total] = await Promise.all([read({ after: input.after, before: input.before }), countQuery()]);
  const page = await finishPage(order, plan, rows, input.pageSize, shape, async () => (await read({})).rows);
  return { total: total.count, totalCapped: total.capped, pageSize: input.pageSize, ...page };
}

function shape(r: Row) {
  return {
    id: r.id,
    accountId: r.accountId,
    customerName: r.customerName,
    subject: r.subject,
    severity: r.severity,
    status: r.status,
    productCode: r.productCode,
    tier: r.tier,
    currentVersion: r.currentVersion,
    lastVersion: r.lastVersion,
    lastCauses: r.lastCauses,
    lastSummary: r.lastSummary,
    lastRefreshedAt: r.lastRefreshedAt,
    openExceptionCount: r.openExceptionCount,
  };
}

/** Values the filters offer. */
export async function recordFacets(db: Db) {
  const [products, tiers] = await Promise.all([
    db.product.findMany({ select: { code: true, name: true }, orderBy: { name: "asc" } }),
    db.serviceTier.findMany({ select: { code: true, name: true }, orderBy: { slaMinutes: "desc" } }),
  ]);
  return { products, tiers };
}
