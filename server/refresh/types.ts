import type { Json, Lineage } from "../../shared/lineage";
import type { SchemaField } from "../reference/defaults";
import type { DiagnosticsData, EntitlementData, EnvironmentData, IncidentData, SourceKind, TicketData } from "../intake/event-schemas";

export type { Json, Lineage } from "../../shared/lineage";

export type LineageMap = Record<string, Lineage>;

export interface EntityState<T> {
  sourceId: string;
  sourceName: string;
  sourceKind: SourceKind;
  /** SourceEntity row id. */
  rowId: string;
  entityKind: string;
  entityId: string;
  version: number;
  eventId: string;
  webhookId: string;
  occurredAt: string;
  receivedAt: string;
  data: T;
}

export interface CaseInputs {
  caseId: string;
  tickets: EntityState<TicketData>[];
  entitlement: EntityState<EntitlementData> | null;
  incidents: EntityState<IncidentData>[];
  bundles: EntityState<DiagnosticsData>[];
  environment: EntityState<EnvironmentData> | null;
}

export interface ReferenceData {
  products: Map<string, { code: string; name: string }>;
  tiers: Map<string, { code: string; name: string; slaMinutes: number }>;
  /** The active escalation schema: required flags, and the fields it added (reference/schema-fields.ts). */
  schema: { version: number; fields: SchemaField[] };
}

export interface OverrideSpec {
  id: string;
  path: string;
  value: unknown;
  exceptionId: string;
  createdAt: string;
  /** The specialist's name and note, shown in lineage and summaries. */
  by?: string;
  note?: string;
  /** Lapsed in this refresh: the value is not applied, the source leaves' lineage says it lapsed. */
  lapsed?: boolean;
}

export type RecordDoc = { [section: string]: Json };

export interface Candidate {
  record: RecordDoc;
  lineage: LineageMap;
  /** Values that could not be normalised (SCHEMA_INVALID). */
  problems: { field: string; message: string; lineage: Lineage | null }[];
  /** The entity states folded in, by "sourceName/entityId". */
  entities: Map<string, EntityState<unknown>>;
  /** Event ids whose state is in the candidate. */
  eventIds: string[];
}

export const RULES = [
  "SEVERITY_CONFLICT",
  "ENTITLEMENT_INCONSISTENT",
  "DIAGNOSTIC_CORRUPTED",
  "UNAPPROVED_EVIDENCE",
  "CASE_BOUNDARY_CONFLICT",
  "SCHEMA_INVALID",
  "REVIEW_REQUIRED",
] as const;
export type Rule = (typeof RULES)[number];

export interface EvidenceItem {
  label: string;
  value: Json;
  lineage: Lineage | null;
}

export interface RuleHit {
  rule: Rule;
  /** Stable text of the conflicting evidence: an approval covers exactly this. */
  fingerprint: string;
  message: string;
  field: string;
  sourceName: string | null;
  evidence: EvidenceItem[];
  /** Entities whose events a rejection quarantines: "sourceName/entityId". */
  entities: string[];
}

import type { Cause } from "../../shared/causes";
export { CAUSES, type Cause } from "../../shared/causes";

export interface DeltaItem {
  path: string;
  before: Json | null;
  after: Json | null;
  cause: Cause;
  lineage: Lineage;
}

export const entityKey = (sourceName: string, entityId: string) => `${sourceName}/${entityId}`;
