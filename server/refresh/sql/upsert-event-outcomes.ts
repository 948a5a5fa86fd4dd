import type { EventStatus } from "../../db/generated/client";
import type { Part } from "./statement";

/** Parallel arrays, one element per decided event. */
export type UpsertEventOutcomesParams = [caseId: string, ids: string[], eventIds: string[], outcomes: EventStatus[], versions: (number | null)[]];

/** Write part: the per-case outcome of each decided event (EventCase); an applied or quarantined outcome is never rewritten. */
export const upsertEventOutcomes: Part<UpsertEventOutcomesParams> = (p, [caseId, ids, eventIds, outcomes, versions]) =>
  `INSERT INTO "EventCase" ("id", "eventId", "caseId", "outcome", "recordVersion", "updatedAt")
     SELECT x.id, x.event_id, ${p.add(caseId)}, x.outcome::"EventStatus", x.version, now()
     FROM unnest(${p.add(ids)}::text[], ${p.add(eventIds)}::text[],
       ${p.add(outcomes)}::text[], ${p.add(versions)}::int[]) AS x(id, event_id, outcome, version)
     ON CONFLICT ("eventId", "caseId") DO UPDATE SET "outcome" = EXCLUDED."outcome", "recordVersion" = EXCLUDED."recordVersion", "updatedAt" = now()
     WHERE "EventCase"."outcome" NOT IN ('applied', 'quarantined')`;
