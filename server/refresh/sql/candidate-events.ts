import type { EventStatus } from "../../db/generated/client";

/**
 * Fragment (not run on its own): the events a refresh of case `$1` may decide about, given the ids
 * being processed (`$2`) and the CTE `inputs` holding the case's entities (case-inputs.ts), as
 * one JSON array; a scalar subquery of the case-context read (case-context.ts). They are: the
 * events being processed, waiting events of those entities, events this case keeps waiting or held,
 * and the events whose state the case reads now (an entitlement that arrived before this case's
 * ticket touches the case when the ticket folds it in). Look-ups by index (an OR of them would read
 * the whole event log on every refresh).
 */

/** An event a refresh may decide about, with this case's outcome for it so far (null: none yet). */
export interface CandidateEvent {
  id: string;
  sourceId: string;
  entityId: string;
  entityVersion: number;
  status: EventStatus;
  caseOutcome: EventStatus | null;
  /** ISO time of receipt: event-to-current latency is measured from it (server/ops/metrics.ts). */
  receivedAt: string;
}

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
