import { pathSegment, readRoute } from "@/server/api/read-route";
import { getVersion } from "@/server/api/read-api";
import { AppError } from "@/server/lib/errors";

export const dynamic = "force-dynamic";

// /api/v1/cases/{caseId}/versions/{n}
export const GET = readRoute((db, url) => {
  const n = pathSegment(url, 6);
  if (!/^[1-9]\d{0,8}$/.test(n)) throw new AppError("BAD_REQUEST", `version must be a positive integer, got "${n.slice(0, 50)}"`);
  return getVersion(db, pathSegment(url, 4), Number(n));
});
