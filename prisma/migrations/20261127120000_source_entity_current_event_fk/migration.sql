-- An entity's current event must exist: intake stores the entity state and the event in one
-- statement, and this key makes a webhook-id collision in that statement fail as a whole.
ALTER TABLE "SourceEntity" ADD CONSTRAINT "SourceEntity_currentEventId_fkey" FOREIGN KEY ("currentEventId") REFERENCES "WebhookEvent"("id") ON DELETE SET NULL ON UPDATE CASCADE;
