import { z } from "zod";
import { CAUSES } from "../../shared/causes";

/**
 * Every response body of docs/api.md as a zod schema: the source of the OpenAPI document
 * (server/api/openapi.ts, served at /api/openapi.json) and what server/api/openapi.test.ts checks
 * live answers with. The webhook request bodies are server/intake/event-schemas.ts.
 *
 * Objects the contract closes are strict, so an answer that gains an undocumented property fails
 * the test. Open on purpose: the record's `case`, `entitlement`, `environment` and `reproduction`
 * (a schema version adds fields there, docs/domain.md "Fields a schema version adds"), an
 * exception's `detail` and the health `checks` (extensions add informational checks).
 */
const isoTime = z.iso.datetime({ offset: false }).describe("ISO 8601 UTC date-time");
const caseId = z.string().min(1).max(200);
const version = z.number().int().min(1);
const severity = z.enum(["S1", "S2", "S3", "S4"]);

export const EVENT_STATUSES = ["received", "applied", "held", "no_change", "stale", "waiting", "quarantined", "failed"] as const;
export const CASE_OUTCOMES = ["applied", "held", "no_change", "waiting", "quarantined"] as const;
export const VERSION_STATUSES = ["current", "superseded", "held", "rejected"] as const;
export const RULES = ["SEVERITY_CONFLICT", "ENTITLEMENT_INCONSISTENT", "DIAGNOSTIC_CORRUPTED", "UNAPPROVED_EVIDENCE", "CASE_BOUNDARY_CONFLICT", "SCHEMA_INVALID", "REVIEW_REQUIRED", "PROCESSING_FAILED"] as const;
export const EXCEPTION_STATUSES = ["open", "claimed", "resolved"] as const;

// ---- failures (docs/api.md "Rules for every route") ----

export const issue = z.strictObject({ path: z.string().describe("JSON Pointer into the input; \"\" for the input as a whole"), message: z.string() });
export const errorBody = z.strictObject({ error: z.string().min(1) });
export const badRequestBody = z.strictObject({ error: z.string().min(1), issues: z.array(issue) });
export const internalErrorBody = z.strictObject({ error: z.string().min(1), correlationId: z.string().regex(/^err_/) });

// ---- webhook answers ----

export const webhookAccepted = z.strictObject({ status: z.enum(["accepted", "stale"]), eventId: z.string().regex(/^evt_/) });
export const webhookDuplicate = z.strictObject({ status: z.literal("duplicate"), eventId: z.string().regex(/^evt_/) });

// ---- lineage (docs/api.md "Lineage") ----

export const lineageEntry = z.strictObject({
  source: z.string().min(1),
  entityKind: z.string().min(1),
  entityId: z.string().min(1),
  entityVersion: version,
  webhookId: z.string().min(1),
  occurredAt: isoTime,
  receivedAt: isoTime,
  approval: z.strictObject({ exceptionId: z.string(), by: z.string(), at: isoTime }).optional(),
  override: z.strictObject({ by: z.string(), note: z.string() }).optional(),
  overrideLapsed: z.strictObject({ exceptionId: z.string(), by: z.string(), value: z.unknown() }).optional(),
});
export const lineageMap = z.record(z.string().regex(/^\//), lineageEntry).describe("leaf and list-item JSON Pointers of `record` → where the value came from");

// ---- the record (docs/domain.md "The record") ----

const logPointer = z.strictObject({ name: z.string(), uri: z.string(), sha256: z.string(), sizeBytes: z.number().int().min(0) });
export const escalationRecord = z.strictObject({
  case: z.looseObject({
    id: caseId, accountId: z.string(), customerName: z.string(), subject: z.string(), status: z.string(), severity, productArea: z.string(),
    product: z.string().optional(), productName: z.string().optional(), declaredTier: z.string().optional(),
  }),
  entitlement: z
    .looseObject({
      accountId: z.string(), status: z.string(), contractId: z.string(), validUntil: z.string(), tier: z.string(),
      tierName: z.string().optional(), slaMinutes: z.number().optional(), corrected: z.literal(true).optional(), correctionReason: z.string().optional(),
    })
    .optional(),
  incidents: z.array(z.strictObject({ id: z.string(), title: z.string(), severity, status: z.string(), classification: z.string(), affectedAccounts: z.array(z.string()), caseIds: z.array(z.string()) })),
  environment: z
    .looseObject({ id: z.string(), productVersion: z.string(), deployment: z.string(), os: z.string(), region: z.string(), capturedAt: z.string(), components: z.array(z.strictObject({ name: z.string(), version: z.string() })) })
    .optional(),
  reproduction: z.looseObject({ status: z.string(), steps: z.string() }),
  artifacts: z.array(
    z.strictObject({
      bundleId: z.string(), uri: z.string(), sha256: z.string(), sizeBytes: z.number().int().min(0), integrity: z.enum(["ok", "failed"]),
      approval: z.strictObject({ status: z.enum(["customer_approved", "pending", "unapproved"]), by: z.string().optional(), at: z.string().optional() }),
      supersedes: z.string().optional(), logs: z.array(logPointer),
    }),
  ),
  approvedLogs: z.array(logPointer.extend({ bundleId: z.string() })),
  notes: z.array(z.strictObject({ id: z.string(), author: z.string(), body: z.string(), at: z.string() })),
});

// ---- read API (docs/api.md "Read API") ----

export const eventStatus = z.strictObject({
  eventId: z.string().regex(/^evt_/),
  status: z.enum(EVENT_STATUSES),
  caseIds: z.array(caseId),
  recordVersions: z.array(z.strictObject({ caseId, version })),
  cases: z.array(z.strictObject({ caseId, outcome: z.enum(CASE_OUTCOMES), version: version.nullable() })),
});

const evidence = z.looseObject({ label: z.string(), value: z.unknown(), lineage: lineageEntry.nullable().optional() });
export const exception = z.strictObject({
  id: z.string().regex(/^exc_/),
  caseId,
  rule: z.enum(RULES),
  status: z.enum(EXCEPTION_STATUSES),
  openedAt: isoTime,
  candidateVersion: version.nullable().describe("null for PROCESSING_FAILED"),
  detail: z.looseObject({
    message: z.string(),
    hits: z.array(
      z.looseObject({
        rule: z.enum(RULES), fingerprint: z.string(), message: z.string(), field: z.string(), sourceName: z.string(),
        evidence: z.array(evidence), entities: z.array(z.string()),
      }),
    ),
    eventId: z.string().optional().describe("PROCESSING_FAILED only"),
  }),
});
export const exceptionList = z.array(exception).describe("newest opened first");

export const currentRecord = z.strictObject({
  caseId,
  version,
  status: z.literal("current"),
  refreshedAt: isoTime,
  record: escalationRecord,
  lineage: lineageMap,
  openExceptions: z.array(exception),
});

const causes = z.array(z.enum(CAUSES));
export const versionSummary = z.strictObject({ version, status: z.enum(VERSION_STATUSES), createdAt: isoTime, summary: z.string(), causes });
export const versionList = z.array(versionSummary).min(1).describe("newest first");

export const deltaEntry = z.strictObject({ path: z.string(), before: z.unknown(), after: z.unknown(), cause: z.enum(CAUSES), lineage: lineageEntry });
export const oneVersion = z.strictObject({
  caseId,
  version,
  status: z.enum(VERSION_STATUSES),
  createdAt: isoTime,
  summary: z.string(),
  causes,
  record: escalationRecord,
  lineage: lineageMap,
  delta: z.array(deltaEntry),
});

// ---- change feed (docs/api.md "Change feed") ----

export const feedChange = z.strictObject({ cursor: z.string().min(1), caseId, version, previousVersion: version.nullable(), causes, summary: z.string(), at: isoTime });
export const changesPage = z.strictObject({ changes: z.array(feedChange), next: z.string().min(1) });

// ---- health (docs/api.md "Health") ----

export const healthAnonymous = z.strictObject({ status: z.enum(["ok", "degraded"]) });
export const healthDetailed = z.strictObject({
  ok: z.boolean(),
  status: z.enum(["ok", "degraded"]),
  startedAt: isoTime,
  checks: z.looseObject({
    database: z.looseObject({ ok: z.boolean(), kind: z.enum(["pglite", "postgres"]).optional(), error: z.string().optional() }),
    migrations: z.strictObject({ ok: z.boolean(), applied: z.number().int().min(0), pending: z.array(z.string()) }).optional(),
    worker: z.strictObject({ ok: z.boolean(), inProcess: z.boolean(), backlog: z.number().int().min(0), lagSeconds: z.number().min(0) }).optional(),
  }),
});
export const health = z.union([healthAnonymous, healthDetailed]);

/** Every named schema of the document (components.schemas), by the name the document gives it. */
export const responseSchemas = {
  Error: errorBody,
  BadRequest: badRequestBody,
  InternalError: internalErrorBody,
  Issue: issue,
  WebhookAccepted: webhookAccepted,
  WebhookDuplicate: webhookDuplicate,
  LineageEntry: lineageEntry,
  Lineage: lineageMap,
  EscalationRecord: escalationRecord,
  EventStatus: eventStatus,
  Exception: exception,
  ExceptionList: exceptionList,
  CurrentRecord: currentRecord,
  VersionSummary: versionSummary,
  VersionList: versionList,
  DeltaEntry: deltaEntry,
  Version: oneVersion,
  FeedChange: feedChange,
  ChangesPage: changesPage,
  HealthAnonymous: healthAnonymous,
  HealthDetailed: healthDetailed,
  Health: health,
} as const;
