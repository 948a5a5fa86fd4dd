-- A batch claims the due events of the cases it refreshes together (process-events.ts).
CREATE INDEX "WebhookEvent_status_caseId_idx" ON "WebhookEvent"("status", "caseId");

-- A refresh looks up the events its case keeps waiting or held (record-outcomes.ts) without
-- reading the case's whole history.
DROP INDEX "EventCase_caseId_idx";
CREATE INDEX "EventCase_caseId_outcome_idx" ON "EventCase"("caseId", "outcome");
