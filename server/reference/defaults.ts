/** Default reference data of docs/domain.md, seeded into an empty database. */
export const DEFAULT_TIERS = [
  { code: "standard", name: "Standard", slaMinutes: 480, aliases: ["Standard Support", "STD", "basic"] },
  { code: "premium", name: "Premium", slaMinutes: 120, aliases: ["Premium Support", "PREM", "gold"] },
  { code: "enterprise", name: "Enterprise", slaMinutes: 30, aliases: ["Enterprise Support", "ENT", "platinum"] },
];

export const DEFAULT_PRODUCTS = [
  { code: "billing-api", name: "Billing API", aliases: ["billing-api", "payments/billing", "billing"] },
  { code: "checkout", name: "Checkout", aliases: ["checkout-web", "payments/checkout"] },
  { code: "identity", name: "Identity", aliases: ["sso", "auth", "identity/sso"] },
  { code: "data-export", name: "Data Export", aliases: ["export", "data-exports", "reporting/export"] },
];

/** Types a field added by a schema version can have (reference/schema-fields.ts converts values to them). */
export const FIELD_TYPES = ["string", "number", "boolean", "enum", "date"] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export interface SchemaField {
  path: string;
  required: boolean;
  /**
   * The rest is set only on a field a schema version added (the record never had it): its type
   * (with the allowed values of an enum), the source it comes from (by name) and the JSON Pointer
   * of its value in that source's `data`.
   */
  type?: FieldType;
  values?: string[];
  source?: string;
  pointer?: string;
}

/** Every field of the record; version 1 requires the case header and a normalised product. */
export const RECORD_FIELDS = [
  "case.id",
  "case.accountId",
  "case.customerName",
  "case.subject",
  "case.status",
  "case.severity",
  "case.product",
  "case.productName",
  "case.productArea",
  "case.declaredTier",
  "entitlement.tier",
  "entitlement.status",
  "entitlement.contractId",
  "entitlement.validUntil",
  "entitlement.slaMinutes",
  "incidents",
  "environment.id",
  "environment.productVersion",
  "environment.deployment",
  "environment.os",
  "environment.region",
  "environment.components",
  "reproduction.status",
  "reproduction.steps",
  "artifacts",
  "approvedLogs",
  "notes",
] as const;

const REQUIRED_V1 = new Set(["case.id", "case.accountId", "case.subject", "case.severity", "case.status", "case.product"]);

export const SCHEMA_V1: SchemaField[] = RECORD_FIELDS.map((path) => ({ path, required: REQUIRED_V1.has(path) }));

export const BUILT_IN_SOURCES = ["ticketing", "entitlement", "incident", "diagnostics", "environment"] as const;
