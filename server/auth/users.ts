import "server-only";
import { hash, verify } from "@node-rs/argon2";
import type { Db } from "../db/client";
import { AppError } from "../lib/errors";
import { newId } from "../lib/ids";
import { safeText } from "../lib/safe-text";
import type { Role } from "./roles";

export const DEMO_PASSWORD = "demo-password";

export const DEMO_USERS: { email: string; name: string; role: Role }[] = [
  { email: "duty.manager@demo.local", name: "Dana Duty", role: "duty_manager" },
  { email: "specialist@demo.local", name: "Sam Specialist", role: "specialist" },
  { email: "specialist2@demo.local", name: "Riley Specialist", role: "specialist" },
  { email: "admin@demo.local", name: "Alex Admin", role: "admin" },
];

export const emailSchema = safeText(200).trim().toLowerCase().min(3).max(200).email("enter an email address");
/** Length over composition rules (NIST SP 800-63B); the demo password is the only short-lived exception. */
export const passwordSchema = safeText(1000).min(12, "use at least 12 characters").max(200, "use at most 200 characters");
export const nameSchema = safeText(120).trim().min(1, "enter a name").max(120);

/** argon2id with the library's defaults (19 MiB, 2 passes), the OWASP baseline. */
export async function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/** Embedded demo only: one account per role, all with DEMO_PASSWORD. */
export async function seedDemoUsers(db: Db): Promise<void> {
  for (const u of DEMO_USERS) {
    const exists = await db.user.findUnique({ where: { email: u.email }, select: { id: true } });
    if (exists) continue;
    await db.user.create({ data: { id: newId("usr"), email: u.email, name: u.name, role: u.role, passwordHash: await hashPassword(DEMO_PASSWORD) } });
  }
}

// A real argon2 hash of a random string, so unknown emails cost the same verify() as known ones.
let dummyHash: Promise<string> | null = null;

export type PasswordCheck =
  | { ok: true; user: { id: string; email: string; name: string; role: Role } }
  | { ok: false; reason: "unknown" }
  | { ok: false; reason: "disabled" }
  | { ok: false; reason: "wrong"; userId: string; failures: number };

/**
 * Checks a password. It never locks an account: a lock anyone can trigger by failing someone
 * else's password is a way to lock that person out. Guessing is slowed where the guesser is
 * instead, per account-and-address and per address (server/auth/sign-in.ts). `failedLogins`
 * counts failures since the last success, for the audit log; it is atomic under parallel guesses.
 */
export async function checkPassword(db: Db, email: string, password: string): Promise<PasswordCheck> {
  const user = await db.user.findUnique({ where: { email: email.trim().toLowerCase() } });
  if (!user || user.disabledAt) {
    dummyHash ??= hash(`no-such-user-${Math.random()}`);
    await verify(await dummyHash, password).catch(() => false);
    return user ? { ok: false, reason: "disabled" } : { ok: false, reason: "unknown" };
  }
  if (!(await verify(user.passwordHash, password).catch(() => false))) {
    const updated = await db.user.update({ where: { id: user.id }, data: { failedLogins: { increment: 1 } }, select: { failedLogins: true } });
    return { ok: false, reason: "wrong", userId: user.id, failures: updated.failedLogins };
  }
  if (user.failedLogins || user.lockedUntil) await db.user.update({ where: { id: user.id }, data: { failedLogins: 0, lockedUntil: null } });
  return { ok: true, user: { id: user.id, email: user.email, name: user.name, role: user.role } };
}

/** Throwing form of checkPassword, for callers that only need the user. */
export async function verifyCredentials(db: Db, email: string, password: string) {
  const r = await checkPassword(db, email, password);
  if (r.ok) return r.user;
  throw new AppError("UNAUTHORIZED", "wrong email or password");
}
