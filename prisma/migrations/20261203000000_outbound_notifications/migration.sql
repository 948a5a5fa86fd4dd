-- Outbound notifications (docs/change-feed.md, "Outbound notifications"): endpoints an admin
-- registers, one delivery per feed change and endpoint, and every attempt of each delivery.
-- Deliveries are driven by the change feed: an endpoint's "cursor" is the feed position up to which
-- every change has a delivery row (or was left out by the endpoint's filter), so nothing is missed
-- across restarts, and refreshes never wait for a downstream endpoint.
CREATE TYPE "OutboundDeliveryKind" AS ENUM ('change', 'test');
CREATE TYPE "OutboundDeliveryStatus" AS ENUM ('pending', 'succeeded', 'failed');

CREATE TABLE "OutboundEndpoint" (
    "id" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "secretSealed" TEXT NOT NULL,
    "secretHint" TEXT NOT NULL,
    "previousSecretSealed" TEXT,
    "previousSecretExpiresAt" TIMESTAMP(3),
    "causes" "DeltaCause"[],
    "caseIdPrefix" TEXT,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "autoDisabled" BOOLEAN NOT NULL DEFAULT false,
    "disabledReason" TEXT,
    "disabledAt" TIMESTAMP(3),
    "noticeDismissedAt" TIMESTAMP(3),
    "cursor" BIGINT NOT NULL DEFAULT 0,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedUntil" TIMESTAMP(3),
    "consecutiveFailures" INTEGER NOT NULL DEFAULT 0,
    "failingSince" TIMESTAMP(3),
    "lastSuccessAt" TIMESTAMP(3),
    "lastFailureAt" TIMESTAMP(3),
    "lastError" TEXT,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "OutboundEndpoint_pkey" PRIMARY KEY ("id")
);

-- The worker's claim: enabled endpoints by when they are due (the table holds what admins register).
CREATE INDEX "OutboundEndpoint_due_idx" ON "OutboundEndpoint"("nextAttemptAt") WHERE "enabled";

CREATE TABLE "OutboundDelivery" (
    "id" TEXT NOT NULL,
    "endpointId" TEXT NOT NULL,
    "kind" "OutboundDeliveryKind" NOT NULL DEFAULT 'change',
    "position" BIGINT,
    "caseId" TEXT,
    "eventType" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "status" "OutboundDeliveryStatus" NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastStatusCode" INTEGER,
    "lastError" TEXT,
    "nextAttemptAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deliveredAt" TIMESTAMP(3),

    CONSTRAINT "OutboundDelivery_pkey" PRIMARY KEY ("id")
);

-- One delivery per change and endpoint, whichever process creates it (test deliveries have no position).
CREATE UNIQUE INDEX "OutboundDelivery_endpointId_position_key" ON "OutboundDelivery"("endpointId", "position");
-- The delivery log, newest first, keyset-paged.
CREATE INDEX "OutboundDelivery_endpointId_createdAt_id_idx" ON "OutboundDelivery"("endpointId", "createdAt", "id");
-- An endpoint's deliveries still to send, in feed order.
CREATE INDEX "OutboundDelivery_pending_idx" ON "OutboundDelivery"("endpointId", "position") WHERE "status" = 'pending';

ALTER TABLE "OutboundDelivery" ADD CONSTRAINT "OutboundDelivery_endpointId_fkey" FOREIGN KEY ("endpointId") REFERENCES "OutboundEndpoint"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "OutboundAttempt" (
    "id" TEXT NOT NULL,
    "deliveryId" TEXT NOT NULL,
    "number" INTEGER NOT NULL,
    "manual" BOOLEAN NOT NULL DEFAULT false,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "statusCode" INTEGER,
    "error" TEXT,
    "responseSnippet" TEXT,
    "durationMs" INTEGER NOT NULL,

    CONSTRAINT "OutboundAttempt_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "OutboundAttempt_deliveryId_number_idx" ON "OutboundAttempt"("deliveryId", "number");

ALTER TABLE "OutboundAttempt" ADD CONSTRAINT "OutboundAttempt_deliveryId_fkey" FOREIGN KEY ("deliveryId") REFERENCES "OutboundDelivery"("id") ON DELETE CASCADE ON UPDATE CASCADE;
