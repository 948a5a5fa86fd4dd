import type { Tx } from "../db/client";
import { audit, type Actor } from "../lib/audit";
import { AppError } from "../lib/errors";
import { newId } from "../lib/ids";
import { entitySlice } from "../refresh/entity-slice";
import { recomputeEntityState } from "../refresh/entity-state";
import type { SourceLookup } from "../refresh/load-case";
import { entityKey, type EntityState, type Lineage, type LineageMap, type ReferenceData, type RuleHit } from "../refresh/types";
import { changesWhatRuleReads } from "./rule-reads";

export interface RejectedException {
  id: string;
  caseId: string;
  rule: string;
  candidateVersion: number | null;
  detail: unknown;
}

export interface QuarantineEnv {
  ref: ReferenceData;
  sources: SourceLookup;
}

/** The lineage entry of each source entity in a version ("source/entityId" → lineage); overrides are not entities. */
function entitiesIn(lineage: LineageMap | undefined): Map<string, Lineage> {
  const out = new Map<string, Lineage>();
  for (const l of Object.values(lineage ?? {})) {
    if (l.source === "manual_override") continue;
    const key = entityKey(l.source, l.entityId);
    const seen = out.get(key);
    if (!seen || l.entityVersion > seen.entityVersion) out.set(key, l);
  }
  return out;
}

/**
 * The entities a hit names. A hit about a missing required field names none (nothing in the record
 * carries it): the entities that feed the field's section in the candidate stand in for it.
 */
function entitiesOfHit(hit: RuleHit, candidate: LineageMap | undefined): string[] {
  if (hit.entities.length) return hit.entities;
  const section = "/" + hit.field.split(".")[0];
  const keys = Object.entries(candidate ?? {})
    .filter(([path, l]) => (path === section || path.startsWith(section + "/")) && l.source !== "manual_override")
    .map(([, l]) => entityKey(l.source, l.entityId));
  return [...new Set(keys)];
}

const eventSelect = { id: true, status: true, sourceId: true, entityId: true, entityKind: true, entityVersion: true, webhookId: true, occurredAt: true, receivedAt: true, data: true } as const;
type EventRow = { id: string; status: string; sourceId: string; entityId: string; entityKind: string; entityVersion: number; webhookId: string; occurredAt: Date; receivedAt: Date; data: unknown };

function stateOf(e: EventRow, source: { name: string; kind: EntityState<unknown>["sourceKind"] }): EntityState<unknown> {
  return {
    sourceId: e.sourceId,
    sourceName: source.name,
    sourceKind: source.kind,
    rowId: "",
    entityKind: e.entityKind,
    entityId: e.entityId,
    version: e.entityVersion,
    eventId: e.id,
    webhookId: e.webhookId,
    occurredAt: e.occurredAt.toISOString(),
    receivedAt: e.receivedAt.toISOString(),
    data: e.data,
  };
}

/**
 * Quarantines the offending events behind a rejected candidate (docs/domain.md "What these mean
 * precisely"). For every entity a hit names, each accepted event newer than the version the current
 * record uses, up to the version the specialist reviewed (a newer delivery was not part of the
 * decision), is compared with that current version through the values the hit's rule reads
 * (rule-reads.ts): it is offending when one of them differs, innocent otherwise.
 *
 * Decided per version, because events are full-state transfers: a later version that only adds a
 * note but still carries the offending value (ticket v2 raised the severity, v3 added a note and
 * still says the raised severity) is offending too, since relative to the current version it
 * changes what the rule reads; keeping it would bring the same conflict straight back. An earlier
 * version that changed nothing the rule reads stays, and the entity falls back to its newest
 * remaining accepted event. Events of entities no hit names are never touched.
 *
 * A failed event behind a PROCESSING_FAILED exception is quarantined itself. Nothing offending is
 * a 400: rejecting would quarantine nothing and the same conflict would come straight back.
 * Returns the other cases the quarantined events touch, which need a refresh too.
 */
export async function quarantineRejected(tx: Tx, actor: Actor, exc: RejectedException, hits: RuleHit[], note: string, env: QuarantineEnv): Promise<string[]> {
  const [current, candidate] = await Promise.all([
    tx.recordVersion.findFirst({ where: { caseId: exc.caseId, isCurrent: true }, select: { lineage: true } }),
    exc.candidateVersion
      ? tx.recordVersion.findUnique({ where: { caseId_version: { caseId: exc.caseId, version: exc.candidateVersion } }, select: { lineage: true } })
      : null,
  ]);
  const candidateLineage = candidate?.lineage as unknown as LineageMap | undefined;
  const kept = entitiesIn(current?.lineage as unknown as LineageMap | undefined);
  const reviewed = new Map([...entitiesIn(candidateLineage)].map(([k, l]) => [k, l.entityVersion]));
  for (const e of hits.flatMap((h) => h.evidence)) {
    if (!e.lineage || e.lineage.source === "manual_override") continue;
    const key = entityKey(e.lineage.source, e.lineage.entityId);
    reviewed.set(key, Math.max(reviewed.get(key) ?? 0, e.lineage.entityVersion));
  }
  const hitsOf = new Map<string, RuleHit[]>();
  for (const h of hits) for (const key of entitiesOfHit(h, candidateLineage)) hitsOf.set(key, [...(hitsOf.get(key) ?? []), h]);

  const chosen: EventRow[] = [];
  for (const [key, entityHits] of hitsOf) {
    const slash = key.indexOf("/");
    const entity = await tx.sourceEntity.findFirst({
      where: { entityId: key.slice(slash + 1), source: { name: key.slice(0, slash) } },
      select: { sourceId: true, entityId: true },
    });
    const source = entity ? env.sources.byId.get(entity.sourceId) : undefined;
    if (!entity || !source) continue;
    const base = kept.get(key);
    const cap = reviewed.get(key);
    const events = await tx.webhookEvent.findMany({
      where: {
        sourceId: entity.sourceId,
        entityId: entity.entityId,
        entityVersion: { gt: base?.entityVersion ?? 0, ...(cap !== undefined ? { lte: cap } : {}) },
        status: { notIn: ["stale", "quarantined"] },
      },
      select: eventSelect,
      orderBy: { entityVersion: "asc" },
    });
    if (!events.length) continue;
    // The current version's state of the entity; none when the current record does not hold it (every value is then a change).
    const baseEvent = base ? await tx.webhookEvent.findFirst({ where: { sourceId: entity.sourceId, webhookId: base.webhookId }, select: eventSelect }) : null;
    const before = baseEvent ? entitySlice(exc.caseId, stateOf(baseEvent, source), env.ref) : new Map<string, string>();
    for (const e of events) {
      const after = entitySlice(exc.caseId, stateOf(e, source), env.ref);
      if (entityHits.some((h) => changesWhatRuleReads(h, before, after))) chosen.push(e);
    }
  }
  const failedEventId = (exc.detail as { eventId?: unknown } | null)?.eventId;
  if (typeof failedEventId === "string") {
    const failed = await tx.webhookEvent.findFirst({ where: { id: failedEventId, status: { notIn: ["stale", "quarantined"] } }, select: eventSelect });
    if (failed) chosen.push(failed);
  }
  if (!chosen.length) {
    throw new AppError(
      "BAD_REQUEST",
      `Nothing to quarantine: no source event changed what ${exc.rule} reads relative to the current version (the conflict comes from reference data or the rules themselves). Approve it, or override a disputed field.`,
    );
  }

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
