import { readRoute } from "@/server/api/read-route";
import { getVersion } from "@/server/api/read-api";
import { AppError } from "@/server/lib/errors";

export const dynamic = "force-dynamic";

export const GET = readRoute<{ caseId: string; n: string }>((db, p) => {
  if (!/^[1-9]\d{0,8}$/.test(p.n)) throw new AppError("BAD_REQUEST", `version must be a positive integer, got "${p.n}"`);
  return getVersion(db, decodeURIComponent(p.caseId), Number(p.n));
});
