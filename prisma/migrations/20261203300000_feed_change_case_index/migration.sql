-- A case's feed rows in the order they became current: the record page's timeline, the as-of view
-- (docs/api.md, "Current record", asOf) and the versions list read them by case, never the whole feed.
CREATE INDEX "FeedChange_caseId_at_seq_idx" ON "FeedChange"("caseId", "at", "seq");
