-- A refresh reads the accounts and environments its case's tickets name by (kind, id)
-- (server/refresh/load-inputs.ts); the index on the kind alone made that a scan of every entity
-- of the kind.
DROP INDEX "SourceEntity_entityKind_idx";
CREATE INDEX "SourceEntity_entityKind_entityId_idx" ON "SourceEntity"("entityKind", "entityId");

-- The refresh queue is read oldest first: a partial index in that order lets a claim read the
-- few rows it takes instead of sorting the whole backlog (server/refresh/process-events.ts).
CREATE INDEX "WebhookEvent_received_seq_idx" ON "WebhookEvent"("seq") WHERE "status" = 'received';
