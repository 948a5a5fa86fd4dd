import type { Db } from "../db/client";
import type { SourceKind } from "../intake/event-schemas";
import { AppError } from "../lib/errors";
import { computeDelta } from "../refresh/compute-delta";
import type { LineageMap, RecordDoc } from "../refresh/types";

/**
 * Any two versions of a case side by side: the delta from `from` to `to`, computed with the same
 * rules (list keys, causes) the refresh engine uses for the stored delta trace.
 */
export async function compareVersions(db: Db, caseId: string, from: number, to: number) {
  const [a, b, sources] = await Promise.all([
    db.recordVersion.findUnique({ where: { caseId_version: { caseId, version: from } }, select: { version: true, status: true, record: true, lineage: true } }),
    db.recordVersion.findUnique({ where: { caseId_version: { caseId, version: to } }, select: { version: true, status: true, record: true, lineage: true } }),
    db.source.findMany({ select: { name: true, kind: true } }),
  ]);
  if (!a) throw new AppError("NOT_FOUND", `case "${caseId}" has no version ${from}`);
  if (!b) throw new AppError("NOT_FOUND", `case "${caseId}" has no version ${to}`);
  const sourceKinds = new Map<string, SourceKind>(sources.map((s) => [s.name, s.kind]));
  const delta = computeDelta(
    { record: a.record as RecordDoc, lineage: a.lineage as unknown as LineageMap },
    { record: b.record as RecordDoc, lineage: b.lineage as unknown as LineageMap },
    { sourceKinds },
  );
  return {
    caseId,
    from: { version: a.version, status: a.status },
    to: { version: b.version, status: b.status, record: b.record as RecordDoc, lineage: b.lineage as unknown as LineageMap },
    delta: delta.sort((x, y) => x.path.localeCompare(y.path, "en", { numeric: true })),
  };
}
