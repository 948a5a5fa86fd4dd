import { getSessionUser, SESSION_COOKIE } from "@/server/auth/session";
import { jsonResponse, route } from "@/server/lib/http";
import { getRuntime } from "@/server/runtime";

export const dynamic = "force-dynamic";

export const POST = route(async (req: Request) => {
  const rt = await getRuntime();
  const user = await getSessionUser(rt.db, req.headers);
  if (user) await rt.db.session.update({ where: { id: user.sessionId }, data: { revokedAt: new Date() } });
  return jsonResponse(200, { ok: true }, { "set-cookie": `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0` });
});
