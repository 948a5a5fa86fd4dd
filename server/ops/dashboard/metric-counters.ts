import type { Db } from "../../db/client";

/**
 * Whole-database counts the write path keeps in MetricCounter (triggers of migration
 * 20261201100000_read_path_indexes), summed over writers' shards: exact, and as cheap at a
 * million rows as at ten.
 */
export type CounterName =
  | "records"
  | "recordsWithException"
  /** records.severity.<S1..S4>: current records of that severity */
  | `records.severity.${string}`
  | "exceptions.open"
  | "exceptions.claimed"
  | "exceptions.resolved"
  /** exceptions.<status>.rule.<rule> and exceptions.<status>.source.<source name> */
  | `exceptions.${"open" | "claimed" | "resolved"}.${"rule" | "source"}.${string}`;

export async function readCounters<N extends CounterName>(db: Db, names: readonly N[]): Promise<Record<N, number>> {
  const rows = await db.$queryRawUnsafe<{ name: CounterName; value: number }[]>(
    `SELECT "name", sum("value")::int AS "value" FROM "MetricCounter" WHERE "name" = ANY($1::text[]) GROUP BY "name"`,
    [...names],
  );
  const out = Object.fromEntries(names.map((n) => [n, 0])) as Record<N, number>;
  for (const r of rows) out[r.name as N] = Number(r.value);
  return out;
}
