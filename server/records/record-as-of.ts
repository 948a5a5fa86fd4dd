import type { Db } from "../db/client";
import { AppError } from "../lib/errors";
import { isStorableDate } from "../lib/safe-text";

/**
 * The record as it was at a moment (docs/api.md "Current record", `?asOf=`): the version whose
 * becoming-current time is the latest one at or before `asOf`. A version's becoming-current time
 * is the time of the change-feed row written in the transaction that made it current
 * (server/feed/record-change.ts), so a held candidate counts from its approval, not its creation.
 */

/** `2026-11-27T14:05:00Z`, with seconds, fractions and a `±hh:mm` offset optional; nothing looser. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

export const AS_OF_NOT_CURRENT_YET = "NO_VERSION_AT_TIME";

/** Parses `asOf`; a 400 names the expected form for anything else (docs/api.md). */
export function parseAsOf(raw: string): Date {
  const text = raw.trim();
  const d = ISO_TIME.test(text) ? new Date(text) : null;
  // A time PostgreSQL cannot hold (year 0 is one) would fail the query: the edge's date range (safe-text.ts) applies.
  if (!d || !isStorableDate(d)) {
    throw new AppError("BAD_REQUEST", `asOf "${raw.slice(0, 60)}" is not a time: give an ISO 8601 time with a zone, e.g. 2026-11-27T14:05:00Z`, [
      { path: "/asOf", message: "expected an ISO 8601 date-time with Z or an offset" },
    ]);
  }
  return d;
}

export interface CurrentAt {
  version: number;
  becameCurrentAt: Date;
}

/** Which version was current at `asOf`, or null when none had become current yet. */
export async function versionCurrentAt(db: Db, caseId: string, asOf: Date): Promise<CurrentAt | null> {
  const row = await db.feedChange.findFirst({
    where: { caseId, at: { lte: asOf } },
    orderBy: [{ at: "desc" }, { seq: "desc" }],
    select: { version: true, at: true },
  });
  return row ? { version: row.version, becameCurrentAt: row.at } : null;
}

/** Every time each version of a case became current, oldest first (the record page's timeline). */
export async function becameCurrentTimes(db: Db, caseId: string): Promise<{ version: number; at: Date }[]> {
  return db.feedChange.findMany({ where: { caseId }, orderBy: [{ at: "asc" }, { seq: "asc" }], select: { version: true, at: true } });
}

/** The read API's record at a moment, in the current record's shape plus `asOf` and `becameCurrentAt`. */
export async function getRecordAsOf(db: Db, caseId: string, asOf: Date) {
  const at = await versionCurrentAt(db, caseId, asOf);
  if (!at) {
    const exists = await db.recordVersion.count({ where: { caseId } });
    throw new AppError(
      "NOT_FOUND",
      exists ? `case "${caseId}" had no current version at ${asOf.toISOString()}: its first version became current later` : `case "${caseId}" has no versions`,
      undefined,
      AS_OF_NOT_CURRENT_YET,
    );
  }
  const v = await db.recordVersion.findUniqueOrThrow({
    where: { caseId_version: { caseId, version: at.version } },
    select: { version: true, status: true, record: true, lineage: true, updatedAt: true },
  });
  // Exceptions that were open or claimed at that moment: opened by then, not yet resolved.
  const open = await db.caseException.findMany({
    where: { caseId, openedAt: { lte: asOf }, OR: [{ resolvedAt: null }, { resolvedAt: { gt: asOf } }] },
    orderBy: { openedAt: "asc" },
    select: { id: true, caseId: true, rule: true, openedAt: true, claimedAt: true, candidateVersion: true, detail: true },
  });
  return {
    caseId,
    version: v.version,
    // Its status now: "current" when nothing replaced it since, else "superseded".
    status: v.status,
    asOf: asOf.toISOString(),
    becameCurrentAt: at.becameCurrentAt.toISOString(),
    refreshedAt: v.updatedAt.toISOString(),
    record: v.record,
    lineage: v.lineage,
    openExceptions: open.map((e) => ({
      id: e.id,
      caseId: e.caseId,
      rule: e.rule,
      // Claimed when its (latest) claim was made by then; otherwise open.
      status: e.claimedAt && e.claimedAt <= asOf ? ("claimed" as const) : ("open" as const),
      openedAt: e.openedAt.toISOString(),
      candidateVersion: e.candidateVersion,
      detail: e.detail,
    })),
  };
}
