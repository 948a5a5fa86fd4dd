import { z } from "zod";
import { assertRole } from "../auth/authorize";
import type { Db } from "../db/client";
import { audit, type Actor } from "../lib/audit";
import { AppError } from "../lib/errors";
import { newId } from "../lib/ids";
import type { EngineContext } from "../refresh/engine-context";
import type { RefreshResult } from "../refresh/refresh-case";
import { refreshCases } from "../refresh/refresh-cases";
import { normaliseAlias } from "./normalise";

export const addAliasInput = z.object({
  kind: z.enum(["product", "tier"]),
  alias: z.string().trim().min(1, "enter the text to recognise").max(200),
  /** Canonical product or tier code the alias normalises to. */
  code: z.string().trim().min(1).max(100),
  note: z.string().trim().max(500).optional(),
});
export type AddAliasInput = z.input<typeof addAliasInput>;

export interface AliasChange {
  aliasId: string;
  alias: string;
  code: string;
  jobId: string;
  /** Cases whose sources use the alias text, re-materialised against the new reference data. */
  affectedCases: string[];
  results: RefreshResult[];
}

/**
 * Adds a product or tier alias, then re-materialises every case whose sources use that text, so a
 * value that could not be normalised before (SCHEMA_INVALID, unknown tier) now can. A value that
 * changes while its source version stays the same is a `schema_change` in the delta. Progress is
 * kept in a Job row so the admin screen can show it.
 */
export async function addReferenceAlias(ctx: EngineContext, actor: Actor, raw: AddAliasInput): Promise<AliasChange> {
  assertRole(actor, "admin");
  const input = addAliasInput.parse(raw);
  const alias = normaliseAlias(input.alias);
  const aliasId = newId(input.kind === "product" ? "pal" : "tal");
  const jobId = newId("job");
  await ctx.db.$transaction(async (tx) => {
    const target =
      input.kind === "product"
        ? await tx.product.findUnique({ where: { code: input.code }, select: { code: true } })
        : await tx.serviceTier.findUnique({ where: { code: input.code }, select: { code: true } });
    if (!target) throw new AppError("NOT_FOUND", `no ${input.kind} with code ${input.code}`);
    const existing =
      input.kind === "product"
        ? await tx.productAlias.findUnique({ where: { alias }, select: { productCode: true } }).then((r) => r?.productCode)
        : await tx.tierAlias.findUnique({ where: { alias }, select: { tierCode: true } }).then((r) => r?.tierCode);
    if (existing) throw new AppError("CONFLICT", `"${alias}" already normalises to ${input.kind} ${existing}`);
    if (input.kind === "product") await tx.productAlias.create({ data: { id: aliasId, alias, productCode: input.code } });
    else await tx.tierAlias.create({ data: { id: aliasId, alias, tierCode: input.code } });
    await tx.job.create({
      data: { id: jobId, kind: "reference_change", status: "running", params: { kind: input.kind, alias, code: input.code }, createdBy: actor.id, startedAt: new Date() },
    });
    await audit(tx, actor, {
      action: `reference.${input.kind}_alias.add`,
      targetType: input.kind === "product" ? "product" : "service_tier",
      targetId: input.code,
      after: { alias, code: input.code, jobId },
      note: input.note ?? null,
    });
  });
  ctx.reference.invalidate();

  const affectedCases = await casesUsing(ctx.db, input.kind, alias);
  await ctx.db.job.update({ where: { id: jobId }, data: { total: affectedCases.length } });
  let results: RefreshResult[];
  try {
    ({ results } = await refreshCases(ctx, affectedCases, {
      progress: async (done) => {
        if (done) await ctx.db.job.update({ where: { id: jobId }, data: { done } });
      },
    }));
  } catch (err) {
    await ctx.db.job.update({ where: { id: jobId }, data: { status: "failed", error: (err as Error).message.slice(0, 2000), finishedAt: new Date() } });
    throw err;
  }
  const outcomes: Record<string, number> = {};
  for (const r of results) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
  await ctx.db.job.update({ where: { id: jobId }, data: { status: "succeeded", result: { cases: affectedCases.length, outcomes }, finishedAt: new Date() } });
  return { aliasId, alias, code: input.code, jobId, affectedCases, results };
}

interface TextRow {
  caseId: string | null;
  accountId: string | null;
  text: string | null;
}

/** Cases whose accepted source state carries the alias text, after normalisation. */
async function casesUsing(db: Db, kind: "product" | "tier", alias: string): Promise<string[]> {
  // A cheap SQL pre-filter on one word of the alias; normaliseAlias decides exactly.
  const word = alias.split(" ").sort((a, b) => b.length - a.length)[0]!;
  const select = (field: string, entityKind: string) =>
    db.$queryRawUnsafe<TextRow[]>(
      `SELECT se."caseId", se."accountId", e."data"->>'${field}' AS "text"
       FROM "SourceEntity" se JOIN "WebhookEvent" e ON e."id" = se."currentEventId"
       WHERE se."entityKind" = $1 AND position($2 in lower(e."data"->>'${field}')) > 0`,
      entityKind,
      word,
    );
  const matches = (rows: TextRow[]) => rows.filter((r) => r.text !== null && normaliseAlias(r.text) === alias);
  const cases = new Set<string>();
  if (kind === "product") {
    for (const r of matches(await select("productArea", "ticket"))) if (r.caseId) cases.add(r.caseId);
  } else {
    for (const r of matches(await select("declaredServiceTier", "ticket"))) if (r.caseId) cases.add(r.caseId);
    const accounts = matches(await select("serviceTier", "account")).map((r) => r.accountId).filter((a): a is string => !!a);
    if (accounts.length) {
      const tickets = await db.sourceEntity.findMany({ where: { entityKind: "ticket", accountId: { in: accounts }, caseId: { not: null } }, select: { caseId: true } });
      for (const t of tickets) cases.add(t.caseId!);
    }
  }
  return [...cases].sort();
}
