import "server-only";
import type { Db } from "../db/client";
import type { ConflictRule, ExceptionStatus } from "../db/generated/client";
import { AppError } from "../lib/errors";
import { z } from "zod";

/** docs/api.md's read API, as plain domain functions over the database. */
export async function getEventStatus(db: Db, sourceName: string, webhookId: string) {
  const event = await db.webhookEvent.findFirst({
    where: { webhookId, source: { name: sourceName } },
    select: {
      id: true,
      status: true,
      caseId: true,
      cases: { select: { caseId: true, outcome: true, recordVersion: true }, orderBy: { caseId: "asc" } },
    },
  });
  if (!event) throw new AppError("NOT_FOUND", `no event with webhook-id "${webhookId}" was accepted from source "${sourceName}"`);
  const caseIds = event.cases.length ? event.cases.map((c) => c.caseId) : event.caseId === "*" ? [] : [event.caseId];
  return {
    eventId: event.id,
    status: event.status,
    caseIds,
    recordVersions: event.cases.filter((c) => c.recordVersion !== null).map((c) => ({ caseId: c.caseId, version: c.recordVersion! })),
    // Every case the event touched, each with its own outcome and the version it became part of.
    cases: event.cases.map((c) => ({ caseId: c.caseId, outcome: c.outcome, version: c.recordVersion })),
  };
}

async function openExceptionsOf(db: Db, caseId: string) {
  const rows = await db.caseException.findMany({
    where: { caseId, liveKey: { not: null } },
    orderBy: { openedAt: "asc" },
    select: { id: true, caseId: true, rule: true, status: true, openedAt: true, candidateVersion: true, detail: true },
  });
  return rows.map(shapeException);
}

export async function getCurrentRecord(db: Db, caseId: string) {
  const v = await db.recordVersion.findFirst({
    where: { caseId, isCurrent: true },
    select: { version: true, record: true, lineage: true, createdAt: true, updatedAt: true },
  });
  if (!v) throw new AppError("NOT_FOUND", `case "${caseId}" has no current record`);
  return {
    caseId,
    version: v.version,
    status: "current" as const,
    refreshedAt: v.updatedAt.toISOString(),
    record: v.record,
    lineage: v.lineage,
    openExceptions: await openExceptionsOf(db, caseId),
  };
}

export async function listVersions(db: Db, caseId: string) {
  const rows = await db.recordVersion.findMany({
    where: { caseId },
    orderBy: { version: "desc" },
    select: { version: true, status: true, createdAt: true, summary: true, causes: true },
  });
  if (!rows.length) throw new AppError("NOT_FOUND", `case "${caseId}" has no versions`);
  return rows.map((r) => ({ version: r.version, status: r.status, createdAt: r.createdAt.toISOString(), summary: r.summary, causes: r.causes }));
}

export async function getVersion(db: Db, caseId: string, n: number) {
  const v = await db.recordVersion.findUnique({
    where: { caseId_version: { caseId, version: n } },
    select: {
      version: true, status: true, createdAt: true, summary: true, causes: true, record: true, lineage: true, basedOnVersion: true,
      delta: { select: { path: true, before: true, after: true, cause: true, lineage: true } },
    },
  });
  if (!v) throw new AppError("NOT_FOUND", `case "${caseId}" has no version ${n}`);
  return {
    caseId,
    version: v.version,
    status: v.status,
    createdAt: v.createdAt.toISOString(),
    summary: v.summary,
    causes: v.causes,
    record: v.record,
    lineage: v.lineage,
    delta: v.delta
      .map((d) => ({ path: d.path, before: d.before ?? null, after: d.after ?? null, cause: d.cause, lineage: d.lineage }))
      .sort((a, b) => a.path.localeCompare(b.path, "en", { numeric: true })),
  };
}

export const exceptionQuery = z.object({
  status: z.enum(["open", "claimed", "resolved"]).optional(),
  rule: z
    .enum(["SEVERITY_CONFLICT", "ENTITLEMENT_INCONSISTENT", "DIAGNOSTIC_CORRUPTED", "UNAPPROVED_EVIDENCE", "CASE_BOUNDARY_CONFLICT", "SCHEMA_INVALID", "REVIEW_REQUIRED", "PROCESSING_FAILED"])
    .optional(),
  caseId: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});

function shapeException(e: { id: string; caseId: string; rule: ConflictRule; status: ExceptionStatus; openedAt: Date; candidateVersion: number | null; detail: unknown }) {
  return { id: e.id, caseId: e.caseId, rule: e.rule, status: e.status, openedAt: e.openedAt.toISOString(), candidateVersion: e.candidateVersion, detail: e.detail };
}

export async function listExceptions(db: Db, query: z.infer<typeof exceptionQuery>) {
  const rows = await db.caseException.findMany({
    where: { status: query.status, rule: query.rule, caseId: query.caseId },
    orderBy: { openedAt: "desc" },
    take: query.limit,
    select: { id: true, caseId: true, rule: true, status: true, openedAt: true, candidateVersion: true, detail: true },
  });
  return rows.map(shapeException);
}
