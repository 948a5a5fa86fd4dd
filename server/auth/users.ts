import { hash, verify } from "@node-rs/argon2";
import type { Db } from "../db/client";
import { AppError } from "../lib/errors";
import { newId } from "../lib/ids";
import type { Role } from "./session";

export const DEMO_PASSWORD = "demo-password";

export const DEMO_USERS: { email: string; name: string; role: Role }[] = [
  { email: "duty.manager@demo.local", name: "Dana Duty", role: "duty_manager" },
  { email: "specialist@demo.local", name: "Sam Specialist", role: "specialist" },
  { email: "specialist2@demo.local", name: "Riley Specialist", role: "specialist" },
  { email: "admin@demo.local", name: "Alex Admin", role: "admin" },
];

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

const MAX_FAILURES = 5;
const LOCK_MS = 15 * 60 * 1000;

/** Checks a password; after MAX_FAILURES wrong ones the account is locked for 15 minutes. */
export async function verifyCredentials(db: Db, email: string, password: string) {
  const user = await db.user.findUnique({ where: { email: email.trim().toLowerCase() } });
  if (!user || user.disabledAt) {
    await hash(password); // same work as a real check, so timing does not reveal which emails exist
    throw new AppError("UNAUTHORIZED", "wrong email or password");
  }
  if (user.lockedUntil && user.lockedUntil.getTime() > Date.now()) {
    throw new AppError("TOO_MANY_REQUESTS", `too many failed sign-ins; try again after ${user.lockedUntil.toISOString()}`);
  }
  if (!(await verify(user.passwordHash, password))) {
    const failures = user.failedLogins + 1;
    await db.user.update({
      where: { id: user.id },
      data: { failedLogins: failures >= MAX_FAILURES ? 0 : failures, lockedUntil: failures >= MAX_FAILURES ? new Date(Date.now() + LOCK_MS) : null },
    });
    throw new AppError("UNAUTHORIZED", "wrong email or password");
  }
  if (user.failedLogins || user.lockedUntil) await db.user.update({ where: { id: user.id }, data: { failedLogins: 0, lockedUntil: null } });
  return user;
}
