import { z } from "zod";
import type { Db } from "../db/client";

export const dashboardInput = z.object({ hours: z.union([z.literal(1), z.literal(24), z.literal(168)]).default(24) });

/** A first look at how the refresh is doing over a window: intake, outcomes, exceptions, latency, backlog. */
export async function getDashboard(db: Db, input: z.infer<typeof dashboardInput>) {
  const since = new Date(Date.now() - input.hours * 3_600_000);
  const [records, withExceptions, eventsByStatus, refusals, exceptionsByRule, backlog, latency] = await Promise.all([
    db.case.count({ where: { currentVersion: { not: null } } }),
    db.case.count({ where: { currentVersion: { not: null }, openExceptionCount: { gt: 0 } } }),
    db.webhookEvent.groupBy({ by: ["status"], where: { receivedAt: { gte: since } }, _count: { _all: true } }),
    db.refusal.count({ where: { createdAt: { gte: since } } }),
    db.caseException.groupBy({ by: ["rule", "status", "resolution"], where: { openedAt: { gte: since } }, _count: { _all: true } }),
    db.$queryRawUnsafe<{ backlog: number; oldest: Date | null }[]>(`SELECT count(*)::int AS backlog, min("receivedAt") AS oldest FROM "WebhookEvent" WHERE "status" = 'received'`),
    db.$queryRawUnsafe<{ p50: number | null; p99: number | null; n: number }[]>(
      `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) AS p50, percentile_cont(0.99) WITHIN GROUP (ORDER BY ms) AS p99, count(*)::int AS n
         FROM (SELECT EXTRACT(EPOCH FROM (c."createdAt" - e."receivedAt")) * 1000 AS ms
                 FROM "EventCase" c JOIN "WebhookEvent" e ON e."id" = c."eventId"
                WHERE c."outcome" = 'applied' AND e."receivedAt" >= $1) t`,
      since,
    ),
  ]);
  const rules = new Map<string, { rule: string; opened: number; open: number; approve: number; reject: number; override: number; cleared: number }>();
  for (const g of exceptionsByRule) {
    const r = rules.get(g.rule) ?? { rule: g.rule, opened: 0, open: 0, approve: 0, reject: 0, override: 0, cleared: 0 };
    r.opened += g._count._all;
    if (g.status !== "resolved") r.open += g._count._all;
    else if (g.resolution) r[g.resolution] += g._count._all;
    rules.set(g.rule, r);
  }
  const events = Object.fromEntries(eventsByStatus.map((e) => [e.status, e._count._all])) as Record<string, number>;
  const totalEvents = eventsByStatus.reduce((n, e) => n + e._count._all, 0);
  const b = backlog[0];
  const l = latency[0];
  return {
    hours: input.hours,
    since,
    records,
    withExceptions,
    events,
    totalEvents,
    ratePerMinute: totalEvents / (input.hours * 60),
    refusals,
    exceptions: [...rules.values()].sort((a, b) => b.opened - a.opened),
    backlog: b?.backlog ?? 0,
    oldestBacklog: b?.oldest ?? null,
    latency: { p50: l?.p50 === null || l?.p50 === undefined ? null : Number(l.p50), p99: l?.p99 === null || l?.p99 === undefined ? null : Number(l.p99), samples: l?.n ?? 0 },
  };
}
