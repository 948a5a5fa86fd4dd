import type { Tx } from "../db/client";
import type { EventStatus } from "../db/generated/client";
import { newId } from "../lib/ids";
import type { SourceLookup } from "./load-inputs";
import { settleEventStatus } from "./settle-events";
import type { LineageMap } from "./types";

export type CaseOutcome = "applied" | "held" | "no_change" | "waiting";

export interface OutcomeInput {
  caseId: string;
  outcome: CaseOutcome;
  /** The version the outcome refers to: the new or promoted current, the held candidate, or the unchanged current. */
  version: number | null;
  /** That version's lineage: an event counts for it only when its exact entity version is in there. */
  lineage: LineageMap | null;
  /** Events being processed that touch the case. */
  eventIds: string[];
  /** Entities folded into the candidate (SourceEntity keys): their waiting events are settled now. */
  folded: { sourceId: string; entityId: string }[];
}

interface EventRow {
  id: string;
  sourceId: string;
  entityId: string;
  entityVersion: number;
  status: EventStatus;
}

const lineageKey = (source: string, entityId: string, version: number) => `${source}\u0000${entityId}\u0000${version}`;

/**
 * Per-case outcome of every event this refresh decides: the events being processed, events that
 * waited for the case's ticket and are folded in now, and events the case held behind an exception
 * that no longer holds it. An event is applied (or held) only where its own entity version is in
 * the resulting version's lineage; an event a newer version superseded before it counted is
 * no_change. An existing applied outcome is never rewritten, so a retried event counts once.
 */
export async function recordEventOutcomes(tx: Tx, sources: SourceLookup, input: OutcomeInput): Promise<void> {
  const { caseId, outcome } = input;
  const settling = outcome !== "waiting";
  if (!input.eventIds.length && !settling) return;
  // The events being processed, plus (once the case has a record) waiting events now folded in and,
  // when nothing holds the case any more, the events it held.
  const rows = await tx.$queryRawUnsafe<EventRow[]>(
    `SELECT e."id", e."sourceId", e."entityId", e."entityVersion", e."status" FROM "WebhookEvent" e
     WHERE e."id" = ANY($1::text[])
       OR ($2 AND e."status" = 'waiting' AND (e."sourceId", e."entityId") IN (SELECT * FROM unnest($3::text[], $4::text[])))
       OR ($2 AND e."id" IN (SELECT c."eventId" FROM "EventCase" c
             WHERE c."caseId" = $5 AND (c."outcome" = 'waiting' OR ($6 AND c."outcome" = 'held'))))`,
    input.eventIds,
    settling,
    input.folded.map((f) => f.sourceId),
    input.folded.map((f) => f.entityId),
    caseId,
    outcome === "applied" || outcome === "no_change",
  );
  if (!rows.length) return;
  const inLineage = new Set(Object.values(input.lineage ?? {}).map((l) => lineageKey(l.source, l.entityId, l.entityVersion)));
  const decided = rows.map((e) => {
    const source = sources.byId.get(e.sourceId)?.name ?? e.sourceId;
    let o: EventStatus = "no_change";
    let v: number | null = null;
    if (outcome === "waiting") o = "waiting";
    else if (e.status === "quarantined") o = "quarantined";
    else if (inLineage.has(lineageKey(source, e.entityId, Number(e.entityVersion)))) {
      // Unchanged record that already holds this event's state: an earlier refresh applied it.
      o = outcome === "no_change" ? "applied" : outcome;
      v = input.version;
    }
    return { id: e.id, outcome: o, version: v };
  });
  await tx.$executeRawUnsafe(
    `INSERT INTO "EventCase" ("id", "eventId", "caseId", "outcome", "recordVersion", "updatedAt")
     SELECT x.id, x.event_id, $5, x.outcome::"EventStatus", x.version, now()
     FROM unnest($1::text[], $2::text[], $3::text[], $4::int[]) AS x(id, event_id, outcome, version)
     ON CONFLICT ("eventId", "caseId") DO UPDATE SET "outcome" = EXCLUDED."outcome", "recordVersion" = EXCLUDED."recordVersion", "updatedAt" = now()
     WHERE "EventCase"."outcome" NOT IN ('applied', 'quarantined')`,
    decided.map(() => newId("evc")),
    decided.map((d) => d.id),
    decided.map((d) => d.outcome),
    decided.map((d) => d.version),
    caseId,
  );
  const processing = new Set(input.eventIds);
  const extra = rows.filter((r) => !processing.has(r.id)).map((r) => r.id);
  if (extra.length) await settleEventStatus(tx, extra, ["waiting", "held"]);
}
