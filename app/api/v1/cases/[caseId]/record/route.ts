import { pathSegment, readRoute } from "@/server/api/read-route";
import { getCurrentRecord } from "@/server/api/read-api";
import { getRecordAsOf, parseAsOf } from "@/server/records/record-as-of";

export const dynamic = "force-dynamic";

// /api/v1/cases/{caseId}/record, and ?asOf=<ISO time> for the version current at that moment
export const GET = readRoute((db, url) => {
  const caseId = pathSegment(url, 4);
  const asOf = url.searchParams.get("asOf");
  return asOf === null ? getCurrentRecord(db, caseId) : getRecordAsOf(db, caseId, parseAsOf(asOf));
});
