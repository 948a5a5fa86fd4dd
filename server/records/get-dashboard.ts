import { z } from "zod";
import type { Db } from "../db/client";

export const dashboardInput = z.object({ hours: z.union([z.literal(1), z.literal(24), z.literal(168)]).default(24) });

const LATENCY_SAMPLE = 20_000;

/** Linear interpolation between closest ranks, as PostgreSQL's percentile_cont. */
export function percentile(sorted: number[], p: number): number | null {
  if (!sorted.length) return null;
  const rank = p * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

/** A first look at how the refresh is doing over a window: intake, outcomes, exceptions, latency, backlog. */
export async function getDashboard(db: Db, input: z.infer<typeof dashboardInput>) {
  const since = new Date(Date.now() - input.hours * 3_600_000);
  const [records, withExceptions, eventsByStatus, refusals, exceptionsByRule, backlog, latency] = await Promise.all([
    db.case.count({ where: { currentVersion: { not: null } } }),
    db.case.count({ where: { currentVersion: { not: null }, openExceptionCount: { gt: 0 } } }),
    db.webhookEvent.groupBy({ by: ["status"], where: { receivedAt: { gte: since } }, _count: { _all: true } }),
    db.refusal.count({ where: { createdAt: { gte: since } } }),
    db.caseException.groupBy({ by: ["rule", "status", "resolution"], where: { openedAt: { gte: since } }, _count: { _all: true } }),
    db.webhookEvent.aggregate({ where: { status: "received" }, _count: { _all: true }, _min: { receivedAt: true } }),
    // The newest applied changes of the window; enough for stable percentiles without scanning everything.
    db.eventCase.findMany({
      where: { outcome: "applied", event: { receivedAt: { gte: since } } },
      orderBy: { createdAt: "desc" },
      take: LATENCY_SAMPLE,
      select: { createdAt: true, event: { select: { receivedAt: true } } },
    }),
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
  const latencies = latency.map((l) => l.createdAt.getTime() - l.event.receivedAt.getTime()).sort((a, b) => a - b);
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
    backlog: backlog._count._all,
    oldestBacklog: backlog._min.receivedAt,
    latency: { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), samples: latencies.length },
  };
}
