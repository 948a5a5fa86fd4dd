import type { Tx } from "../db/client";
import { audit, type Actor } from "../lib/audit";
import { AppError } from "../lib/errors";
import { newId } from "../lib/ids";
import { DERIVED_FIELDS, normaliseOverride, overrideBasisPath, overrideSpecOf } from "../refresh/override-fields";
import { getAt } from "../../shared/pointer";
import { describePath, fieldToPath } from "../../shared/format";
import type { Json, LineageMap, ReferenceData, RuleHit } from "../refresh/types";
import { disputedPaths } from "./disputed-paths";

export interface ValidOverride {
  path: string;
  value: Json;
}

const ONE_FIELD = /^\/[A-Za-z][A-Za-z0-9]*\/[A-Za-z][A-Za-z0-9]*$/;

/**
 * docs/domain.md: an override may set only a field the exception disputes, with a value valid for that
 * field, normalised like source data. Everything else is a 400 naming the problem, raised before
 * anything is written, so the exception stays as it was.
 */
export function validateOverride(rule: string, hits: RuleHit[], path: unknown, value: unknown, ref: ReferenceData): ValidOverride {
  const disputed = disputedPaths(hits, ref);
  // Messages name fields by the labels the tables use ("Case › Severity"); paths stay in the API's fields.
  const label = (p: string) => describePath(p);
  const offer = disputed.length
    ? `it disputes ${disputed.map(label).join(", ")}`
    : `it disputes no single field (${hits[0]?.field ? label(fieldToPath(hits[0].field)) : rule}); approve or reject it instead`;
  if (typeof path !== "string" || !path.startsWith("/")) {
    throw new AppError("BAD_REQUEST", `path must be a JSON Pointer starting with "/", such as /case/severity (got ${JSON.stringify(path) ?? "nothing"}); ${offer}`);
  }
  if (!ONE_FIELD.test(path)) throw new AppError("BAD_REQUEST", `${label(path)} is not a field of the record that can be overridden; ${offer}`);
  if (!disputed.includes(path)) {
    const follows = DERIVED_FIELDS.get(path);
    if (follows && disputed.includes(follows)) throw new AppError("BAD_REQUEST", `${label(path)} follows ${label(follows)}: override ${label(follows)} and it is set with it`);
    const known = overrideSpecOf(path, ref) !== undefined || DERIVED_FIELDS.has(path);
    throw new AppError("BAD_REQUEST", `${label(path)} ${known ? "is not disputed by this exception" : "is not a field of the record that can be overridden"}; ${offer}`);
  }
  const normalised = normaliseOverride(path, value, ref);
  if (!normalised.ok) throw new AppError("BAD_REQUEST", normalised.message);
  return { path, value: normalised.value };
}

/**
 * Stores the override with the field's own source value at this moment: the value the reviewed
 * candidate has at the basis path (override-fields.ts), or, when an earlier override of the same
 * field stands there, the source value that one recorded. The override holds while the sources keep
 * giving that value (active-overrides.ts).
 */
export async function storeOverride(tx: Tx, actor: Actor, exc: { id: string; caseId: string; candidateVersion: number | null }, o: ValidOverride, note: string): Promise<void> {
  const { caseId } = exc;
  const held = exc.candidateVersion
    ? await tx.recordVersion.findUnique({ where: { caseId_version: { caseId, version: exc.candidateVersion } }, select: { lineage: true, record: true } })
    : null;
  const lineage = (held?.lineage ?? {}) as unknown as LineageMap;
  const basisPath = overrideBasisPath(o.path);
  const basisLineage = lineage[basisPath];
  const earlier = await tx.fieldOverride.findFirst({ where: { caseId, path: o.path, active: true }, orderBy: { createdAt: "desc" }, select: { sourceValue: true } });
  const heldValue = getAt(held?.record, basisPath) as Json | undefined;
  const sourceValue =
    basisLineage?.source === "manual_override" && earlier?.sourceValue ? (earlier.sourceValue as { value?: Json }) : heldValue === undefined ? {} : { value: heldValue };
  const basis = basisLineage && basisLineage.source !== "manual_override"
    ? await tx.sourceEntity.findFirst({ where: { entityId: basisLineage.entityId, source: { name: basisLineage.source } }, select: { id: true } })
    : null;
  await tx.fieldOverride.updateMany({ where: { caseId, path: o.path, active: true }, data: { active: false } });
  await tx.fieldOverride.create({
    data: {
      id: newId("ovr"),
      caseId,
      path: o.path,
      value: o.value as never,
      sourceValue: sourceValue as never,
      basisEntityId: basis?.id ?? null,
      basisVersion: basisLineage?.entityVersion ?? null,
      exceptionId: exc.id,
      userId: actor.id,
      note,
    },
  });
  await audit(tx, actor, {
    action: "record.override",
    targetType: "case",
    targetId: caseId,
    before: { path: o.path, value: (getAt(held?.record, o.path) as Json | undefined) ?? null, sourceValue: sourceValue.value ?? null },
    after: { path: o.path, value: o.value },
    note,
  });
}
