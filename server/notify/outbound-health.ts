import type { Db } from "../db/client";

/**
 * Database-wide outbound figures for /api/metrics, read at scrape time: endpoints by state (a
 * handful of rows: admins register them) and deliveries waiting, counted on the partial index of
 * pending deliveries (at most one batch per endpoint exists at a time: outbound-worker.ts).
 */
export async function outboundGauges(db: Db): Promise<{ endpoints: Record<"enabled" | "failing" | "disabled", number>; pending: number }> {
  const [states, pending] = await Promise.all([
    db.$queryRawUnsafe<{ state: "enabled" | "failing" | "disabled"; n: number }[]>(
      `SELECT CASE WHEN NOT e."enabled" THEN 'disabled' WHEN e."consecutiveFailures" > 0 THEN 'failing' ELSE 'enabled' END AS "state", count(*)::int AS "n"
       FROM "OutboundEndpoint" e GROUP BY 1`,
    ),
    db.$queryRawUnsafe<{ n: number }[]>(`SELECT count(*)::int AS "n" FROM "OutboundDelivery" d WHERE d."status" = 'pending'`),
  ]);
  const endpoints = { enabled: 0, failing: 0, disabled: 0 };
  for (const s of states) endpoints[s.state] = s.n;
  return { endpoints, pending: pending[0]?.n ?? 0 };
}
