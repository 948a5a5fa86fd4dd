import type { Db } from "../db/client";

/**
 * The delivery log keeps RETENTION_DAYS of finished deliveries (docs/change-feed.md, "Delivery log
 * and redelivery"); pending ones stay however old (a disabled endpoint's queue). Deleted a batch at
 * a time per endpoint, oldest first, by OutboundDelivery (endpointId, createdAt, id); attempts go
 * with their delivery (ON DELETE CASCADE).
 */
export const RETENTION_DAYS = 30;
const BATCH = 1_000;

// `= ANY(ARRAY(…))`, not `IN (…)`: the ids are looked up through the primary key whatever the
// planner estimates (an IN can become a hash join over a sequential scan of the table; see
// server/intake/prune-refusals.ts).
export const PRUNE_SQL = `DELETE FROM "OutboundDelivery" WHERE "id" = ANY(ARRAY(
       SELECT d."id" FROM "OutboundDelivery" d
       WHERE d."endpointId" = $1 AND d."createdAt" < $2::timestamp AND d."status" <> 'pending'
       ORDER BY d."createdAt", d."id"
       LIMIT $3))`;

/** Removes finished deliveries created before `now` − RETENTION_DAYS; returns how many. */
export async function pruneDeliveries(db: Db, now: Date, retentionDays = RETENTION_DAYS): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000).toISOString();
  const endpoints = await db.outboundEndpoint.findMany({ select: { id: true } });
  let total = 0;
  for (const { id } of endpoints) {
    for (;;) {
      const n = await db.$executeRawUnsafe(PRUNE_SQL, id, cutoff, BATCH);
      total += n;
      if (n < BATCH) break;
    }
  }
  return total;
}
