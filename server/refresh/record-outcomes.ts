import type { Tx } from "../db/client";
import type { EventStatus } from "../db/generated/client";
import type { SqlParams } from "../db/sql-params";
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
  /**
   * Entities folded into the candidate (SourceEntity keys and the event whose state was read): their
   * waiting events are settled now, and the event read gets this case's outcome if it has none yet.
   */
  folded: { sourceId: string; entityId: string; eventId: string }[];
}

interface EventRow {
  id: string;
  sourceId: string;
  entityId: string;
  entityVersion: number;
  status: EventStatus;
}

const lineageKey = (source: string, entityId: string, version: number) => `${source}\u0000${entityId}\u0000${version}`;

/** An event a refresh may decide about, with this case's outcome for it so far (null: none yet). */
export interface CandidateEvent extends EventRow {
  caseOutcome: EventStatus | null;
  /** ISO time of receipt: event-to-current latency is measured from it (server/ops/metrics.ts). */
  receivedAt: string;
}

/**
 * SQL for the events a refresh of case `$1` may decide about, given the ids being processed (`$2`)
 * and a CTE `inputs` holding the case's entities (load-inputs.ts): the events being processed,
 * waiting events of those entities, events this case keeps waiting or held, and the events whose
 * state the case reads now (an entitlement that arrived before this case's ticket touches the case
 * when the ticket folds it in). Look-ups by index (an OR of them would read the whole event log on
 * every refresh), as one JSON array.
 */
export const CANDIDATE_EVENTS_SQL = `SELECT COALESCE(json_agg(x), '[]')::text FROM (
       SELECT e."id", e."sourceId", e."entityId", e."entityVersion", e."status", to_char(e."receivedAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "receivedAt",
         (SELECT c."outcome" FROM "EventCase" c WHERE c."eventId" = e."id" AND c."caseId" = $1) AS "caseOutcome"
       FROM (
         SELECT e."id" FROM "WebhookEvent" e WHERE e."id" = ANY($2::text[])
         UNION
         SELECT e."id" FROM "WebhookEvent" e JOIN inputs i ON e."sourceId" = i."sourceId" AND e."entityId" = i."entityId" WHERE e."status" = 'waiting'
         UNION
         SELECT c."eventId" FROM "EventCase" c WHERE c."caseId" = $1 AND c."outcome" IN ('waiting', 'held')
         UNION
         SELECT i."eventId" FROM inputs i
       ) ids JOIN "WebhookEvent" e ON e."id" = ids."id") x`;

export interface DecidedOutcomes {
  /** Per-case outcome rows to write (EventCase). */
  rows: { id: string; outcome: EventStatus; version: number | null }[];
  /** Events other than those being processed whose status may move now (waiting or held before). */
  extra: string[];
}

/**
 * Per-case outcome of every event this refresh decides: the events being processed, events that
 * waited for the case's ticket and are folded in now, and events the case held behind an exception
 * that no longer holds it. An event is applied (or held) only where its own entity version is in
 * the resulting version's lineage; an event a newer version superseded before it counted is
 * no_change. An existing applied outcome is never rewritten (see outcomesStatement), so a retried
 * event counts once.
 */
export function decideOutcomes(sources: SourceLookup, input: OutcomeInput, candidates: CandidateEvent[]): DecidedOutcomes {
  const { outcome } = input;
  const settling = outcome !== "waiting";
  const processing = new Set(input.eventIds);
  const folded = new Set(input.folded.map((f) => `${f.sourceId}\u0000${f.entityId}`));
  const releasesHeld = outcome === "applied" || outcome === "no_change";
  const read = new Set(input.folded.map((f) => f.eventId));
  const rows = candidates.filter(
    (e) =>
      processing.has(e.id) ||
      (settling && e.status === "waiting" && folded.has(`${e.sourceId}\u0000${e.entityId}`)) ||
      (settling && (e.caseOutcome === "waiting" || (releasesHeld && e.caseOutcome === "held"))) ||
      (settling && e.caseOutcome === null && read.has(e.id) && e.status !== "received"),
  );
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
  return { rows: decided, extra: rows.filter((r) => !processing.has(r.id)).map((r) => r.id) };
}

/** The INSERT that writes the decided EventCase rows; an applied or quarantined outcome is never rewritten. */
export function outcomesStatement(p: SqlParams, caseId: string, decided: DecidedOutcomes): string {
  return `INSERT INTO "EventCase" ("id", "eventId", "caseId", "outcome", "recordVersion", "updatedAt")
     SELECT x.id, x.event_id, ${p.add(caseId)}, x.outcome::"EventStatus", x.version, now()
     FROM unnest(${p.add(decided.rows.map(() => newId("evc")))}::text[], ${p.add(decided.rows.map((d) => d.id))}::text[],
       ${p.add(decided.rows.map((d) => d.outcome))}::text[], ${p.add(decided.rows.map((d) => d.version))}::int[]) AS x(id, event_id, outcome, version)
     ON CONFLICT ("eventId", "caseId") DO UPDATE SET "outcome" = EXCLUDED."outcome", "recordVersion" = EXCLUDED."recordVersion", "updatedAt" = now()
     WHERE "EventCase"."outcome" NOT IN ('applied', 'quarantined')`;
}

/** After the EventCase rows are written: the other events' statuses follow them. */
export async function settleExtra(tx: Tx, decided: DecidedOutcomes): Promise<void> {
  // Not "received": an event still in the queue keeps that status until its own batch has refreshed
  // every case it fans out to (docs/api.md).
  if (decided.extra.length) await settleEventStatus(tx, decided.extra, ["waiting", "held", "applied", "no_change"]);
}
