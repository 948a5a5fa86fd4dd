import { describePath } from "../../shared/format";
import type { Db } from "../db/client";
import { AppError } from "../lib/errors";
import type { Lineage } from "../refresh/types";

/** Rows one case-wide history answers at most, newest first (a case with 1,000 versions stays readable). */
export const CASE_HISTORY_LIMIT = 5000;

export interface CaseHistoryRow {
  version: number;
  /** The version's status now; `becameCurrent` says whether it was ever the current record. */
  status: string;
  becameCurrent: boolean;
  createdAt: Date;
  path: string;
  /** The path in the tables' words, list items by their key: "Incidents › INC-5102 › Severity". */
  label: string;
  before: unknown;
  after: unknown;
  cause: string;
  source: string;
  entityId: string;
  entityVersion: number;
  occurredAt: string | null;
  receivedAt: string | null;
  /** Who made the change a person's: the override's author or the approver; null for a source's own change. */
  who: string | null;
}

/**
 * Every change of every field across a case's versions (docs/domain.md "Versions"): one row per
 * delta entry, newest version first, fields in path order within a version. This is the
 * record's field audit trail, the one table a reviewer filters and exports as CSV.
 */
export async function getCaseFieldHistory(db: Db, caseId: string): Promise<{ caseId: string; rows: CaseHistoryRow[]; truncated: boolean }> {
  const entries = await db.deltaEntry.findMany({
    where: { caseId },
    select: { path: true, before: true, after: true, cause: true, lineage: true, versionId: true, version: { select: { version: true, status: true, createdAt: true } } },
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
    take: CASE_HISTORY_LIMIT + 1,
  });
  if (!entries.length) {
    const exists = await db.recordVersion.count({ where: { caseId } });
    if (!exists) throw new AppError("NOT_FOUND", `case "${caseId}" has no versions`);
  }
  const truncated = entries.length > CASE_HISTORY_LIMIT;
  const shown = entries.slice(0, CASE_HISTORY_LIMIT);
  // List items are named from the version's record (and the one before it for removals).
  const versionIds = [...new Set(shown.filter((e) => /\/\d+(\/|$)/.test(e.path)).map((e) => e.versionId))];
  const records = versionIds.length
    ? await db.recordVersion.findMany({ where: { id: { in: versionIds } }, select: { id: true, record: true, basedOnVersion: true } })
    : [];
  const recordOf = new Map(records.map((r) => [r.id, r]));
  const baseNumbers = [...new Set(records.map((r) => r.basedOnVersion).filter((n): n is number => n !== null))];
  const bases = baseNumbers.length ? await db.recordVersion.findMany({ where: { caseId, version: { in: baseNumbers } }, select: { version: true, record: true } }) : [];
  const baseOf = new Map(bases.map((b) => [b.version, b.record]));
  const current = new Set((await db.feedChange.findMany({ where: { caseId }, select: { version: true }, distinct: ["version"] })).map((f) => f.version));

  const rows = shown.map((e): CaseHistoryRow => {
    const lin = e.lineage as unknown as Partial<Lineage>;
    const rec = recordOf.get(e.versionId);
    const base = rec?.basedOnVersion != null ? baseOf.get(rec.basedOnVersion) : undefined;
    return {
      version: e.version.version,
      status: e.version.status,
      becameCurrent: current.has(e.version.version) || e.version.status === "current",
      createdAt: e.version.createdAt,
      path: e.path,
      label: describePath(e.path, rec?.record, base, itemDoc(e.path, e.after), itemDoc(e.path, e.before)),
      before: e.before ?? null,
      after: e.after ?? null,
      cause: e.cause,
      source: lin.source ?? "unknown",
      entityId: lin.entityId ?? "",
      entityVersion: lin.entityVersion ?? 0,
      occurredAt: lin.occurredAt ?? null,
      receivedAt: lin.receivedAt ?? null,
      who: lin.override?.by ?? lin.approval?.by ?? null,
    };
  });
  rows.sort((a, b) => b.version - a.version || a.path.localeCompare(b.path, "en", { numeric: true }));
  return { caseId, rows, truncated };
}

/** A document holding `value` at `path`, so an added or removed list item is named by its own key. */
function itemDoc(path: string, value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  const tokens = path.split("/").slice(1);
  let doc: unknown = value;
  for (let i = tokens.length - 1; i >= 0; i--) {
    const t = tokens[i]!;
    doc = /^\d+$/.test(t) ? Object.assign(new Array(Number(t) + 1).fill(null), { [Number(t)]: doc }) : { [t]: doc };
  }
  return doc;
}
