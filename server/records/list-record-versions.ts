import type { Db } from "../db/client";
import { AppError } from "../lib/errors";

/** The version timeline of a case, newest first, with how many fields each version changed. */
export async function listRecordVersions(db: Db, caseId: string) {
  const [rows, counts] = await Promise.all([
    db.recordVersion.findMany({
      where: { caseId },
      orderBy: { version: "desc" },
      select: { id: true, version: true, status: true, createdAt: true, updatedAt: true, summary: true, causes: true, schemaVersion: true, triggerEventId: true },
    }),
    db.deltaEntry.groupBy({ by: ["versionId"], where: { caseId }, _count: { _all: true } }),
  ]);
  if (!rows.length) throw new AppError("NOT_FOUND", `case "${caseId}" has no versions`);
  const changed = new Map(counts.map((c) => [c.versionId, c._count._all]));
  return rows.map(({ id, ...r }) => ({ ...r, changedFields: changed.get(id) ?? 0 }));
}
