export const RULE_LABEL: Record<string, string> = {
  SEVERITY_CONFLICT: "Severity conflict",
  ENTITLEMENT_INCONSISTENT: "Entitlement inconsistent",
  DIAGNOSTIC_CORRUPTED: "Diagnostics corrupted",
  UNAPPROVED_EVIDENCE: "Unapproved evidence",
  CASE_BOUNDARY_CONFLICT: "Case boundary conflict",
  SCHEMA_INVALID: "Schema invalid",
  REVIEW_REQUIRED: "Review required",
  PROCESSING_FAILED: "Processing failed",
};

export const RULE_HINT: Record<string, string> = {
  SEVERITY_CONFLICT: "Ticket severity and an open linked incident are two or more levels apart.",
  ENTITLEMENT_INCONSISTENT: "Declared and entitled tiers differ, the tier is unknown, the entitlement is not active, or a correction has no reason.",
  DIAGNOSTIC_CORRUPTED: "A bundle or log failed integrity, has a malformed sha256, or is empty.",
  UNAPPROVED_EVIDENCE: "An upload that is not customer-approved would replace approved evidence.",
  CASE_BOUNDARY_CONFLICT: "A linked incident excludes the case's account, or no longer lists the case.",
  SCHEMA_INVALID: "A required field is missing, or a value could not be normalised.",
  REVIEW_REQUIRED: "A source changed a field whose overwrite policy is review.",
  PROCESSING_FAILED: "Refreshing the case kept failing.",
};

export const ruleLabel = (rule: string) => RULE_LABEL[rule] ?? rule;
