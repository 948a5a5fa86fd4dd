import { query } from "./statement";

/** head: the oldest due events taken; more: how many other due events of the same cases may come along. */
export type ClaimEventsParams = [head: number, leaseSeconds: number, more: number];

/** A claimed event, as the worker fans it out (server/refresh/fan-out.ts). */
export interface QueuedEvent {
  id: string;
  sourceId: string;
  /** "*" for an event of no one case (an account, an environment, an incident). */
  caseId: string;
  entityId: string;
  attempts: number;
  data: unknown;
}

/** Due: waiting to be processed, its backoff over, and no live lease on it. */
const DUE = `"status" = 'received' AND "nextAttemptAt" <= now() AND ("lockedUntil" IS NULL OR "lockedUntil" < now())`;

/**
 * Claims due events; SKIP LOCKED and a lease let several workers share the queue. The oldest `$1`
 * events come first, and with them up to `$3` other due events of the same cases: one refresh of a
 * case folds the accepted state of all of them (server/refresh/process-events.ts).
 *
 * Indexes: the head reads the partial index of received events in queue order (a few rows, however
 * long the backlog); the events taken along are found by (status, caseId), in no particular order,
 * since an ORDER BY there makes PostgreSQL walk the whole backlog in queue order instead.
 */
export const CLAIM_EVENTS_SQL = `WITH head AS (
       SELECT "id", "caseId" FROM "WebhookEvent" WHERE ${DUE}
       ORDER BY "seq" LIMIT $1 FOR UPDATE SKIP LOCKED
     ), more AS (
       SELECT "id" FROM "WebhookEvent"
       WHERE ${DUE} AND "caseId" = ANY(ARRAY(SELECT DISTINCT "caseId" FROM head WHERE "caseId" <> '*')) AND "id" NOT IN (SELECT "id" FROM head)
       LIMIT $3 FOR UPDATE SKIP LOCKED
     )
     UPDATE "WebhookEvent" SET "lockedUntil" = now() + make_interval(secs => $2), "attempts" = "attempts" + 1, "updatedAt" = now()
     WHERE "id" IN (SELECT "id" FROM head UNION ALL SELECT "id" FROM more)
     RETURNING "id", "sourceId", "caseId", "entityId", "attempts", "data"`;

export const claimEvents = query<ClaimEventsParams, QueuedEvent>(CLAIM_EVENTS_SQL);
