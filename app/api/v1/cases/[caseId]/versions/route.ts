import { pathSegment, readRoute } from "@/server/api/read-route";
import { listVersions } from "@/server/api/read-api";

export const dynamic = "force-dynamic";

// /api/v1/cases/{caseId}/versions
export const GET = readRoute((db, url) => listVersions(db, pathSegment(url, 4)));
