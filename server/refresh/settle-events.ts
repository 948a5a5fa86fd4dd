import type { Db, Tx } from "../db/client";
import { settleEventStatusSql } from "./sql/settle-event-status";
import type { EventStatus } from "../db/generated/client";

/**
 * docs/api.md's event status from its per-case outcomes (EventCase): held wins over applied, applied over
 * no_change; an event no case has taken yet is waiting. Only events whose status is in `from` move,
 * so a quarantined, stale or failed event keeps its status. The one place this rule lives.
 */
export async function settleEventStatus(db: Db | Tx, eventIds: string[], from: readonly EventStatus[]): Promise<number> {
  if (!eventIds.length || !from.length) return 0;
  return settleEventStatusSql(db, [eventIds, [...from]]);
}

/** Statuses a processed event may still move between as its cases refresh. */
export const SETTLEABLE: readonly EventStatus[] = ["received", "applied", "held", "no_change", "waiting"];
