import { z } from "zod";
import { safeDate, safeInt } from "../lib/safe-text";
import type { Db } from "../db/client";
import { cappedCountSql, cappedTotal, finishPage, keyColumns, keysetPlan, type KeysetOrder } from "../db/keyset";
import { SqlParams } from "../db/sql-params";

const cursor = z.string().max(2000).optional();

export const refusalListInput = z.object({
  source: z.string().max(100).optional(),
  from: safeDate().optional(),
  to: safeDate().optional(),
  /** Keyset cursors (server/db/keyset.ts). */
  after: cursor,
  before: cursor,
  pageSize: safeInt(10, 200).default(50),
});
export type RefusalListInput = z.infer<typeof refusalListInput>;

/** Newest first, id breaking ties: the indexes (createdAt, id) and (sourceName, createdAt, id). */
const ORDER: KeysetOrder = { tag: "refusals", keys: [`r."createdAt"`, `r."id"`], types: ["timestamp", "text"], dir: "desc" };

interface Row {
  id: string;
  sourceName: string;
  httpStatus: number;
  reason: string;
  issues: unknown;
  webhookId: string | null;
  remoteAddr: string | null;
  createdAt: Date;
  /** Refusals of this reason, source and address within the row's minute (server/intake/receive-webhook.ts). */
  count: number;
  lastAt: Date;
}

function where(p: SqlParams, input: RefusalListInput): string[] {
  const out: string[] = [];
  if (input.source) out.push(`r."sourceName" = ${p.add(input.source)}`);
  if (input.from) out.push(`r."createdAt" >= ${p.add(input.from)}::timestamp`);
  if (input.to) out.push(`r."createdAt" <= ${p.add(input.to)}::timestamp`);
  return out;
}

/** Refused deliveries, newest first, a keyset page at a time: reason and status only, never the unverified body. */
export async function listRefusals(db: Db, input: RefusalListInput) {
  const read = async (page: { after?: string; before?: string }) => {
    const p = new SqlParams();
    const conditions = where(p, input);
    const plan = keysetPlan(p, ORDER, page);
    const rows = await db.$queryRawUnsafe<Row[]>(
      `SELECT r."id", r."sourceName", r."httpStatus", r."reason", r."issues", r."webhookId", r."remoteAddr", r."createdAt", r."count", r."lastAt", ${keyColumns(ORDER)}
       FROM "Refusal" r WHERE ${[...conditions, plan.where].join(" AND ")} ORDER BY ${plan.orderBy} LIMIT ${input.pageSize + 1}`,
      ...p.values,
    );
    return { plan, rows };
  };
  const count = async () => {
    const p = new SqlParams();
    const conditions = where(p, input);
    const [row] = await db.$queryRawUnsafe<{ n: number }[]>(cappedCountSql(`FROM "Refusal" r WHERE ${["true", ...conditions].join(" AND ")}`, ORDER), ...p.values);
    return cappedTotal(row?.n ?? 0);
  };
  const [{ plan, rows }, total] = await Promise.all([read({ after: input.after, before: input.before }), count()]);
  const page = await finishPage(ORDER, plan, rows, input.pageSize, (r: Row) => ({ ...r, issues: r.issues ?? null }), async () => (await read({})).rows);
  return { total: total.count, totalCapped: total.capped, pageSize: input.pageSize, ...page };
}
