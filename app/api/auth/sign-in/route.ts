import { z } from "zod";
import { createSession, SESSION_COOKIE } from "@/server/auth/session";
import { verifyCredentials } from "@/server/auth/users";
import { audit } from "@/server/lib/audit";
import { AppError } from "@/server/lib/errors";
import { jsonResponse, route } from "@/server/lib/http";
import { getRuntime } from "@/server/runtime";

export const dynamic = "force-dynamic";

const body = z.object({ email: z.string().trim().min(3).max(200), password: z.string().min(1).max(500) });

export const POST = route(async (req: Request) => {
  if (!req.headers.get("content-type")?.toLowerCase().startsWith("application/json")) {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", "send credentials as application/json");
  }
  const rt = await getRuntime();
  const input = body.parse(await req.json().catch(() => ({})));
  const user = await verifyCredentials(rt.db, input.email, input.password);
  const session = await createSession(rt.db, user.id, { ip: req.headers.get("x-forwarded-for"), userAgent: req.headers.get("user-agent") });
  await rt.db.$transaction((tx) => audit(tx, { id: user.id, label: user.name, role: user.role }, { action: "auth.sign_in", targetType: "user", targetId: user.id }));
  const secure = process.env.NODE_ENV === "production" && new URL(req.url).protocol === "https:" ? "; Secure" : "";
  return jsonResponse(200, { user: { id: user.id, name: user.name, email: user.email, role: user.role } }, {
    "set-cookie": `${SESSION_COOKIE}=${session.token}; Path=/; HttpOnly; SameSite=Lax; Expires=${session.expiresAt.toUTCString()}${secure}`,
  });
});
