import { clearedSessionCookie, secureCookies } from "@/server/auth/cookies";
import { getSessionUser } from "@/server/auth/session";
import { signOut } from "@/server/auth/sign-in";
import { jsonResponse, route } from "@/server/lib/http";
import { getRuntime } from "@/server/runtime";
import { z } from "zod";

export const dynamic = "force-dynamic";

const body = z.object({ everywhere: z.boolean().default(false) });

/** POST {} ends this session; POST { everywhere: true } ends every session of the signed-in user. */
export const POST = route(async (req: Request) => {
  const rt = await getRuntime();
  const input = body.parse(await req.json().catch(() => ({})));
  const user = await getSessionUser(rt.db, req.headers);
  const result = await signOut(rt.db, user, input.everywhere);
  return jsonResponse(200, { ok: true, revoked: result.revoked }, { "set-cookie": clearedSessionCookie(secureCookies(req.url, req.headers)) });
});
