import { pathSegment, readRoute } from "@/server/api/read-route";
import { getEventStatus } from "@/server/api/read-api";

export const dynamic = "force-dynamic";

// /api/v1/events/{source}/{webhookId}
export const GET = readRoute((db, url) => getEventStatus(db, pathSegment(url, 4), pathSegment(url, 5)));
