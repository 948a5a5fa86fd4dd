-- A case's own tickets and bundles are read by (caseId, entityKind) on every refresh
-- (server/refresh/sql/case-inputs.ts). With only SourceEntity(caseId) and
-- SourceEntity(entityKind, entityId), a generic plan made while the table was small (a refresh's
-- statements are prepared once per connection) combined the two in a BitmapAnd, and kept doing so
-- as bundles accumulated: every refresh then read every ticket and bundle entity of the database
-- (10,011 index entries, 172 ms, after 15 minutes of the soak benchmark). One index on both columns
-- is the cheapest plan however small or large the table, and serves the caseId-only look-ups too.
CREATE INDEX "SourceEntity_caseId_entityKind_idx" ON "SourceEntity"("caseId", "entityKind");
DROP INDEX "SourceEntity_caseId_idx";
