/**
 * What an endpoint receives (docs/change-feed.md, "Payload"): one JSON object per notification,
 * `{ type, timestamp, data }`, the Standard Webhooks shape. `record.changed` carries the change as
 * the feed gives it (GET /api/v1/changes), plus its feed cursor; `endpoint.test` is the test event.
 */
import { encodeCursor } from "../feed/feed-cursor";

export const RECORD_CHANGED = "record.changed";
export const ENDPOINT_TEST = "endpoint.test";

export interface FeedRow {
  position: string;
  caseId: string;
  version: number;
  previousVersion: number | null;
  causes: string[];
  summary: string;
  at: string;
}

export function changeBody(row: FeedRow): string {
  return JSON.stringify({
    type: RECORD_CHANGED,
    timestamp: row.at,
    data: {
      caseId: row.caseId,
      version: row.version,
      previousVersion: row.previousVersion,
      causes: row.causes,
      summary: row.summary,
      changedAt: row.at,
      cursor: encodeCursor(BigInt(row.position)),
      links: { record: `/api/v1/cases/${encodeURIComponent(row.caseId)}/record`, version: `/api/v1/cases/${encodeURIComponent(row.caseId)}/versions/${row.version}` },
    },
  });
}

export function testBody(endpointId: string, now: Date): string {
  return JSON.stringify({
    type: ENDPOINT_TEST,
    timestamp: now.toISOString(),
    data: { endpointId, message: "A test event from escalation-refresh: if you can verify this signature, the endpoint is set up." },
  });
}
