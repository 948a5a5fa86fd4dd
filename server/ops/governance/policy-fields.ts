import type { SourceKind } from "../../intake/event-schemas";

/**
 * Overwrite-policy fields (pointer.ts fieldOf of every path a source kind writes) per source kind,
 * as build-candidate.ts materialises them. policy-fields.test.ts checks the list against real
 * candidates, so a field the engine starts writing cannot silently lack a policy row on screen.
 */
export const POLICY_FIELDS: Record<SourceKind, readonly string[]> = {
  ticketing: [
    "case.id",
    "case.accountId",
    "case.customerName",
    "case.subject",
    "case.status",
    "case.severity",
    "case.productArea",
    "case.product",
    "case.productName",
    "case.declaredTier",
    "reproduction.status",
    "reproduction.steps",
    "notes",
  ],
  entitlement: [
    "entitlement.accountId",
    "entitlement.tier",
    "entitlement.tierName",
    "entitlement.status",
    "entitlement.contractId",
    "entitlement.validUntil",
    "entitlement.slaMinutes",
    "entitlement.corrected",
    "entitlement.correctionReason",
  ],
  incident: ["incidents"],
  diagnostics: ["artifacts", "approvedLogs"],
  environment: [
    "environment.id",
    "environment.productVersion",
    "environment.deployment",
    "environment.os",
    "environment.region",
    "environment.capturedAt",
    "environment.components",
  ],
};

export const ALL_POLICY_FIELDS: readonly string[] = [...new Set(Object.values(POLICY_FIELDS).flat())];
