import { readRoute } from "@/server/api/read-route";
import { listVersions } from "@/server/api/read-api";

export const dynamic = "force-dynamic";

export const GET = readRoute<{ caseId: string }>((db, p) => listVersions(db, decodeURIComponent(p.caseId)));
