import { fieldOf } from "../../shared/pointer";
import type { RuleHit } from "../refresh/types";

/**
 * The record paths each rule of detect-conflicts.ts reads, so a reject can tell the offending
 * events (docs/domain.md: "the ones that changed a value the rule reads, relative to the current version")
 * from the innocent ones. Paths are the leaves one entity gives the record (entity-slice.ts); an
 * item appearing or disappearing shows as its leaves appearing or disappearing.
 *
 * - SEVERITY_CONFLICT: the case severity; each linked incident's severity and status (linking or
 *   unlinking an incident changes them too).
 * - ENTITLEMENT_INCONSISTENT: the declared tier and the account of the ticket (it picks the
 *   entitlement); the entitlement's tier (normalised), status, correction flag and reason.
 * - DIAGNOSTIC_CORRUPTED: each bundle's and log's integrity, sha256 and size.
 * - UNAPPROVED_EVIDENCE: each bundle's presence, approval status, `supersedes` and log names.
 * - CASE_BOUNDARY_CONFLICT: the case account; each linked incident's presence and affected accounts.
 * - SCHEMA_INVALID: the field it names (for case.product also the ticket's product area, which
 *   the product is normalised from).
 * - REVIEW_REQUIRED: the field under review.
 * A rule this list does not know reads every path (any change is offending: the cautious default).
 */
const READS: Record<string, (path: string, hit: RuleHit) => boolean> = {
  SEVERITY_CONFLICT: (p) => p === "/case/severity" || /^\/incidents\/\d+\/(severity|status)$/.test(p),
  ENTITLEMENT_INCONSISTENT: (p) => p === "/case/declaredTier" || p === "/case/accountId" || /^\/entitlement\/(tier|status|corrected|correctionReason)$/.test(p),
  DIAGNOSTIC_CORRUPTED: (p) => /^\/artifacts\/\d+\/(integrity|sha256|sizeBytes|logs\/\d+\/(sha256|sizeBytes))$/.test(p),
  UNAPPROVED_EVIDENCE: (p) => /^\/artifacts\/\d+\/(bundleId|supersedes|approval\/status|logs\/\d+\/name)$/.test(p),
  CASE_BOUNDARY_CONFLICT: (p) => p === "/case/accountId" || /^\/incidents\/\d+\/(id|affectedAccounts\/\d+)$/.test(p),
  SCHEMA_INVALID: (p, hit) => fieldOf(p) === hit.field || (hit.field === "case.product" && p === "/case/productArea"),
  REVIEW_REQUIRED: (p, hit) => fieldOf(p) === hit.field,
};

/** True when `after` differs from `before` (entity slices) in a value the hit's rule reads. */
export function changesWhatRuleReads(hit: RuleHit, before: Map<string, string>, after: Map<string, string>): boolean {
  const reads = READS[hit.rule] ?? (() => true);
  for (const path of new Set([...before.keys(), ...after.keys()])) {
    if (reads(path, hit) && before.get(path) !== after.get(path)) return true;
  }
  return false;
}
