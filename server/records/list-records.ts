import { z } from "zod";
import type { Db } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { CAUSES } from "../refresh/types";

export const recordListInput = z.object({
  q: z.string().trim().max(200).optional(),
  severity: z.array(z.enum(["S1", "S2", "S3", "S4"])).max(4).optional(),
  tier: z.array(z.string().max(100)).max(20).optional(),
  product: z.array(z.string().max(100)).max(50).optional(),
  status: z.array(z.enum(["open", "pending", "solved", "closed"])).max(4).optional(),
  hasException: z.boolean().optional(),
  cause: z.enum(CAUSES).optional(),
  sort: z.enum(["refreshed", "severity", "case", "customer", "exceptions"]).default("refreshed"),
  dir: z.enum(["asc", "desc"]).default("desc"),
  page: z.number().int().min(1).max(100_000).default(1),
  pageSize: z.number().int().min(10).max(200).default(50),
});
export type RecordListInput = z.infer<typeof recordListInput>;

/**
 * Cases whose last change had `cause`. Raw SQL because the embedded database's Prisma adapter
 * sends an enum-array parameter (what `lastCauses: { has }` compiles to) as a bare string and
 * PostgreSQL refuses it; a scalar enum parameter compared with ANY works on both databases.
 * The ids go back as one IN list: fine for tens of thousands of cases (PostgreSQL takes 65,535
 * parameters), to be revisited beyond that.
 */
async function casesWithLastCause(db: Db, cause: (typeof CAUSES)[number]): Promise<string[]> {
  const rows = await db.$queryRawUnsafe<{ id: string }[]>(
    `SELECT "id" FROM "Case" WHERE "currentVersion" IS NOT NULL AND $1::"DeltaCause" = ANY("lastCauses")`,
    cause,
  );
  return rows.map((r) => r.id);
}

/** Current records for the list screen, filtered and paged in SQL on the case's denormalised columns. */
export async function listRecords(db: Db, input: RecordListInput) {
  const where: Prisma.CaseWhereInput = { currentVersion: { not: null } };
  if (input.q) {
    where.OR = [
      { id: { contains: input.q, mode: "insensitive" } },
      { accountId: { contains: input.q, mode: "insensitive" } },
      { customerName: { contains: input.q, mode: "insensitive" } },
      { subject: { contains: input.q, mode: "insensitive" } },
    ];
  }
  if (input.severity?.length) where.severity = { in: input.severity };
  if (input.tier?.length) where.tier = { in: input.tier };
  if (input.product?.length) where.productCode = { in: input.product };
  if (input.status?.length) where.status = { in: input.status };
  if (input.hasException !== undefined) where.openExceptionCount = input.hasException ? { gt: 0 } : 0;
  if (input.cause) where.id = { in: await casesWithLastCause(db, input.cause) };
  const dir = input.dir;
  const orderBy: Prisma.CaseOrderByWithRelationInput[] =
    input.sort === "severity"
      ? [{ severity: dir }, { lastRefreshedAt: "desc" }]
      : input.sort === "case"
        ? [{ id: dir }]
        : input.sort === "customer"
          ? [{ customerName: dir }, { id: "asc" }]
          : input.sort === "exceptions"
            ? [{ openExceptionCount: dir }, { lastRefreshedAt: "desc" }]
            : [{ lastRefreshedAt: dir }, { id: "asc" }];
  const [total, rows] = await Promise.all([
    db.case.count({ where }),
    db.case.findMany({
      where,
      orderBy,
      skip: (input.page - 1) * input.pageSize,
      take: input.pageSize,
      select: {
        id: true, accountId: true, customerName: true, subject: true, severity: true, status: true, productCode: true, tier: true,
        currentVersion: true, lastVersion: true, lastCauses: true, lastSummary: true, lastRefreshedAt: true, openExceptionCount: true,
      },
    }),
  ]);
  return { total, page: input.page, pageSize: input.pageSize, rows };
}

/** Values the filters offer. */
export async function recordFacets(db: Db) {
  const [products, tiers] = await Promise.all([
    db.product.findMany({ select: { code: true, name: true }, orderBy: { name: "asc" } }),
    db.serviceTier.findMany({ select: { code: true, name: true }, orderBy: { slaMinutes: "desc" } }),
  ]);
  return { products, tiers };
}
