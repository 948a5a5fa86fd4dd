import { z } from "zod";
import type { Db } from "../db/client";
import type { Prisma } from "../db/generated/client";

export const refusalListInput = z.object({
  source: z.string().max(100).optional(),
  from: z.date().optional(),
  to: z.date().optional(),
  page: z.number().int().min(1).max(100_000).default(1),
  pageSize: z.number().int().min(10).max(200).default(50),
});
export type RefusalListInput = z.infer<typeof refusalListInput>;

/** Refused deliveries, newest first: reason and status only, never the unverified body. */
export async function listRefusals(db: Db, input: RefusalListInput) {
  const where: Prisma.RefusalWhereInput = {};
  if (input.source) where.sourceName = input.source;
  if (input.from || input.to) where.createdAt = { gte: input.from, lte: input.to };
  const [total, rows] = await Promise.all([
    db.refusal.count({ where }),
    db.refusal.findMany({
      where,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      skip: (input.page - 1) * input.pageSize,
      take: input.pageSize,
      select: { id: true, sourceName: true, httpStatus: true, reason: true, issues: true, webhookId: true, remoteAddr: true, createdAt: true },
    }),
  ]);
  return { total, page: input.page, pageSize: input.pageSize, rows };
}
