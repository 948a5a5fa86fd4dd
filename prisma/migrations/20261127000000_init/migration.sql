-- CreateEnum
CREATE TYPE "SourceKind" AS ENUM ('ticketing', 'entitlement', 'incident', 'diagnostics', 'environment');
CREATE TYPE "FieldPolicyMode" AS ENUM ('auto', 'review');
CREATE TYPE "EventStatus" AS ENUM ('received', 'applied', 'held', 'no_change', 'stale', 'waiting', 'quarantined', 'failed');
CREATE TYPE "VersionStatus" AS ENUM ('current', 'superseded', 'held', 'rejected');
CREATE TYPE "DeltaCause" AS ENUM ('diagnostics', 'entitlement_correction', 'incident_change', 'environment_refresh', 'ticket_update', 'routine_carry_forward', 'schema_change', 'manual_override');
CREATE TYPE "ConflictRule" AS ENUM ('SEVERITY_CONFLICT', 'ENTITLEMENT_INCONSISTENT', 'DIAGNOSTIC_CORRUPTED', 'UNAPPROVED_EVIDENCE', 'CASE_BOUNDARY_CONFLICT', 'SCHEMA_INVALID', 'REVIEW_REQUIRED', 'PROCESSING_FAILED');
CREATE TYPE "ExceptionStatus" AS ENUM ('open', 'claimed', 'resolved');
CREATE TYPE "ExceptionResolution" AS ENUM ('approve', 'reject', 'override', 'cleared');
CREATE TYPE "SchemaVersionStatus" AS ENUM ('draft', 'published', 'retired');
CREATE TYPE "Role" AS ENUM ('duty_manager', 'specialist', 'admin');
CREATE TYPE "JobKind" AS ENUM ('replay_case', 'replay_all', 'replay_window', 'schema_publish', 'reference_change');
CREATE TYPE "JobStatus" AS ENUM ('queued', 'running', 'succeeded', 'failed');

-- CreateTable
CREATE TABLE "Source" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "kind" "SourceKind" NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "builtIn" BOOLEAN NOT NULL DEFAULT false,
    "defaultPolicy" "FieldPolicyMode" NOT NULL DEFAULT 'review',
    "rateLimitPerSec" INTEGER NOT NULL DEFAULT 1000,
    "rateLimitBurst" INTEGER NOT NULL DEFAULT 5000,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "Source_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "SourceSecret" (
    "id" TEXT NOT NULL,
    "sourceId" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "cipherText" TEXT NOT NULL,
    "hint" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "SourceSecret_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "WebhookEvent" (
    "id" TEXT NOT NULL,
    "seq" BIGSERIAL NOT NULL,
    "sourceId" TEXT NOT NULL,
    "webhookId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "entityKind" TEXT NOT NULL,
    "entityId" TEXT NOT NULL,
    "entityVersion" INTEGER NOT NULL,
    "occurredAt" TIMESTAMP(3) NOT NULL,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "data" JSONB NOT NULL,
    "status" "EventStatus" NOT NULL DEFAULT 'received',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedUntil" TIMESTAMP(3),
    "lastError" TEXT,
    "processedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "WebhookEvent_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "EventCase" (
    "id" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "outcome" "EventStatus" NOT NULL,
    "recordVersion" INTEGER,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "EventCase_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Refusal" (
    "id" TEXT NOT NULL,
    "sourceName" TEXT NOT NULL,
    "httpStatus" INTEGER NOT NULL,
    "reason" TEXT NOT NULL,
    "issues" JSONB,
    "webhookId" TEXT,
    "remoteAddr" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Refusal_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "SourceEntity" (
    "id" TEXT NOT NULL,
    "sourceId" TEXT NOT NULL,
    "entityKind" TEXT NOT NULL,
    "entityId" TEXT NOT NULL,
    "maxVersion" INTEGER NOT NULL,
    "currentEventId" TEXT,
    "caseId" TEXT,
    "accountId" TEXT,
    "environmentId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "SourceEntity_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "EntityCaseLink" (
    "id" TEXT NOT NULL,
    "entityId" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "EntityCaseLink_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Case" (
    "id" TEXT NOT NULL,
    "accountId" TEXT,
    "customerName" TEXT,
    "subject" TEXT,
    "severity" TEXT,
    "status" TEXT,
    "productCode" TEXT,
    "tier" TEXT,
    "currentVersion" INTEGER,
    "lastVersion" INTEGER NOT NULL DEFAULT 0,
    "lastCauses" "DeltaCause"[],
    "lastSummary" TEXT,
    "lastRefreshedAt" TIMESTAMP(3),
    "openExceptionCount" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "Case_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "RecordVersion" (
    "id" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "status" "VersionStatus" NOT NULL,
    "isCurrent" BOOLEAN,
    "record" JSONB NOT NULL,
    "lineage" JSONB NOT NULL,
    "summary" TEXT NOT NULL,
    "causes" "DeltaCause"[],
    "basedOnVersion" INTEGER,
    "schemaVersion" INTEGER NOT NULL,
    "triggerEventId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "RecordVersion_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "DeltaEntry" (
    "id" TEXT NOT NULL,
    "versionId" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "before" JSONB,
    "after" JSONB,
    "cause" "DeltaCause" NOT NULL,
    "lineage" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "DeltaEntry_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "CaseException" (
    "id" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "rule" "ConflictRule" NOT NULL,
    "status" "ExceptionStatus" NOT NULL DEFAULT 'open',
    "liveKey" TEXT,
    "candidateVersion" INTEGER,
    "detail" JSONB NOT NULL,
    "sourceName" TEXT,
    "field" TEXT,
    "openedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "claimedById" TEXT,
    "claimedAt" TIMESTAMP(3),
    "resolvedById" TEXT,
    "resolvedAt" TIMESTAMP(3),
    "resolution" "ExceptionResolution",
    "resolutionNote" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "CaseException_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "ApprovedConflict" (
    "id" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "rule" "ConflictRule" NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "exceptionId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ApprovedConflict_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "FieldOverride" (
    "id" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "value" JSONB NOT NULL,
    "basisEntityId" TEXT,
    "basisVersion" INTEGER,
    "exceptionId" TEXT NOT NULL,
    "userId" TEXT,
    "note" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "FieldOverride_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "QuarantinedEvent" (
    "id" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "exceptionId" TEXT NOT NULL,
    "userId" TEXT,
    "note" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "QuarantinedEvent_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "AuditLog" (
    "id" TEXT NOT NULL,
    "actorId" TEXT,
    "actorLabel" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "targetType" TEXT NOT NULL,
    "targetId" TEXT NOT NULL,
    "before" JSONB,
    "after" JSONB,
    "note" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "AuditLog_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Product" (
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "Product_pkey" PRIMARY KEY ("code")
);

CREATE TABLE "ProductAlias" (
    "id" TEXT NOT NULL,
    "alias" TEXT NOT NULL,
    "productCode" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "ProductAlias_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "ServiceTier" (
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "slaMinutes" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "ServiceTier_pkey" PRIMARY KEY ("code")
);

CREATE TABLE "TierAlias" (
    "id" TEXT NOT NULL,
    "alias" TEXT NOT NULL,
    "tierCode" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "TierAlias_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "EscalationSchemaVersion" (
    "version" INTEGER NOT NULL,
    "status" "SchemaVersionStatus" NOT NULL DEFAULT 'draft',
    "fields" JSONB NOT NULL,
    "note" TEXT,
    "createdById" TEXT,
    "publishedById" TEXT,
    "publishedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "EscalationSchemaVersion_pkey" PRIMARY KEY ("version")
);

CREATE TABLE "FieldPolicy" (
    "id" TEXT NOT NULL,
    "sourceId" TEXT NOT NULL,
    "field" TEXT NOT NULL,
    "mode" "FieldPolicyMode" NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "FieldPolicy_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "failedLogins" INTEGER NOT NULL DEFAULT 0,
    "lockedUntil" TIMESTAMP(3),
    "disabledAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Session" (
    "id" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "revokedAt" TIMESTAMP(3),
    "ipAddress" TEXT,
    "userAgent" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "ApiToken" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "createdById" TEXT,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "ApiToken_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Job" (
    "id" TEXT NOT NULL,
    "kind" "JobKind" NOT NULL,
    "status" "JobStatus" NOT NULL DEFAULT 'queued',
    "params" JSONB NOT NULL,
    "total" INTEGER NOT NULL DEFAULT 0,
    "done" INTEGER NOT NULL DEFAULT 0,
    "result" JSONB,
    "error" TEXT,
    "createdBy" TEXT,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "Job_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Source_name_key" ON "Source"("name");
CREATE INDEX "SourceSecret_sourceId_idx" ON "SourceSecret"("sourceId");
CREATE UNIQUE INDEX "WebhookEvent_seq_key" ON "WebhookEvent"("seq");
CREATE INDEX "WebhookEvent_status_nextAttemptAt_idx" ON "WebhookEvent"("status", "nextAttemptAt");
CREATE INDEX "WebhookEvent_sourceId_entityId_entityVersion_idx" ON "WebhookEvent"("sourceId", "entityId", "entityVersion");
CREATE INDEX "WebhookEvent_caseId_idx" ON "WebhookEvent"("caseId");
CREATE INDEX "WebhookEvent_receivedAt_idx" ON "WebhookEvent"("receivedAt");
CREATE UNIQUE INDEX "WebhookEvent_sourceId_webhookId_key" ON "WebhookEvent"("sourceId", "webhookId");
CREATE INDEX "EventCase_caseId_idx" ON "EventCase"("caseId");
CREATE UNIQUE INDEX "EventCase_eventId_caseId_key" ON "EventCase"("eventId", "caseId");
CREATE INDEX "Refusal_createdAt_idx" ON "Refusal"("createdAt");
CREATE INDEX "Refusal_sourceName_createdAt_idx" ON "Refusal"("sourceName", "createdAt");
CREATE INDEX "SourceEntity_caseId_idx" ON "SourceEntity"("caseId");
CREATE INDEX "SourceEntity_accountId_idx" ON "SourceEntity"("accountId");
CREATE INDEX "SourceEntity_environmentId_idx" ON "SourceEntity"("environmentId");
CREATE INDEX "SourceEntity_entityKind_idx" ON "SourceEntity"("entityKind");
CREATE UNIQUE INDEX "SourceEntity_sourceId_entityId_key" ON "SourceEntity"("sourceId", "entityId");
CREATE INDEX "EntityCaseLink_caseId_idx" ON "EntityCaseLink"("caseId");
CREATE UNIQUE INDEX "EntityCaseLink_entityId_caseId_key" ON "EntityCaseLink"("entityId", "caseId");
CREATE INDEX "Case_accountId_idx" ON "Case"("accountId");
CREATE INDEX "Case_severity_idx" ON "Case"("severity");
CREATE INDEX "Case_tier_idx" ON "Case"("tier");
CREATE INDEX "Case_productCode_idx" ON "Case"("productCode");
CREATE INDEX "Case_status_idx" ON "Case"("status");
CREATE INDEX "Case_lastRefreshedAt_idx" ON "Case"("lastRefreshedAt");
CREATE INDEX "Case_openExceptionCount_idx" ON "Case"("openExceptionCount");
CREATE INDEX "RecordVersion_caseId_status_idx" ON "RecordVersion"("caseId", "status");
CREATE INDEX "RecordVersion_createdAt_idx" ON "RecordVersion"("createdAt");
CREATE UNIQUE INDEX "RecordVersion_caseId_version_key" ON "RecordVersion"("caseId", "version");
CREATE UNIQUE INDEX "RecordVersion_caseId_isCurrent_key" ON "RecordVersion"("caseId", "isCurrent");
CREATE INDEX "DeltaEntry_versionId_idx" ON "DeltaEntry"("versionId");
CREATE INDEX "DeltaEntry_caseId_path_idx" ON "DeltaEntry"("caseId", "path");
CREATE UNIQUE INDEX "CaseException_liveKey_key" ON "CaseException"("liveKey");
CREATE INDEX "CaseException_caseId_idx" ON "CaseException"("caseId");
CREATE INDEX "CaseException_status_rule_idx" ON "CaseException"("status", "rule");
CREATE INDEX "CaseException_claimedById_idx" ON "CaseException"("claimedById");
CREATE INDEX "CaseException_resolvedById_idx" ON "CaseException"("resolvedById");
CREATE INDEX "CaseException_openedAt_idx" ON "CaseException"("openedAt");
CREATE INDEX "ApprovedConflict_exceptionId_idx" ON "ApprovedConflict"("exceptionId");
CREATE UNIQUE INDEX "ApprovedConflict_caseId_rule_fingerprint_key" ON "ApprovedConflict"("caseId", "rule", "fingerprint");
CREATE INDEX "FieldOverride_caseId_active_idx" ON "FieldOverride"("caseId", "active");
CREATE INDEX "FieldOverride_exceptionId_idx" ON "FieldOverride"("exceptionId");
CREATE UNIQUE INDEX "QuarantinedEvent_eventId_key" ON "QuarantinedEvent"("eventId");
CREATE INDEX "QuarantinedEvent_exceptionId_idx" ON "QuarantinedEvent"("exceptionId");
CREATE INDEX "AuditLog_createdAt_idx" ON "AuditLog"("createdAt");
CREATE INDEX "AuditLog_targetType_targetId_idx" ON "AuditLog"("targetType", "targetId");
CREATE INDEX "AuditLog_actorId_idx" ON "AuditLog"("actorId");
CREATE UNIQUE INDEX "ProductAlias_alias_key" ON "ProductAlias"("alias");
CREATE INDEX "ProductAlias_productCode_idx" ON "ProductAlias"("productCode");
CREATE UNIQUE INDEX "TierAlias_alias_key" ON "TierAlias"("alias");
CREATE INDEX "TierAlias_tierCode_idx" ON "TierAlias"("tierCode");
CREATE INDEX "EscalationSchemaVersion_status_idx" ON "EscalationSchemaVersion"("status");
CREATE UNIQUE INDEX "FieldPolicy_sourceId_field_key" ON "FieldPolicy"("sourceId", "field");
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
CREATE UNIQUE INDEX "Session_tokenHash_key" ON "Session"("tokenHash");
CREATE INDEX "Session_userId_idx" ON "Session"("userId");
CREATE INDEX "Session_expiresAt_idx" ON "Session"("expiresAt");
CREATE UNIQUE INDEX "ApiToken_tokenHash_key" ON "ApiToken"("tokenHash");
CREATE INDEX "ApiToken_createdById_idx" ON "ApiToken"("createdById");
CREATE INDEX "Job_status_createdAt_idx" ON "Job"("status", "createdAt");

-- AddForeignKey
ALTER TABLE "SourceSecret" ADD CONSTRAINT "SourceSecret_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "Source"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "WebhookEvent" ADD CONSTRAINT "WebhookEvent_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "Source"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "EventCase" ADD CONSTRAINT "EventCase_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "WebhookEvent"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "SourceEntity" ADD CONSTRAINT "SourceEntity_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "Source"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "EntityCaseLink" ADD CONSTRAINT "EntityCaseLink_entityId_fkey" FOREIGN KEY ("entityId") REFERENCES "SourceEntity"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "RecordVersion" ADD CONSTRAINT "RecordVersion_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "DeltaEntry" ADD CONSTRAINT "DeltaEntry_versionId_fkey" FOREIGN KEY ("versionId") REFERENCES "RecordVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "CaseException" ADD CONSTRAINT "CaseException_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "CaseException" ADD CONSTRAINT "CaseException_claimedById_fkey" FOREIGN KEY ("claimedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "CaseException" ADD CONSTRAINT "CaseException_resolvedById_fkey" FOREIGN KEY ("resolvedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
ALTER TABLE "FieldOverride" ADD CONSTRAINT "FieldOverride_caseId_fkey" FOREIGN KEY ("caseId") REFERENCES "Case"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "QuarantinedEvent" ADD CONSTRAINT "QuarantinedEvent_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "WebhookEvent"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "ProductAlias" ADD CONSTRAINT "ProductAlias_productCode_fkey" FOREIGN KEY ("productCode") REFERENCES "Product"("code") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "TierAlias" ADD CONSTRAINT "TierAlias_tierCode_fkey" FOREIGN KEY ("tierCode") REFERENCES "ServiceTier"("code") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "FieldPolicy" ADD CONSTRAINT "FieldPolicy_sourceId_fkey" FOREIGN KEY ("sourceId") REFERENCES "Source"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Session" ADD CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "ApiToken" ADD CONSTRAINT "ApiToken_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
