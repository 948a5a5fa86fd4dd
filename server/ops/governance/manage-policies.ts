import { z } from "zod";
import { assertRole } from "../../auth/authorize";
import type { Db, Tx } from "../../db/client";
import type { SourceKind } from "../../intake/event-schemas";
import { reviewExceptionCases } from "../../exceptions/review-exception-cases";
import { audit, type Actor } from "../../lib/audit";
import { AppError } from "../../lib/errors";
import { newId } from "../../lib/ids";
import type { ReferenceCache } from "../../reference/load-reference";
import { enqueueJob } from "../jobs/jobs";
import { activeAddedFields, policyFieldsOf } from "./source-fields";

export const POLICY_MODES = ["auto", "review"] as const;
export type PolicyMode = (typeof POLICY_MODES)[number];

const note = z.string().trim().min(3, "say why, in a few words (at least 3 characters)").max(1000);
const sourceName = z.string().trim().min(1).max(100);

export const setFieldPoliciesInput = z.object({
  source: sourceName,
  fields: z.array(z.string().trim().min(1).max(200)).min(1, "choose at least one field").max(100),
  mode: z.enum(POLICY_MODES),
  note,
});
export type SetFieldPoliciesInput = z.input<typeof setFieldPoliciesInput>;

export const setDefaultPolicyInput = z.object({ source: sourceName, mode: z.enum(POLICY_MODES), note });
export type SetDefaultPolicyInput = z.input<typeof setDefaultPolicyInput>;

export interface PolicyContext {
  db: Db;
  reference: Pick<ReferenceCache, "invalidate">;
}

export interface FieldPolicyRow {
  field: string;
  mode: PolicyMode;
  /** false: the field follows the source's default policy. */
  explicit: boolean;
  updatedAt: Date | null;
}

/** Every source with the effective policy of each field it writes (explicit rows first-class, the rest from the default). */
export async function listPolicies(db: Db, actor: Actor) {
  assertRole(actor, "admin");
  const sources = await db.source.findMany({
    orderBy: [{ builtIn: "desc" }, { name: "asc" }],
    select: {
      id: true,
      name: true,
      kind: true,
      enabled: true,
      builtIn: true,
      defaultPolicy: true,
      policies: { select: { field: true, mode: true, updatedAt: true } },
    },
  });
  const history = await db.auditLog.findMany({
    where: { targetType: "source", action: { startsWith: "policy." } },
    orderBy: { createdAt: "desc" },
    take: 50,
    select: { id: true, targetId: true, action: true, actorLabel: true, before: true, after: true, note: true, createdAt: true },
  });
  const added = await activeAddedFields(db);
  return sources.map((s) => {
    const explicit = new Map(s.policies.map((p) => [p.field, p]));
    const known = policyFieldsOf(s, added);
    const fields: FieldPolicyRow[] = [...known, ...[...explicit.keys()].filter((f) => !known.includes(f)).sort()].map((field) => {
      const row = explicit.get(field);
      return { field, mode: row?.mode ?? s.defaultPolicy, explicit: !!row, updatedAt: row?.updatedAt ?? null };
    });
    return {
      id: s.id,
      name: s.name,
      kind: s.kind,
      enabled: s.enabled,
      builtIn: s.builtIn,
      defaultPolicy: s.defaultPolicy,
      fields,
      reviewCount: fields.filter((f) => f.mode === "review").length,
      history: history.filter((h) => h.targetId === s.id).slice(0, 15),
    };
  });
}

async function sourceFor(tx: Tx, name: string) {
  const source = await tx.source.findUnique({
    where: { name },
    select: { id: true, name: true, kind: true, defaultPolicy: true, policies: { select: { field: true, mode: true } } },
  });
  if (!source) throw new AppError("NOT_FOUND", `unknown source ${name}`);
  return source;
}

async function assertFieldsOf(tx: Tx, source: { kind: SourceKind; name: string }, fields: string[]): Promise<void> {
  const known = policyFieldsOf(source, await activeAddedFields(tx));
  const unknown = fields.filter((f) => !known.includes(f));
  if (unknown.length) {
    throw new AppError("BAD_REQUEST", `${source.name} is a ${source.kind} source and never writes ${unknown.join(", ")}; its fields are ${known.join(", ")}`);
  }
}

export interface PolicyChange {
  source: string;
  changed: { field: string; before: PolicyMode; after: PolicyMode }[];
  /** Fields that already had this mode explicitly: nothing written, nothing audited. */
  unchanged: string[];
  /** Set when the change widened a policy: the job re-evaluating the open review exceptions it affects. */
  jobId?: string;
}

/**
 * A widened policy re-evaluates, at once and as a job with progress, the open REVIEW_REQUIRED
 * exceptions it may settle (docs/domain.md, "Governance edits re-evaluate"); narrowing one only changes
 * what later refreshes hold, so it needs none.
 */
async function enqueueReevaluation(tx: Tx, actor: Actor, source: string, fields: string[]): Promise<string | undefined> {
  const affected = await reviewExceptionCases(tx, source, fields);
  if (!affected.length) return undefined;
  const label = `Re-evaluate open review exceptions of ${source} (${fields.length === 1 ? fields[0] : `${fields.length} fields`} now auto)`;
  return enqueueJob(tx, actor, "policy_change", { label, source, fields, cases: affected.length });
}

/**
 * Sets the overwrite policy of some fields of one source, one audit entry per field with the
 * effective mode before and after. The refresh engine reads policies through ReferenceCache, so
 * the next refresh in this process uses them at once (other processes within its 1 s TTL).
 */
export async function setFieldPolicies(ctx: PolicyContext, actor: Actor, raw: SetFieldPoliciesInput): Promise<PolicyChange> {
  assertRole(actor, "admin");
  const input = setFieldPoliciesInput.parse(raw);
  const fields = [...new Set(input.fields)];
  const result = await ctx.db.$transaction(async (tx) => {
    const source = await sourceFor(tx, input.source);
    await assertFieldsOf(tx, source, fields);
    const explicit = new Map(source.policies.map((p) => [p.field, p.mode]));
    const out: PolicyChange = { source: source.name, changed: [], unchanged: [] };
    for (const field of fields) {
      const had = explicit.get(field);
      if (had === input.mode) {
        out.unchanged.push(field);
        continue;
      }
      const before = had ?? source.defaultPolicy;
      await tx.fieldPolicy.upsert({
        where: { sourceId_field: { sourceId: source.id, field } },
        update: { mode: input.mode },
        create: { id: newId("fpo"), sourceId: source.id, field, mode: input.mode },
      });
      await audit(tx, actor, {
        action: "policy.set",
        targetType: "source",
        targetId: source.id,
        before: { source: source.name, field, mode: before, explicit: had !== undefined },
        after: { source: source.name, field, mode: input.mode, explicit: true },
        note: input.note,
      });
      out.changed.push({ field, before, after: input.mode });
    }
    const widened = out.changed.filter((c) => c.before === "review" && c.after === "auto").map((c) => c.field);
    const jobId = widened.length ? await enqueueReevaluation(tx, actor, source.name, widened) : undefined;
    if (jobId) out.jobId = jobId;
    return out;
  });
  if (result.changed.length) ctx.reference.invalidate();
  return result;
}

/** The policy of every field of a source without its own setting (a newly onboarded source starts at review). */
export async function setDefaultPolicy(
  ctx: PolicyContext,
  actor: Actor,
  raw: SetDefaultPolicyInput,
): Promise<{ source: string; before: PolicyMode; after: PolicyMode; changed: boolean; jobId?: string }> {
  assertRole(actor, "admin");
  const input = setDefaultPolicyInput.parse(raw);
  const result = await ctx.db.$transaction(async (tx) => {
    const source = await sourceFor(tx, input.source);
    if (source.defaultPolicy === input.mode) return { source: source.name, before: source.defaultPolicy, after: input.mode, changed: false };
    await tx.source.update({ where: { id: source.id }, data: { defaultPolicy: input.mode } });
    // Widening the default widens every field without its own setting.
    const explicit = new Set(source.policies.map((p) => p.field));
    const widened = input.mode === "auto" ? policyFieldsOf(source, await activeAddedFields(tx)).filter((f) => !explicit.has(f)) : [];
    const jobId = widened.length ? await enqueueReevaluation(tx, actor, source.name, widened) : undefined;
    await audit(tx, actor, {
      action: "policy.default",
      targetType: "source",
      targetId: source.id,
      before: { source: source.name, defaultPolicy: source.defaultPolicy },
      after: { source: source.name, defaultPolicy: input.mode, explicitFields: source.policies.length },
      note: input.note,
    });
    return { source: source.name, before: source.defaultPolicy, after: input.mode, changed: true, ...(jobId ? { jobId } : {}) };
  });
  if (result.changed) ctx.reference.invalidate();
  return result;
}
