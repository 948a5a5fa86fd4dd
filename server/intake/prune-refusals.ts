import type { Db } from "../db/client";

/**
 * The intake log keeps RETENTION_DAYS of refusals (docs/edge.md, "Refusals and throttling"): rows
 * are counts per reason, source, address and minute, so junk cannot grow the table fast, and
 * without this it would still grow forever. The dashboard's refusal counts live in RefusalRollup,
 * which keeps its own (shorter) windows, so deleting old rows changes no chart. Deleted a batch
 * at a time, oldest first, by the index (createdAt, id).
 */
export const REFUSAL_RETENTION_DAYS = 30;
const BATCH = 1_000;

// `= ANY(ARRAY(…))`, not `IN (…)`: with IN, PostgreSQL may join the batch's ids to the whole table
// by a hash over a sequential scan (EXPLAIN on 30,000 rows with 8,640 old, and on 400,000), so each
// batch would read the table; the array is looked up through the primary key, a batch's rows only.
const PRUNE_SQL = `DELETE FROM "Refusal" WHERE "id" = ANY(ARRAY(
       SELECT r."id" FROM "Refusal" r WHERE r."createdAt" < $1::timestamp ORDER BY r."createdAt", r."id" LIMIT $2))`;

/** Removes refusal rows created before `now` − `retentionDays`; returns how many. */
export async function pruneRefusals(db: Db, now: Date, retentionDays = REFUSAL_RETENTION_DAYS): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionDays * 86_400_000).toISOString();
  let total = 0;
  for (;;) {
    const n = await db.$executeRawUnsafe(PRUNE_SQL, cutoff, BATCH);
    total += n;
    if (n < BATCH) return total;
  }
}
