import { readRoute } from "@/server/api/read-route";
import { parseChangesQuery, readChanges } from "@/server/feed/read-changes";

export const dynamic = "force-dynamic";

// /api/v1/changes?after=<cursor>&limit=<1..1000>&wait=<0..30 s>; a client that hangs up ends its wait.
export const GET = readRoute((db, url, req) => readChanges(db, parseChangesQuery(url.searchParams), req.signal));
