import { z } from "zod";
import type { Db } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { messageOf } from "./get-record-overview";

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

export const exceptionQueueInput = z.object({
  status: z.enum(["open", "claimed", "resolved"]).default("open"),
  rule: z.enum(EXCEPTION_RULES).optional(),
  source: z.string().max(100).optional(),
  caseId: z.string().max(200).optional(),
  claimedById: z.string().max(100).optional(),
  page: z.number().int().min(1).max(100_000).default(1),
  pageSize: z.number().int().min(10).max(200).default(50),
});
export type ExceptionQueueInput = z.infer<typeof exceptionQueueInput>;

function whereOf(input: Pick<ExceptionQueueInput, "rule" | "source" | "caseId" | "claimedById">): Prisma.CaseExceptionWhereInput {
  return {
    rule: input.rule,
    sourceName: input.source,
    caseId: input.caseId,
    claimedById: input.claimedById,
  };
}

/**
 * The triage queue: one tab per status, oldest first while live (the one nearest its SLA on top),
 * newest resolution first once resolved. Age is measured against the case tier's SLA minutes.
 */
export async function listExceptionQueue(db: Db, input: ExceptionQueueInput) {
  const where = { ...whereOf(input), status: input.status };
  const orderBy: Prisma.CaseExceptionOrderByWithRelationInput[] =
    input.status === "resolved" ? [{ resolvedAt: "desc" }, { id: "asc" }] : [{ openedAt: "asc" }, { id: "asc" }];
  const [total, rows, counts, tiers] = await Promise.all([
    db.caseException.count({ where }),
    db.caseException.findMany({
      where,
      orderBy,
      skip: (input.page - 1) * input.pageSize,
      take: input.pageSize,
      select: {
        id: true, caseId: true, rule: true, status: true, field: true, sourceName: true, candidateVersion: true, detail: true,
        openedAt: true, lastSeenAt: true, claimedAt: true, resolvedAt: true, resolution: true, resolutionNote: true,
        claimedBy: { select: { id: true, name: true } },
        resolvedBy: { select: { id: true, name: true } },
        case: { select: { customerName: true, subject: true, severity: true, tier: true, currentVersion: true } },
      },
    }),
    db.caseException.groupBy({ by: ["status"], where: whereOf({ ...input, claimedById: undefined }), _count: { _all: true } }),
    db.serviceTier.findMany({ select: { code: true, slaMinutes: true } }),
  ]);
  const sla = new Map(tiers.map((t) => [t.code, t.slaMinutes]));
  return {
    total,
    page: input.page,
    pageSize: input.pageSize,
    counts: {
      open: counts.find((c) => c.status === "open")?._count._all ?? 0,
      claimed: counts.find((c) => c.status === "claimed")?._count._all ?? 0,
      resolved: counts.find((c) => c.status === "resolved")?._count._all ?? 0,
    },
    rows: rows.map(({ detail, case: c, ...r }) => ({
      ...r,
      message: messageOf(detail),
      customerName: c.customerName,
      subject: c.subject,
      severity: c.severity,
      tier: c.tier,
      currentVersion: c.currentVersion,
      slaMinutes: c.tier ? (sla.get(c.tier) ?? null) : null,
    })),
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
