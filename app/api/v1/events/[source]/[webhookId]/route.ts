import { readRoute } from "@/server/api/read-route";
import { getEventStatus } from "@/server/api/read-api";

export const dynamic = "force-dynamic";

export const GET = readRoute<{ source: string; webhookId: string }>((db, p) => getEventStatus(db, p.source, decodeURIComponent(p.webhookId)));
