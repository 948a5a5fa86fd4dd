import type { EventStatus } from "../../db/generated/client";
import { command } from "./statement";

/** The events to settle, and the statuses they may move from. */
export type SettleEventStatusParams = [eventIds: string[], from: EventStatus[]];

/**
 * docs/api.md's event status from its per-case outcomes (EventCase): held wins over applied,
 * applied over no_change; an event no case has taken yet is waiting. Only events whose status is
 * in `from` move (server/refresh/settle-events.ts).
 */
export const SETTLE_EVENT_STATUS_SQL = `UPDATE "WebhookEvent" e SET "status" = (
       SELECT CASE
         WHEN bool_or(c."outcome" = 'held') THEN 'held'
         WHEN bool_or(c."outcome" = 'applied') THEN 'applied'
         WHEN bool_or(c."outcome" = 'no_change') THEN 'no_change'
         ELSE 'waiting' END::"EventStatus"
       FROM "EventCase" c WHERE c."eventId" = e."id"),
       "processedAt" = COALESCE(e."processedAt", now()), "lockedUntil" = NULL, "lastError" = NULL, "updatedAt" = now()
     WHERE e."id" = ANY($1::text[]) AND e."status"::text = ANY($2::text[])`;

export const settleEventStatusSql = command<SettleEventStatusParams>(SETTLE_EVENT_STATUS_SQL);
