import { pathSegment, readRoute } from "@/server/api/read-route";
import { getCurrentRecord } from "@/server/api/read-api";

export const dynamic = "force-dynamic";

// /api/v1/cases/{caseId}/record
export const GET = readRoute((db, url) => getCurrentRecord(db, pathSegment(url, 4)));
