-- The change feed (GET /api/v1/changes): one row per change of a case's current version, written
-- in the refresh's own transaction with no position; after commit, one appender at a time gives
-- pending rows the next positions (server/feed/append-changes.ts), so positions become visible
-- in order and a reader's cursor can never pass a row that commits late.
CREATE TABLE "FeedChange" (
    "seq" BIGSERIAL NOT NULL,
    "position" BIGINT,
    "caseId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "previousVersion" INTEGER,
    "causes" "DeltaCause"[],
    "summary" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "FeedChange_pkey" PRIMARY KEY ("seq")
);

CREATE UNIQUE INDEX "FeedChange_position_key" ON "FeedChange"("position");

-- The appender's queue: rows still waiting for a position, in insert order.
CREATE INDEX "FeedChange_pending_idx" ON "FeedChange"("seq") WHERE "position" IS NULL;

-- Cases that were current before the feed existed: each current version once, oldest first, so a
-- consumer starting from the beginning learns every case's current version.
INSERT INTO "FeedChange" ("position", "caseId", "version", "previousVersion", "causes", "summary", "at")
SELECT row_number() OVER (ORDER BY v."updatedAt", v."caseId"), v."caseId", v."version", v."basedOnVersion", v."causes", v."summary", v."updatedAt"
FROM "RecordVersion" v WHERE v."isCurrent";
