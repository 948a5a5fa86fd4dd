import { z } from "zod";
import type { Db } from "../db/client";
import type { Prisma } from "../db/generated/client";

export const EVENT_STATUSES = ["received", "applied", "held", "no_change", "stale", "waiting", "quarantined", "failed"] as const;

export const eventListInput = z.object({
  source: z.string().max(100).optional(),
  status: z.array(z.enum(EVENT_STATUSES)).max(EVENT_STATUSES.length).optional(),
  caseId: z.string().trim().max(200).optional(),
  /** A webhook id or an entity id. */
  q: z.string().trim().max(200).optional(),
  from: z.date().optional(),
  to: z.date().optional(),
  page: z.number().int().min(1).max(100_000).default(1),
  pageSize: z.number().int().min(10).max(200).default(50),
});
export type EventListInput = z.infer<typeof eventListInput>;

/** The intake stream, newest first, with what each event did to each case it touched. */
export async function listEvents(db: Db, input: EventListInput) {
  const where: Prisma.WebhookEventWhereInput = {};
  const and: Prisma.WebhookEventWhereInput[] = [];
  if (input.source) where.source = { name: input.source };
  if (input.status?.length) where.status = { in: input.status };
  if (input.caseId) and.push({ OR: [{ caseId: input.caseId }, { cases: { some: { caseId: input.caseId } } }] });
  if (input.q) and.push({ OR: [{ webhookId: input.q }, { entityId: input.q }] });
  if (input.from || input.to) where.receivedAt = { gte: input.from, lte: input.to };
  if (and.length) where.AND = and;
  const [total, rows] = await Promise.all([
    db.webhookEvent.count({ where }),
    db.webhookEvent.findMany({
      where,
      orderBy: { seq: "desc" },
      skip: (input.page - 1) * input.pageSize,
      take: input.pageSize,
      select: {
        id: true, webhookId: true, type: true, caseId: true, entityKind: true, entityId: true, entityVersion: true,
        occurredAt: true, receivedAt: true, processedAt: true, status: true, attempts: true, lastError: true,
        source: { select: { name: true } },
        cases: { select: { caseId: true, outcome: true, recordVersion: true }, orderBy: { caseId: "asc" }, take: 20 },
        _count: { select: { cases: true } },
      },
    }),
  ]);
  return {
    total,
    page: input.page,
    pageSize: input.pageSize,
    rows: rows.map(({ source, _count, ...r }) => ({ ...r, source: source.name, caseCount: _count.cases })),
  };
}

/** Sources for the filter. */
export async function eventFacets(db: Db) {
  const sources = await db.source.findMany({ select: { name: true }, orderBy: { name: "asc" } });
  return { sources: sources.map((s) => s.name), statuses: [...EVENT_STATUSES] };
}
