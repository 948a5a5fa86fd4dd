import { DERIVED_FIELDS, overrideSpecOf } from "../refresh/override-fields";
import type { ReferenceData, RuleHit } from "../refresh/types";

const pointerOf = (field: string) => "/" + field.split(".").join("/");

/**
 * The fields an exception disputes, the only ones an override may set (docs/domain.md): the field each hit
 * names; for a tier mismatch both sides (the ticket's declared tier and the entitlement tier); for
 * REVIEW_REQUIRED every path of its evidence. A derived field counts as the field it follows (the
 * product name and area as /case/product, the tier name and SLA minutes as /entitlement/tier).
 * Lists (incidents, artifacts, approved logs, notes) and identities are never overridable, so
 * DIAGNOSTIC_CORRUPTED, UNAPPROVED_EVIDENCE and CASE_BOUNDARY_CONFLICT dispute no single field.
 * A field the active schema version added is disputed by the SCHEMA_INVALID hit that names it.
 */
export function disputedPaths(hits: RuleHit[], ref: ReferenceData): string[] {
  const out = new Set<string>();
  for (const h of hits) {
    const paths = [pointerOf(h.field)];
    if (h.rule === "ENTITLEMENT_INCONSISTENT" && h.fingerprint.startsWith("mismatch:")) paths.push("/case/declaredTier");
    if (h.rule === "REVIEW_REQUIRED") paths.push(...h.evidence.map((e) => e.label).filter((l) => l.startsWith("/")));
    for (const p of paths) {
      const field = DERIVED_FIELDS.get(p) ?? p;
      if (overrideSpecOf(field, ref)) out.add(field);
    }
  }
  return [...out].sort();
}
