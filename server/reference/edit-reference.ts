import { z } from "zod";
import { assertRole } from "../auth/authorize";
import { audit, type Actor } from "../lib/audit";
import { AppError } from "../lib/errors";
import { newId } from "../lib/ids";
import type { EngineContext } from "../refresh/engine-context";
import { casesAffectedBy, type ReferenceScope } from "../ops/jobs/affected-cases";
import { wakeJobRunner } from "../ops/jobs/job-runner";
import { enqueueJob } from "../ops/jobs/jobs";
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
  /** The reference_change job that re-materialises the affected cases (server/ops/jobs/job-handlers.ts). */
  jobId: string;
  /** Cases whose sources use the alias text: the job re-materialises them against the new reference data. */
  affectedCases: string[];
}

/**
 * Adds a product or tier alias; every case whose sources use that text is re-materialised, so a
 * value that could not be normalised before (SCHEMA_INVALID, unknown tier) now can. Like every
 * other reference edit (server/ops/governance/edit-reference-data.ts) the re-evaluation is a
 * reference_change job queued in the edit's own transaction and run by the job runner, with
 * progress, resumed after a restart. A value that changes while its source version stays the same
 * is a `schema_change` in the delta.
 */
export async function addReferenceAlias(ctx: EngineContext, actor: Actor, raw: AddAliasInput): Promise<AliasChange> {
  assertRole(actor, "admin");
  const input = addAliasInput.parse(raw);
  const alias = normaliseAlias(input.alias);
  const aliasId = newId(input.kind === "product" ? "pal" : "tal");
  const scope: ReferenceScope = input.kind === "product" ? { productTexts: [alias] } : { tierTexts: [alias] };
  const jobId = await ctx.db.$transaction(async (tx) => {
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
    const job = await enqueueJob(tx, actor, "reference_change", { label: `Add ${input.kind} alias "${alias}" → ${input.code}`, scope });
    await audit(tx, actor, {
      action: `reference.${input.kind}_alias.add`,
      targetType: input.kind === "product" ? "product" : "service_tier",
      targetId: input.code,
      after: { alias, code: input.code, jobId: job },
      note: input.note ?? null,
    });
    return job;
  });
  ctx.reference.invalidate();
  wakeJobRunner();
  return { aliasId, alias, code: input.code, jobId, affectedCases: await casesAffectedBy(ctx.db, scope) };
}
