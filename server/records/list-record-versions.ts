import { z } from "zod";
import { safeInt } from "../lib/safe-text";
import type { Db } from "../db/client";
import { AppError } from "../lib/errors";

export const timelineInput = z.object({
  caseId: z.string().min(1).max(200),
  /** How many of the newest versions to list; the page asks for more as the reader scrolls back. */
  limit: safeInt(1, 1000).default(50),
});

/**
 * The newest `limit` versions of a case, newest first, with how many fields each changed, and how
 * many versions there are: a case with 1,000 versions opens as fast as one with three, through
 * the (caseId, version) index read backwards and the delta index for just these versions.
 */
export async function listRecordVersions(db: Db, input: z.input<typeof timelineInput>) {
  const { caseId, limit } = timelineInput.parse(input);
  const [kase, rows] = await Promise.all([
    db.case.findUnique({ where: { id: caseId }, select: { lastVersion: true } }),
    db.recordVersion.findMany({
      where: { caseId },
      orderBy: { version: "desc" },
      take: limit,
      select: { id: true, version: true, status: true, createdAt: true, updatedAt: true, summary: true, causes: true, schemaVersion: true, triggerEventId: true },
    }),
  ]);
  if (!rows.length) throw new AppError("NOT_FOUND", `case "${caseId}" has no versions`);
  const oldest = rows.at(-1)!.version;
  const triggers = rows.map((r) => r.triggerEventId).filter((id): id is string => !!id);
  const [counts, feed, events] = await Promise.all([
    db.deltaEntry.groupBy({ by: ["versionId"], where: { versionId: { in: rows.map((r) => r.id) } }, _count: { _all: true } }),
    // When each listed version became current (its change-feed row), for the truthful label and the time.
    db.feedChange.findMany({ where: { caseId, version: { gte: oldest } }, select: { version: true, at: true }, orderBy: { at: "asc" } }),
    triggers.length ? db.webhookEvent.findMany({ where: { id: { in: triggers } }, select: { id: true, occurredAt: true, receivedAt: true } }) : [],
  ]);
  const changed = new Map(counts.map((c) => [c.versionId, c._count._all]));
  const becameCurrent = new Map<number, Date>();
  for (const f of feed) if (!becameCurrent.has(f.version)) becameCurrent.set(f.version, f.at);
  const trigger = new Map(events.map((e) => [e.id, e]));
  return {
    /** Versions of the case in all (versions are numbered 1..n). */
    total: Math.max(kase?.lastVersion ?? 0, rows[0]!.version),
    versions: rows.map(({ id, ...r }) => {
      const ev = r.triggerEventId ? trigger.get(r.triggerEventId) : undefined;
      return {
        ...r,
        changedFields: changed.get(id) ?? 0,
        /** When it first became current; null for a version that never was (held, rejected, replaced). */
        becameCurrentAt: becameCurrent.get(r.version) ?? null,
        /** The triggering event: when the source says it happened, and when it was received. */
        occurredAt: ev?.occurredAt ?? null,
        receivedAt: ev?.receivedAt ?? null,
      };
    }),
  };
}
