import type { Db } from "../db/client";
import { AppError } from "../lib/errors";
import type { ReferenceCache } from "../reference/load-reference";
import { fieldOptions, overrideSpecOf } from "../refresh/override-fields";
import { getAt } from "../../shared/pointer";
import type { RuleHit } from "../refresh/types";
import { disputedPaths } from "./disputed-paths";

export interface OverrideField {
  path: string;
  /** The held candidate's value (null when it has none). */
  value: string | number | boolean | null;
  /** enum: one of `options`; tier / product: a code of `options` (aliases are accepted too); text: free text. */
  kind: "enum" | "text" | "tier" | "product";
  options: { value: string; label: string }[];
}

/**
 * What the override form offers: exactly the fields the exception disputes (the only ones an
 * override may set), each with its choices, so the form cannot propose a value the server refuses
 * for its type.
 */
export async function listOverrideFields(ctx: { db: Db; reference: ReferenceCache }, id: string): Promise<OverrideField[]> {
  const exc = await ctx.db.caseException.findUnique({ where: { id }, select: { caseId: true, candidateVersion: true, detail: true } });
  if (!exc) throw new AppError("NOT_FOUND", `exception ${id} does not exist`);
  const hits = ((exc.detail as { hits?: RuleHit[] } | null)?.hits ?? []) as RuleHit[];
  const { ref } = await ctx.reference.get();
  const paths = disputedPaths(hits, ref);
  if (!paths.length) return [];
  const [held] = await Promise.all([
    exc.candidateVersion
      ? ctx.db.recordVersion.findUnique({ where: { caseId_version: { caseId: exc.caseId, version: exc.candidateVersion } }, select: { record: true } })
      : null,
  ]);
  const unique = <T extends { code: string; name: string }>(items: Iterable<T>) =>
    [...new Map([...items].map((x) => [x.code, { value: x.code, label: `${x.name} (${x.code})` }])).values()].sort((a, b) => a.value.localeCompare(b.value));
  return paths.map((path) => {
    const spec = overrideSpecOf(path, ref)!;
    const raw = getAt(held?.record, path);
    const value = typeof raw === "string" || typeof raw === "number" || typeof raw === "boolean" ? raw : null;
    if (spec.kind === "tier") return { path, value, kind: "tier" as const, options: unique(ref.tiers.values()) };
    if (spec.kind === "product") return { path, value, kind: "product" as const, options: unique(ref.products.values()) };
    const options = fieldOptions(path, ref);
    return options ? { path, value, kind: "enum" as const, options: options.map((o) => ({ value: o, label: o })) } : { path, value, kind: "text" as const, options: [] };
  });
}
