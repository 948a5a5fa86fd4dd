import type { Db, Tx } from "../db/client";
import { prepared } from "../db/statement-names";
import type { EventStatus } from "../db/generated/client";

/**
 * docs/api.md's event status from its per-case outcomes (EventCase): held wins over applied, applied over
 * no_change; an event no case has taken yet is waiting. Only events whose status is in `from` move,
 * so a quarantined, stale or failed event keeps its status. The one place this rule lives.
 */
export async function settleEventStatus(db: Db | Tx, eventIds: string[], from: readonly EventStatus[]): Promise<number> {
  if (!eventIds.length || !from.length) return 0;
  return db.$executeRawUnsafe(SETTLE_SQL, eventIds, [...from]);
}

const SETTLE_SQL = prepared(
  `UPDATE "WebhookEvent" e SET "status" = (
       SELECT CASE
         WHEN bool_or(c."outcome" = 'held') THEN 'held'
         WHEN bool_or(c."outcome" = 'applied') THEN 'applied'
         WHEN bool_or(c."outcome" = 'no_change') THEN 'no_change'
         ELSE 'waiting' END::"EventStatus"
       FROM "EventCase" c WHERE c."eventId" = e."id"),
       "processedAt" = COALESCE(e."processedAt", now()), "lockedUntil" = NULL, "lastError" = NULL, "updatedAt" = now()
     WHERE e."id" = ANY($1::text[]) AND e."status"::text = ANY($2::text[])`,
);

/** Statuses a processed event may still move between as its cases refresh. */
export const SETTLEABLE: readonly EventStatus[] = ["received", "applied", "held", "no_change", "waiting"];
