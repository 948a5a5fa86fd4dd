import { completeSetup, ensureFirstAdmin } from "@/server/auth/bootstrap";
import { mediaType } from "@/server/auth/csrf";
import { AppError } from "@/server/lib/errors";
import { jsonResponse, route } from "@/server/lib/http";
import { getRuntime } from "@/server/runtime";

export const dynamic = "force-dynamic";

/** One-time: POST { email, name, password } creates the first admin while no user exists; 409 afterwards. */
export const POST = route(async (req: Request) => {
  if (mediaType(req.headers) !== "application/json") throw new AppError("UNSUPPORTED_MEDIA_TYPE", "Send the first admin as application/json.");
  const rt = await getRuntime();
  await ensureFirstAdmin(rt.db);
  const body: unknown = await req.json().catch(() => {
    throw new AppError("BAD_REQUEST", "The request body is not valid JSON.");
  });
  const created = await completeSetup(rt.db, body);
  return jsonResponse(201, { ok: true, userId: created.id });
});
