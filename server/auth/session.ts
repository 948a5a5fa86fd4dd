import "server-only";
import { randomBytes } from "node:crypto";
import type { Db, Tx } from "../db/client";
import { audit, type Actor } from "../lib/audit";
import { sha256Hex } from "../lib/crypto";
import { AppError } from "../lib/errors";
import { readCookie, SESSION_COOKIE } from "./cookies";
import type { Role } from "./roles";

export type { Role } from "./roles";
export { readCookie, SESSION_COOKIE } from "./cookies";

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: Role;
  sessionId: string;
}

/** Absolute lifetime: a session ends 12 hours after sign-in, whatever happens in between. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/** 32 random bytes, base64url: exactly 43 characters. Anything else is not ours. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function sessionTokenOf(headers: Headers): string | null {
  const token = readCookie(headers, SESSION_COOKIE);
  return token && TOKEN_SHAPE.test(token) ? token : null;
}

/**
 * The signed-in user of a request, from the session cookie; null when absent, expired, revoked or
 * the user is disabled. The role is read from the user row on every request, so a role change or
 * a disable takes effect at once. Only the token's SHA-256 is stored, so a database read does not
 * hand out live sessions.
 */
export async function getSessionUser(db: Db, headers: Headers): Promise<SessionUser | null> {
  const token = sessionTokenOf(headers);
  if (!token) return null;
  const session = await db.session.findUnique({
    where: { tokenHash: sha256Hex(token) },
    select: { id: true, expiresAt: true, revokedAt: true, user: { select: { id: true, email: true, name: true, role: true, disabledAt: true } } },
  });
  if (!session || session.revokedAt || session.expiresAt.getTime() <= Date.now() || session.user.disabledAt) return null;
  return { id: session.user.id, email: session.user.email, name: session.user.name, role: session.user.role, sessionId: session.id };
}

/** A new session with a fresh random token; the caller sets the cookie. The token is never stored. */
export async function createSession(db: Db | Tx, userId: string, meta: { ip?: string | null; userAgent?: string | null }): Promise<{ id: string; token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(Date.now() + SESSION_TTL_MS);
  const id = `ses_${randomBytes(12).toString("hex")}`;
  await db.session.create({
    data: { id, tokenHash: sha256Hex(token), userId, expiresAt, ipAddress: meta.ip?.slice(0, 100) ?? null, userAgent: meta.userAgent?.slice(0, 300) ?? null },
  });
  return { id, token, expiresAt };
}

/** Revokes the session a token belongs to (if any); returns its id and user. */
export async function revokeSessionByToken(db: Db | Tx, token: string): Promise<{ id: string; userId: string } | null> {
  const row = await db.session.findUnique({ where: { tokenHash: sha256Hex(token) }, select: { id: true, userId: true, revokedAt: true } });
  if (!row) return null;
  if (!row.revokedAt) await db.session.update({ where: { id: row.id }, data: { revokedAt: new Date() } });
  return { id: row.id, userId: row.userId };
}

/** Ends every live session of a user ("sign out everywhere", disable, password reset). */
export async function revokeUserSessions(db: Db | Tx, userId: string, opts: { exceptSessionId?: string } = {}): Promise<number> {
  const r = await db.session.updateMany({
    where: { userId, revokedAt: null, expiresAt: { gt: new Date() }, ...(opts.exceptSessionId ? { id: { not: opts.exceptSessionId } } : {}) },
    data: { revokedAt: new Date() },
  });
  return r.count;
}

/** Revokes one of the user's own live sessions (someone else's id answers like a missing one), audited. */
export async function revokeOwnSession(db: Db, actor: Actor, userId: string, sessionId: string): Promise<void> {
  await db.$transaction(async (tx) => {
    const s = await tx.session.findFirst({ where: { id: sessionId, userId, revokedAt: null }, select: { id: true } });
    if (!s) throw new AppError("NOT_FOUND", "no such live session of yours");
    await tx.session.update({ where: { id: s.id }, data: { revokedAt: new Date() } });
    await audit(tx, actor, { action: "auth.revoke_session", targetType: "session", targetId: s.id });
  });
}

/** Revokes every other live session of the user ("sign out everywhere else"), audited; how many it revoked. */
export async function signOutOtherSessions(db: Db, actor: Actor, userId: string, currentSessionId: string): Promise<number> {
  return db.$transaction(async (tx) => {
    const n = await revokeUserSessions(tx, userId, { exceptSessionId: currentSessionId });
    await audit(tx, actor, { action: "auth.sign_out_others", targetType: "user", targetId: userId, after: { revokedSessions: n } });
    return n;
  });
}

export async function listLiveSessions(db: Db, userId: string) {
  return db.session.findMany({
    where: { userId, revokedAt: null, expiresAt: { gt: new Date() } },
    orderBy: { createdAt: "desc" },
    select: { id: true, createdAt: true, expiresAt: true, ipAddress: true, userAgent: true },
  });
}
