import type { Tx } from "../db/client";
import { audit, type Actor } from "../lib/audit";
import { newId } from "../lib/ids";
import { recomputeEntityState } from "../refresh/entity-state";
import type { LineageMap, RuleHit } from "../refresh/types";

export interface RejectedException {
  id: string;
  caseId: string;
  candidateVersion: number | null;
  detail: unknown;
}

/** Highest entity version per "source/entityId" in a lineage map. */
function versionsIn(lineage: LineageMap | undefined): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of Object.values(lineage ?? {})) {
    const key = `${l.source}/${l.entityId}`;
    out.set(key, Math.max(out.get(key) ?? 0, l.entityVersion));
  }
  return out;
}

/**
 * Quarantines the events behind a rejected candidate: for every entity the conflict names, the
 * accepted events newer than the version the current record uses, up to the version the specialist
 * reviewed (a newer delivery was not part of the decision). The entities fall back to their newest
 * remaining accepted event. A failed event behind a PROCESSING_FAILED exception is quarantined
 * itself. Returns the other cases those events touch, which need a refresh too.
 */
export async function quarantineRejected(tx: Tx, actor: Actor, exc: RejectedException, hits: RuleHit[], note: string): Promise<string[]> {
  const [current, candidate] = await Promise.all([
    tx.recordVersion.findFirst({ where: { caseId: exc.caseId, isCurrent: true }, select: { lineage: true } }),
    exc.candidateVersion
      ? tx.recordVersion.findUnique({ where: { caseId_version: { caseId: exc.caseId, version: exc.candidateVersion } }, select: { lineage: true } })
      : null,
  ]);
  const kept = versionsIn(current?.lineage as unknown as LineageMap | undefined);
  const reviewed = versionsIn(candidate?.lineage as unknown as LineageMap | undefined);
  for (const e of hits.flatMap((h) => h.evidence)) {
    if (e.lineage) reviewed.set(`${e.lineage.source}/${e.lineage.entityId}`, Math.max(reviewed.get(`${e.lineage.source}/${e.lineage.entityId}`) ?? 0, e.lineage.entityVersion));
  }

  const chosen: { id: string; status: string; sourceId: string; entityId: string }[] = [];
  for (const key of new Set(hits.flatMap((h) => h.entities))) {
    const slash = key.indexOf("/");
    const entity = await tx.sourceEntity.findFirst({
      where: { entityId: key.slice(slash + 1), source: { name: key.slice(0, slash) } },
      select: { sourceId: true, entityId: true },
    });
    if (!entity) continue;
    const cap = reviewed.get(key);
    chosen.push(
      ...(await tx.webhookEvent.findMany({
        where: {
          sourceId: entity.sourceId,
          entityId: entity.entityId,
          entityVersion: { gt: kept.get(key) ?? 0, ...(cap !== undefined ? { lte: cap } : {}) },
          status: { notIn: ["stale", "quarantined"] },
        },
        select: { id: true, status: true, sourceId: true, entityId: true },
      })),
    );
  }
  const failedEventId = (exc.detail as { eventId?: unknown } | null)?.eventId;
  if (typeof failedEventId === "string") {
    const failed = await tx.webhookEvent.findFirst({
      where: { id: failedEventId, status: { notIn: ["stale", "quarantined"] } },
      select: { id: true, status: true, sourceId: true, entityId: true },
    });
    if (failed) chosen.push(failed);
  }
  if (!chosen.length) return [];

  const ids = [...new Set(chosen.map((e) => e.id))];
  await tx.quarantinedEvent.createMany({ data: ids.map((eventId) => ({ id: newId("qua"), eventId, exceptionId: exc.id, userId: actor.id, note })) });
  for (const e of chosen) {
    await audit(tx, actor, { action: "event.quarantine", targetType: "event", targetId: e.id, before: { status: e.status }, after: { status: "quarantined" }, note });
  }
  await tx.webhookEvent.updateMany({ where: { id: { in: ids } }, data: { status: "quarantined", lockedUntil: null } });
  await recomputeEntityState(tx, { keys: chosen.map((e) => ({ sourceId: e.sourceId, entityId: e.entityId })) });

  const touched = await tx.$queryRawUnsafe<{ caseId: string }[]>(
    `SELECT c."caseId" FROM "EventCase" c WHERE c."eventId" = ANY($1::text[])
     UNION SELECT l."caseId" FROM "EntityCaseLink" l JOIN "SourceEntity" se ON se."id" = l."entityId"
       WHERE (se."sourceId", se."entityId") IN (SELECT * FROM unnest($2::text[], $3::text[]))`,
    ids,
    chosen.map((e) => e.sourceId),
    chosen.map((e) => e.entityId),
  );
  return [...new Set(touched.map((t) => t.caseId))].filter((c) => c !== exc.caseId).sort();
}
