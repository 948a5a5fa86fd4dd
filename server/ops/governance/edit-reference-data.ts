import { z } from "zod";
import { assertRole } from "../../auth/authorize";
import type { Db, Tx } from "../../db/client";
import { audit, type Actor } from "../../lib/audit";
import { AppError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import type { ReferenceScope } from "../jobs/affected-cases";
import { addReferenceAlias, type AliasChange } from "../../reference/edit-reference";
import { normaliseAlias } from "../../reference/normalise";
import type { EngineContext } from "../../refresh/engine-context";
import { enqueueJob } from "../jobs/jobs";

const note = z.string().trim().min(3, "say why, in a few words (at least 3 characters)").max(500);
const code = z
  .string()
  .trim()
  .min(2)
  .max(60)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "use lower-case letters, digits and single hyphens");
const name = z.string().trim().min(1, "enter a name").max(200);
const aliasList = z.array(z.string().trim().min(1).max(200)).max(50).default([]);
const slaMinutes = z.number().int().min(1, "at least 1 minute").max(60 * 24 * 30);

export const createProductInput = z.object({ code, name, aliases: aliasList, note });
export const updateProductInput = z.object({ code, name, note });
export const createTierInput = z.object({ code, name, slaMinutes, aliases: aliasList, note });
export const updateTierInput = z.object({ code, name, slaMinutes, note });
export const removeAliasInput = z.object({ kind: z.enum(["product", "tier"]), alias: z.string().trim().min(1).max(200), note });
export const addAliasInput = z.object({ kind: z.enum(["product", "tier"]), alias: z.string().trim().min(1, "enter the text to recognise").max(200), code, note });


/** Product taxonomy and tier registry with aliases and how many current records use each entry. */
export async function listReferenceData(db: Db, actor: Actor) {
  assertRole(actor, "admin");
  const [products, tiers, byProduct, byTier] = await Promise.all([
    db.product.findMany({ orderBy: { code: "asc" }, select: { code: true, name: true, updatedAt: true, aliases: { orderBy: { alias: "asc" }, select: { id: true, alias: true } } } }),
    db.serviceTier.findMany({ orderBy: { slaMinutes: "asc" }, select: { code: true, name: true, slaMinutes: true, updatedAt: true, aliases: { orderBy: { alias: "asc" }, select: { id: true, alias: true } } } }),
    db.case.groupBy({ by: ["productCode"], where: { currentVersion: { not: null } }, _count: { _all: true } }),
    db.case.groupBy({ by: ["tier"], where: { currentVersion: { not: null } }, _count: { _all: true } }),
  ]);
  const productCount = new Map(byProduct.map((r) => [r.productCode, r._count._all]));
  const tierCount = new Map(byTier.map((r) => [r.tier, r._count._all]));
  return {
    products: products.map((p) => ({ ...p, records: productCount.get(p.code) ?? 0 })),
    tiers: tiers.map((t) => ({ ...t, records: tierCount.get(t.code) ?? 0 })),
  };
}

async function addAliases(tx: Tx, kind: "product" | "tier", targetCode: string, texts: string[]): Promise<string[]> {
  const added: string[] = [];
  for (const alias of [...new Set(texts.map(normaliseAlias))]) {
    const existing =
      kind === "product"
        ? (await tx.productAlias.findUnique({ where: { alias }, select: { productCode: true } }))?.productCode
        : (await tx.tierAlias.findUnique({ where: { alias }, select: { tierCode: true } }))?.tierCode;
    if (existing === targetCode) continue;
    if (existing) throw new AppError("CONFLICT", `"${alias}" already normalises to ${kind} ${existing}; remove that alias first`);
    if (kind === "product") await tx.productAlias.create({ data: { id: newId("pal"), alias, productCode: targetCode } });
    else await tx.tierAlias.create({ data: { id: newId("tal"), alias, tierCode: targetCode } });
    added.push(alias);
  }
  return added;
}

export interface ReferenceEditResult {
  jobId: string;
}

type AuditEntry = Parameters<typeof audit>[2];

interface ReferenceChange {
  /** The job's label, as the jobs screen shows it. */
  label: string;
  /** Which current records the change can affect: they re-materialise in the job. */
  scope: ReferenceScope;
  /** The audit entry; the job's id is added to its `after`. */
  audit: AuditEntry & { after?: Record<string, unknown> };
}

/**
 * Every reference edit: in one transaction the change itself, a job that re-materialises the
 * affected records, and the audit entry naming that job; then the reference cache is dropped.
 */
async function editReference(ctx: EngineContext, actor: Actor, change: (tx: Tx) => Promise<ReferenceChange>): Promise<ReferenceEditResult> {
  const jobId = await ctx.db.$transaction(async (tx) => {
    const c = await change(tx);
    const job = await enqueueJob(tx, actor, "reference_change", { label: c.label, scope: c.scope });
    await audit(tx, actor, { ...c.audit, after: { ...c.audit.after, jobId: job } });
    return job;
  });
  ctx.reference.invalidate();
  return { jobId };
}

/** A new canonical product; its code, name and aliases normalise to it from now on, and cases using them refresh. */
export async function createProduct(ctx: EngineContext, actor: Actor, raw: z.input<typeof createProductInput>): Promise<ReferenceEditResult> {
  assertRole(actor, "admin");
  const input = createProductInput.parse(raw);
  return editReference(ctx, actor, async (tx) => {
    if (await tx.product.findUnique({ where: { code: input.code }, select: { code: true } })) throw new AppError("CONFLICT", `product ${input.code} exists already`);
    await tx.product.create({ data: { code: input.code, name: input.name } });
    const aliases = await addAliases(tx, "product", input.code, [input.code, input.name, ...input.aliases]);
    return {
      label: `Add product ${input.code} (${input.name})`,
      scope: { productTexts: aliases, productCodes: [input.code] },
      audit: { action: "reference.product.create", targetType: "product", targetId: input.code, after: { code: input.code, name: input.name, aliases }, note: input.note },
    };
  });
}

export async function updateProduct(ctx: EngineContext, actor: Actor, raw: z.input<typeof updateProductInput>): Promise<ReferenceEditResult> {
  assertRole(actor, "admin");
  const input = updateProductInput.parse(raw);
  return editReference(ctx, actor, async (tx) => {
    const before = await tx.product.findUnique({ where: { code: input.code }, select: { name: true } });
    if (!before) throw new AppError("NOT_FOUND", `no product ${input.code}`);
    if (before.name === input.name) throw new AppError("BAD_REQUEST", `product ${input.code} is already named ${input.name}`);
    await tx.product.update({ where: { code: input.code }, data: { name: input.name } });
    return {
      label: `Rename product ${input.code} to ${input.name}`,
      scope: { productCodes: [input.code] },
      audit: { action: "reference.product.update", targetType: "product", targetId: input.code, before, after: { name: input.name }, note: input.note },
    };
  });
}

export async function createTier(ctx: EngineContext, actor: Actor, raw: z.input<typeof createTierInput>): Promise<ReferenceEditResult> {
  assertRole(actor, "admin");
  const input = createTierInput.parse(raw);
  return editReference(ctx, actor, async (tx) => {
    if (await tx.serviceTier.findUnique({ where: { code: input.code }, select: { code: true } })) throw new AppError("CONFLICT", `tier ${input.code} exists already`);
    await tx.serviceTier.create({ data: { code: input.code, name: input.name, slaMinutes: input.slaMinutes } });
    const aliases = await addAliases(tx, "tier", input.code, [input.code, input.name, ...input.aliases]);
    return {
      label: `Add tier ${input.code} (${input.name}, ${input.slaMinutes} min SLA)`,
      scope: { tierTexts: aliases, tierCodes: [input.code] },
      audit: { action: "reference.tier.create", targetType: "service_tier", targetId: input.code, after: { code: input.code, name: input.name, slaMinutes: input.slaMinutes, aliases }, note: input.note },
    };
  });
}

/** Name and SLA minutes of a tier; every record on that tier re-materialises with the new SLA. */
export async function updateTier(ctx: EngineContext, actor: Actor, raw: z.input<typeof updateTierInput>): Promise<ReferenceEditResult> {
  assertRole(actor, "admin");
  const input = updateTierInput.parse(raw);
  return editReference(ctx, actor, async (tx) => {
    const before = await tx.serviceTier.findUnique({ where: { code: input.code }, select: { name: true, slaMinutes: true } });
    if (!before) throw new AppError("NOT_FOUND", `no tier ${input.code}`);
    if (before.name === input.name && before.slaMinutes === input.slaMinutes) throw new AppError("BAD_REQUEST", `tier ${input.code} already has that name and SLA`);
    await tx.serviceTier.update({ where: { code: input.code }, data: { name: input.name, slaMinutes: input.slaMinutes } });
    return {
      label: `Change tier ${input.code}: ${input.name}, ${input.slaMinutes} min SLA`,
      scope: { tierCodes: [input.code] },
      audit: { action: "reference.tier.update", targetType: "service_tier", targetId: input.code, before, after: { name: input.name, slaMinutes: input.slaMinutes }, note: input.note },
    };
  });
}

/** Text that no longer normalises: cases using it refresh (and open SCHEMA_INVALID or ENTITLEMENT_INCONSISTENT if nothing else matches). */
export async function removeAlias(ctx: EngineContext, actor: Actor, raw: z.input<typeof removeAliasInput>): Promise<ReferenceEditResult> {
  assertRole(actor, "admin");
  const input = removeAliasInput.parse(raw);
  const alias = normaliseAlias(input.alias);
  return editReference(ctx, actor, async (tx) => {
    const row =
      input.kind === "product"
        ? await tx.productAlias.findUnique({ where: { alias }, select: { id: true, productCode: true } }).then((r) => r && { id: r.id, code: r.productCode })
        : await tx.tierAlias.findUnique({ where: { alias }, select: { id: true, tierCode: true } }).then((r) => r && { id: r.id, code: r.tierCode });
    if (!row) throw new AppError("NOT_FOUND", `no ${input.kind} alias "${alias}"`);
    if (alias === row.code) throw new AppError("BAD_REQUEST", `"${alias}" is the ${input.kind}'s own code; it always normalises`);
    if (input.kind === "product") await tx.productAlias.delete({ where: { id: row.id } });
    else await tx.tierAlias.delete({ where: { id: row.id } });
    return {
      label: `Remove ${input.kind} alias "${alias}" (was ${row.code})`,
      scope: input.kind === "product" ? { productTexts: [alias] } : { tierTexts: [alias] },
      audit: {
        action: `reference.${input.kind}_alias.remove`,
        targetType: input.kind === "product" ? "product" : "service_tier",
        targetId: row.code,
        before: { alias, code: row.code },
        note: input.note,
      },
    };
  });
}

/** Adding an alias is the reference engineer's addReferenceAlias: it re-materialises the affected cases as its own Job. */
export async function addAlias(ctx: EngineContext, actor: Actor, raw: z.input<typeof addAliasInput>): Promise<Pick<AliasChange, "jobId" | "alias" | "code" | "affectedCases">> {
  assertRole(actor, "admin");
  const input = addAliasInput.parse(raw);
  const made = await addReferenceAlias(ctx, actor, input);
  return { jobId: made.jobId, alias: made.alias, code: made.code, affectedCases: made.affectedCases };
}
