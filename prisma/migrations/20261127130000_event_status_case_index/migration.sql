-- A batch claims the due events of the cases it refreshes together (process-events.ts).
CREATE INDEX "WebhookEvent_status_caseId_idx" ON "WebhookEvent"("status", "caseId");
