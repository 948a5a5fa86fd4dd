import type { Db } from "../db/client";
import { AppError } from "../lib/errors";

/**
 * Everything the record page's header needs in one query round: the case's list columns, its
 * current version (null while the first version is still held) and its live exceptions.
 */
export async function getRecordOverview(db: Db, caseId: string) {
  const row = await db.case.findUnique({
    where: { id: caseId },
    select: {
      id: true, accountId: true, customerName: true, subject: true, severity: true, status: true, productCode: true, tier: true,
      currentVersion: true, lastVersion: true, lastCauses: true, lastSummary: true, lastRefreshedAt: true, openExceptionCount: true,
    },
  });
  if (!row || row.lastVersion === 0) throw new AppError("NOT_FOUND", `case "${caseId}" has no record yet`);
  const [current, exceptions, tier, product] = await Promise.all([
    db.recordVersion.findFirst({
      where: { caseId, isCurrent: true },
      select: { version: true, record: true, lineage: true, summary: true, causes: true, createdAt: true, updatedAt: true },
    }),
    db.caseException.findMany({
      where: { caseId, liveKey: { not: null } },
      orderBy: { openedAt: "asc" },
      select: {
        id: true, rule: true, status: true, field: true, sourceName: true, candidateVersion: true, openedAt: true, detail: true,
        claimedBy: { select: { id: true, name: true } },
      },
    }),
    row.tier ? db.serviceTier.findUnique({ where: { code: row.tier }, select: { name: true, slaMinutes: true } }) : null,
    row.productCode ? db.product.findUnique({ where: { code: row.productCode }, select: { name: true } }) : null,
  ]);
  return {
    case: { ...row, tierName: tier?.name ?? null, slaMinutes: tier?.slaMinutes ?? null, productName: product?.name ?? null },
    current: current
      ? {
          version: current.version,
          record: current.record as Record<string, unknown>,
          lineage: current.lineage as Record<string, unknown>,
          summary: current.summary,
          causes: current.causes,
          createdAt: current.createdAt,
          refreshedAt: current.updatedAt,
        }
      : null,
    openExceptions: exceptions.map((e) => ({
      id: e.id,
      rule: e.rule,
      status: e.status,
      field: e.field,
      sourceName: e.sourceName,
      candidateVersion: e.candidateVersion,
      openedAt: e.openedAt,
      message: messageOf(e.detail),
      claimedBy: e.claimedBy,
    })),
  };
}

export function messageOf(detail: unknown): string {
  const m = (detail as { message?: unknown } | null)?.message;
  return typeof m === "string" ? m : "";
}
