import { ensureFirstAdmin } from "@/server/auth/bootstrap";
import { secureCookies, sessionCookie } from "@/server/auth/cookies";
import { mediaType } from "@/server/auth/csrf";
import { requestMeta } from "@/server/auth/request-meta";
import { signIn } from "@/server/auth/sign-in";
import { AppError } from "@/server/lib/errors";
import { jsonResponse, route } from "@/server/lib/http";
import { getRuntime } from "@/server/runtime";

export const dynamic = "force-dynamic";

/** POST { email, password } → 200 { user } with a fresh HttpOnly session cookie. */
export const POST = route(async (req: Request) => {
  if (mediaType(req.headers) !== "application/json") throw new AppError("UNSUPPORTED_MEDIA_TYPE", "Send credentials as application/json.");
  const rt = await getRuntime();
  await ensureFirstAdmin(rt.db);
  const body: unknown = await req.json().catch(() => {
    throw new AppError("BAD_REQUEST", "The request body is not valid JSON.");
  });
  const result = await signIn(rt.db, body, requestMeta(req));
  return jsonResponse(200, { user: result.user }, { "set-cookie": sessionCookie(result.token, result.expiresAt, secureCookies(req.url, req.headers)) });
});
