import "server-only";
import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { z } from "zod";
import type { Db } from "../db/client";
import { addressBucket } from "../lib/address-bucket";
import { audit, type Actor } from "../lib/audit";
import { sha256Hex } from "../lib/crypto";
import { AppError } from "../lib/errors";
import { log } from "../lib/log";
import { safeText } from "../lib/safe-text";
import { createSession, revokeSessionByToken, revokeUserSessions, type SessionUser } from "./session";
import { checkPassword } from "./users";

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
 * Sign-in throttling that slows the guesser, never the person: nothing locks an account.
 * - Per account and address: the first FREE_FAILURES failures cost nothing; each further one makes
 *   the next attempt for that email from that address wait twice as long (2 s, 4 s, ... up to
 *   15 minutes). Someone failing an admin's password from their own address slows only themselves.
 * - Per address (an IPv6 address counts as its /64): at most FAILURES_PER_ADDRESS failures in 15 minutes across all emails (spraying
 *   one password over many accounts stops here). Only failures count.
 * Both apply to unknown emails exactly as to real ones, with the same messages, so neither the
 * answers nor the delays reveal whether an email has an account. In memory: a restart forgets.
 */
const FAILURES_PER_ADDRESS = 50;
const FREE_FAILURES = 3;
const MAX_DELAY_MS = 15 * 60 * 1000;
const failuresByAddress = new RateLimiterMemory({ points: FAILURES_PER_ADDRESS, duration: 15 * 60, keyPrefix: "signin-fail" });

interface PairState {
  failures: number;
  /** Epoch ms before which this email may not be tried again from this address. */
  notBefore: number;
  /** Forgotten after this (15 minutes after the last failure). */
  expiresAt: number;
}
/** Bounded: entries expire, and past MAX_PAIRS the oldest are dropped (a Map keeps insertion order). */
const MAX_PAIRS = 50_000;
const pairs = new Map<string, PairState>();

/** Whose failures count together: an IPv4 address, or an IPv6 /64 (a subscriber's usual allocation). */
const addressKey = (ip: string | null) => (ip ? addressBucket(ip) : "unknown");
const pairKey = (email: string, ip: string | null) => `${email.trim().toLowerCase()}\n${addressKey(ip)}`;

function waitMessage(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  const text = seconds < 120 ? `${seconds} second${seconds === 1 ? "" : "s"}` : `${Math.ceil(seconds / 60)} minutes`;
  return `Too many failed sign-ins. Try again in ${text}.`;
}

async function assertAllowed(email: string, ip: string | null, now = Date.now()): Promise<void> {
  const state = await failuresByAddress.get(addressKey(ip));
  if (state && state.consumedPoints >= FAILURES_PER_ADDRESS) throw new AppError("TOO_MANY_REQUESTS", waitMessage(state.msBeforeNext));
  const pair = pairs.get(pairKey(email, ip));
  if (pair && pair.expiresAt <= now) pairs.delete(pairKey(email, ip));
  else if (pair && pair.notBefore > now) throw new AppError("TOO_MANY_REQUESTS", waitMessage(pair.notBefore - now));
}

async function countFailure(email: string, ip: string | null, now = Date.now()): Promise<void> {
  await failuresByAddress.consume(addressKey(ip)).catch((err: unknown) => {
    if (!(err instanceof RateLimiterRes)) throw err;
  });
  const key = pairKey(email, ip);
  const prev = pairs.get(key);
  const failures = (prev && prev.expiresAt > now ? prev.failures : 0) + 1;
  const delay = failures <= FREE_FAILURES ? 0 : Math.min(MAX_DELAY_MS, 1000 * 2 ** (failures - FREE_FAILURES));
  pairs.delete(key);
  pairs.set(key, { failures, notBefore: now + delay, expiresAt: now + Math.max(delay, 15 * 60 * 1000) });
  if (pairs.size > MAX_PAIRS) pairs.delete(pairs.keys().next().value!);
}

/** Test hook: forget address and account-and-address failures between cases. */
export async function resetAddressFailures(ip: string | null): Promise<void> {
  await failuresByAddress.delete(addressKey(ip));
  for (const key of [...pairs.keys()]) if (key.endsWith(`\n${addressKey(ip)}`)) pairs.delete(key);
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
  await assertAllowed(input.email, meta.ip);
  const check = await checkPassword(db, input.email, input.password);
  if (!check.ok) {
    await countFailure(input.email, meta.ip);
    // Every failure costs the same work (the password hash above, one counter update, one audit
    // row), so the answer's timing does not tell a real email from an unknown one.
    const anonymous: Actor = { id: null, label: `sign-in attempt${meta.ip ? ` from ${meta.ip}` : ""}`, role: "system" };
    if (check.reason === "wrong") {
      await db.$transaction((tx) => audit(tx, anonymous, { action: "auth.sign_in_failed", targetType: "user", targetId: check.userId, after: { failures: check.failures } }));
    } else {
      await db.user.updateMany({ where: { email: "" }, data: { failedLogins: { increment: 1 } } }); // matches nobody: the same statement as a real failure
      const emailHash = sha256Hex(input.email.trim().toLowerCase()).slice(0, 16);
      await db.$transaction((tx) => audit(tx, anonymous, { action: "auth.sign_in_failed", targetType: "email", targetId: `sha256:${emailHash}`, after: { reason: check.reason } }));
      log.info({ reason: check.reason, ip: meta.ip }, "sign-in refused");
    }
    throw new AppError("UNAUTHORIZED", "Wrong email or password.");
  }
  pairs.delete(pairKey(input.email, meta.ip));
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
