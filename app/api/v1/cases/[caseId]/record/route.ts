import { readRoute } from "@/server/api/read-route";
import { getCurrentRecord } from "@/server/api/read-api";

export const dynamic = "force-dynamic";

export const GET = readRoute<{ caseId: string }>((db, p) => getCurrentRecord(db, decodeURIComponent(p.caseId)));
