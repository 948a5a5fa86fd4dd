import { randomBytes } from "node:crypto";
import type { Db } from "../db/client";
import { sha256Hex } from "../lib/crypto";

export type Role = "duty_manager" | "specialist" | "admin";

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  sessionId: string;
}

export const SESSION_COOKIE = "err_session";
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export function readCookie(headers: Headers, name: string): string | null {
  const raw = headers.get("cookie");
  if (!raw) return null;
  for (const part of raw.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return decodeURIComponent(v.join("="));
  }
  return null;
}

/** The signed-in user of a request, from the session cookie; null when absent, expired or revoked. */
export async function getSessionUser(db: Db, headers: Headers): Promise<SessionUser | null> {
  const token = readCookie(headers, SESSION_COOKIE);
  if (!token || token.length > 200) return null;
  const session = await db.session.findUnique({
    where: { tokenHash: sha256Hex(token) },
    select: { id: true, expiresAt: true, revokedAt: true, user: { select: { id: true, email: true, name: true, role: true, disabledAt: true } } },
  });
  if (!session || session.revokedAt || session.expiresAt.getTime() <= Date.now() || session.user.disabledAt) return null;
  return { id: session.user.id, email: session.user.email, name: session.user.name, role: session.user.role, sessionId: session.id };
}

export async function createSession(db: Db, userId: string, meta: { ip?: string | null; userAgent?: string | null }): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  await db.session.create({
    data: { id: `ses_${randomBytes(12).toString("hex")}`, tokenHash: sha256Hex(token), userId, expiresAt, ipAddress: meta.ip ?? null, userAgent: meta.userAgent?.slice(0, 300) ?? null },
  });
  return { token, expiresAt };
}
