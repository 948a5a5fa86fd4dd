import { z } from "zod";
import { safeInt } from "../lib/safe-text";
import { loadExceptionSlas, slaMinutesFor } from "./exception-sla";
import type { Db } from "../db/client";
import { readCounters, type CounterName } from "../ops/dashboard/metric-counters";
import { cappedCountSql, cappedTotal, finishPage, keyColumns, keysetPlan, type KeysetOrder, type Total } from "../db/keyset";
import { SqlParams } from "../db/sql-params";

export const EXCEPTION_RULES = [
  "SEVERITY_CONFLICT",
  "ENTITLEMENT_INCONSISTENT",
  "DIAGNOSTIC_CORRUPTED",
  "UNAPPROVED_EVIDENCE",
  "CASE_BOUNDARY_CONFLICT",
  "SCHEMA_INVALID",
  "REVIEW_REQUIRED",
  "PROCESSING_FAILED",
] as const;

const cursor = z.string().max(2000).optional();

export const exceptionQueueInput = z.object({
  status: z.enum(["open", "claimed", "resolved"]).default("open"),
  rule: z.enum(EXCEPTION_RULES).optional(),
  source: z.string().max(100).optional(),
  caseId: z.string().max(200).optional(),
  claimedById: z.string().max(100).optional(),
  /** Keyset cursors (server/db/keyset.ts). */
  after: cursor,
  before: cursor,
  pageSize: safeInt(10, 200).default(50),
});
export type ExceptionQueueInput = z.infer<typeof exceptionQueueInput>;
type Status = ExceptionQueueInput["status"];

/** Live tabs oldest first (the one nearest its SLA on top); resolved newest resolution first. */
function queueOrder(status: Status): KeysetOrder {
  return status === "resolved"
    ? { tag: "exceptions:resolved", keys: [`x."resolvedAt"`, `x."id"`], types: ["timestamp", "text"], dir: "desc" }
    : { tag: `exceptions:${status}`, keys: [`x."openedAt"`, `x."id"`], types: ["timestamp", "text"], dir: "asc" };
}

/** The filters besides status; claimedById only where asked (the tab counts ignore it). */
function filters(p: SqlParams, input: Pick<ExceptionQueueInput, "rule" | "source" | "caseId" | "claimedById">, withClaimed: boolean): string[] {
  const where: string[] = [];
  if (input.rule) where.push(`x."rule" = ${p.add(input.rule)}::"ConflictRule"`);
  if (input.source) where.push(`x."sourceName" = ${p.add(input.source)}`);
  if (input.caseId) where.push(`x."caseId" = ${p.add(input.caseId)}`);
  if (withClaimed && input.claimedById) where.push(`x."claimedById" = ${p.add(input.claimedById)}`);
  return where;
}

interface Row {
  id: string;
  caseId: string;
  rule: string;
  status: Status;
  field: string | null;
  sourceName: string | null;
  candidateVersion: number | null;
  message: string | null;
  openedAt: Date;
  lastSeenAt: Date;
  claimedAt: Date | null;
  resolvedAt: Date | null;
  resolution: string | null;
  resolutionNote: string | null;
  claimedById: string | null;
  claimedByName: string | null;
  resolvedById: string | null;
  resolvedByName: string | null;
  customerName: string | null;
  subject: string | null;
  severity: string | null;
  tier: string | null;
  currentVersion: number | null;
}

const COLUMNS = `x."id", x."caseId", x."rule"::text AS "rule", x."status"::text AS "status", x."field", x."sourceName", x."candidateVersion",
  x."detail" ->> 'message' AS "message", x."openedAt", x."lastSeenAt", x."claimedAt", x."resolvedAt", x."resolution"::text AS "resolution", x."resolutionNote",
  x."claimedById", cu."name" AS "claimedByName", x."resolvedById", ru."name" AS "resolvedByName",
  c."customerName", c."subject", c."severity", c."tier", c."currentVersion"`;

const JOINS = `LEFT JOIN "Case" c ON c."id" = x."caseId"
  LEFT JOIN "User" cu ON cu."id" = x."claimedById" LEFT JOIN "User" ru ON ru."id" = x."resolvedById"`;

/**
 * The triage queue: one tab per status, a keyset page at a time in the tab's index order, so a
 * queue of 10,000 open exceptions pages as fast as one of ten. Tab counts are exact from the
 * write path's counters (see tabCounts), else counted up to 1,000. Age is measured against the
 * exception SLA of the exception's kind (exception-sla.ts), not the customer's response SLA.
 */
export async function listExceptionQueue(db: Db, input: ExceptionQueueInput) {
  const order = queueOrder(input.status);
  const read = async (page: { after?: string; before?: string }) => {
    const p = new SqlParams();
    const where = [`x."status" = ${p.add(input.status)}::"ExceptionStatus"`, ...filters(p, input, true)];
    const plan = keysetPlan(p, order, page);
    const rows = await db.$queryRawUnsafe<Row[]>(
      `SELECT ${COLUMNS}, ${keyColumns(order)} FROM (
         SELECT x.* FROM "CaseException" x WHERE ${[...where, plan.where].join(" AND ")} ORDER BY ${plan.orderBy} LIMIT ${input.pageSize + 1}
       ) x ${JOINS} ORDER BY ${plan.orderBy}`,
      ...p.values,
    );
    return { plan, rows };
  };
  const [{ plan, rows }, counts, slas] = await Promise.all([read({ after: input.after, before: input.before }), tabCounts(db, input), loadExceptionSlas(db)]);
  const withSla = (r: Row) => ({ ...shape(r), slaMinutes: slaMinutesFor(slas, r.rule) });
  const page = await finishPage(order, plan, rows, input.pageSize, withSla, async () => (await read({})).rows);
  const total = counts[input.status];
  return {
    total: total.count,
    totalCapped: total.capped,
    pageSize: input.pageSize,
    counts: { open: counts.open.count, claimed: counts.claimed.count, resolved: counts.resolved.count },
    countsCapped: { open: counts.open.capped, claimed: counts.claimed.capped, resolved: counts.resolved.capped },
    ...page,
  };
}

/**
 * Per tab: exact counters when the queue is narrowed by at most a rule or a source (the write
 * path keeps exceptions.<status>[.rule.<rule> | .source.<source>]), else a count up to 1,000;
 * the current tab also honours claimedById.
 */
async function tabCounts(db: Db, input: ExceptionQueueInput): Promise<Record<Status, Total>> {
  const statuses: Status[] = ["open", "claimed", "resolved"];
  const suffix = input.caseId || (input.rule && input.source) ? null : input.rule ? `.rule.${input.rule}` : input.source ? `.source.${input.source}` : "";
  const names = suffix === null ? [] : statuses.map((st) => `exceptions.${st}${suffix}` as CounterName);
  const exact = names.length ? await readCounters(db, names) : null;
  const totals = await Promise.all(
    statuses.map(async (status, i): Promise<Total> => {
      const mine = status === input.status && !!input.claimedById;
      if (exact && !mine) return { count: exact[names[i]!] ?? 0, capped: false };
      const p = new SqlParams();
      const where = [`x."status" = ${p.add(status)}::"ExceptionStatus"`, ...filters(p, input, mine)];
      // Ordered like the tab's index (status and rule lead it, constant here), so the count reads that index and stops at the cap.
      const order = queueOrder(status);
      const lead = [`x."status"`, ...(input.rule ? [`x."rule"`] : [])];
      const [row] = await db.$queryRawUnsafe<{ n: number }[]>(cappedCountSql(`FROM "CaseException" x WHERE ${where.join(" AND ")}`, { ...order, keys: [...lead, ...order.keys] }), ...p.values);
      return cappedTotal(row?.n ?? 0);
    }),
  );
  return { open: totals[0]!, claimed: totals[1]!, resolved: totals[2]! };
}

function shape(r: Row) {
  return {
    id: r.id,
    caseId: r.caseId,
    rule: r.rule,
    status: r.status,
    field: r.field,
    sourceName: r.sourceName,
    candidateVersion: r.candidateVersion,
    openedAt: r.openedAt,
    lastSeenAt: r.lastSeenAt,
    claimedAt: r.claimedAt,
    resolvedAt: r.resolvedAt,
    resolution: r.resolution,
    resolutionNote: r.resolutionNote,
    claimedBy: r.claimedById ? { id: r.claimedById, name: r.claimedByName ?? "" } : null,
    resolvedBy: r.resolvedById ? { id: r.resolvedById, name: r.resolvedByName ?? "" } : null,
    message: r.message ?? "",
    customerName: r.customerName,
    subject: r.subject,
    severity: r.severity,
    tier: r.tier,
    currentVersion: r.currentVersion,
  };
}

/** Values the queue's filters offer: rules that occur and the sources exceptions name. */
export async function exceptionFacets(db: Db) {
  const [sources, assignees] = await Promise.all([
    db.source.findMany({ select: { name: true }, orderBy: { name: "asc" } }),
    db.user.findMany({ where: { role: { in: ["specialist", "admin"] }, disabledAt: null }, select: { id: true, name: true, role: true }, orderBy: { name: "asc" } }),
  ]);
  return { rules: [...EXCEPTION_RULES], sources: sources.map((s) => s.name), assignees };
}
