import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { z } from "zod";
import type { Db } from "../db/client";
import { audit, type Actor } from "../lib/audit";
import { AppError } from "../lib/errors";
import { log } from "../lib/log";
import { safeText } from "../lib/safe-text";
import { createSession, revokeSessionByToken, revokeUserSessions, type SessionUser } from "./session";
import { checkPassword, lockedMessage } from "./users";

export const signInInput = z.object({
  email: safeText(200).trim().min(3, "enter your email"),
  password: safeText(500).min(1, "enter your password"),
});

export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
  /** The session token the browser already presented, if any: never kept across a sign-in. */
  presentedToken: string | null;
}

/**
 * Failed attempts per client address, on top of the per-account lock-out: spraying one password
 * over many accounts from one address stops here. Only failures count, so a busy office behind
 * one address can still sign in.
 */
const FAILURES_PER_ADDRESS = 50;
const failuresByAddress = new RateLimiterMemory({ points: FAILURES_PER_ADDRESS, duration: 15 * 60, keyPrefix: "signin-fail" });

async function assertAddressAllowed(ip: string | null): Promise<void> {
  const state = await failuresByAddress.get(ip ?? "unknown");
  if (state && state.consumedPoints >= FAILURES_PER_ADDRESS) {
    const minutes = Math.ceil(state.msBeforeNext / 60_000);
    throw new AppError("TOO_MANY_REQUESTS", `Too many failed sign-ins from this address. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`);
  }
}

async function countFailure(ip: string | null): Promise<void> {
  await failuresByAddress.consume(ip ?? "unknown").catch((err: unknown) => {
    if (!(err instanceof RateLimiterRes)) throw err;
  });
}

/** Test hook: forget address failures between cases. */
export async function resetAddressFailures(ip: string | null): Promise<void> {
  await failuresByAddress.delete(ip ?? "unknown");
}

function userActor(u: { id: string; name: string; role: SessionUser["role"] }): Actor {
  return { id: u.id, label: u.name, role: u.role };
}

/**
 * Signs a user in: the presented session (if any) is revoked on success, so a session id planted
 * before sign-in is never promoted (session fixation), and a brand-new token is issued.
 */
export async function signIn(db: Db, raw: unknown, meta: RequestMeta): Promise<{ user: { id: string; email: string; name: string; role: SessionUser["role"] }; token: string; expiresAt: Date }> {
  const input = signInInput.parse(raw);
  await assertAddressAllowed(meta.ip);
  const check = await checkPassword(db, input.email, input.password);
  if (!check.ok) {
    await countFailure(meta.ip);
    const anonymous: Actor = { id: null, label: `sign-in attempt${meta.ip ? ` from ${meta.ip}` : ""}`, role: "system" };
    if (check.reason === "unknown" || check.reason === "disabled") {
      log.info({ reason: check.reason, ip: meta.ip }, "sign-in refused");
      throw new AppError("UNAUTHORIZED", "Wrong email or password.");
    }
    if (check.reason === "wrong") {
      await db.$transaction((tx) => audit(tx, anonymous, { action: "auth.sign_in_failed", targetType: "user", targetId: check.userId, after: { failures: check.failures } }));
      throw new AppError("UNAUTHORIZED", "Wrong email or password.");
    }
    if (check.justLocked) {
      await db.$transaction((tx) =>
        audit(tx, anonymous, { action: "auth.locked_out", targetType: "user", targetId: check.userId, after: { lockedUntil: check.lockedUntil.toISOString() } }),
      );
    }
    throw new AppError("TOO_MANY_REQUESTS", lockedMessage(check.lockedUntil));
  }
  const user = check.user;
  const session = await db.$transaction(async (tx) => {
    if (meta.presentedToken) await revokeSessionByToken(tx, meta.presentedToken);
    const s = await createSession(tx, user.id, meta);
    await audit(tx, userActor(user), { action: "auth.sign_in", targetType: "session", targetId: s.id, after: { ip: meta.ip, userAgent: meta.userAgent?.slice(0, 120) ?? null } });
    return s;
  });
  return { user, token: session.token, expiresAt: session.expiresAt };
}

/** Ends the presented session, or with `everywhere` every session of its user. */
export async function signOut(db: Db, user: SessionUser | null, everywhere: boolean): Promise<{ revoked: number }> {
  if (!user) return { revoked: 0 };
  return db.$transaction(async (tx) => {
    let revoked: number;
    if (everywhere) {
      revoked = await revokeUserSessions(tx, user.id);
    } else {
      const r = await tx.session.updateMany({ where: { id: user.sessionId, revokedAt: null }, data: { revokedAt: new Date() } });
      revoked = r.count;
    }
    await audit(tx, userActor(user), {
      action: everywhere ? "auth.sign_out_everywhere" : "auth.sign_out",
      targetType: everywhere ? "user" : "session",
      targetId: everywhere ? user.id : user.sessionId,
      after: { revokedSessions: revoked },
    });
    return { revoked };
  });
}
