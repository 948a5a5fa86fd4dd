import { z } from "zod";
import type { Db, Tx } from "../db/client";
import { audit, type Actor } from "../lib/audit";
import { AppError } from "../lib/errors";
import { newId } from "../lib/ids";
import { assertRole } from "./authorize";
import { ROLES } from "./roles";
import { revokeUserSessions } from "./session";
import { emailSchema, hashPassword, nameSchema, passwordSchema } from "./users";

/** Admin user management. Every change is audited with before and after; passwords never are. */
export const createUserInput = z.object({ email: emailSchema, name: nameSchema, role: z.enum(ROLES), password: passwordSchema });
export const updateUserInput = z.object({ id: z.string().min(1).max(100), name: nameSchema.optional(), role: z.enum(ROLES).optional(), note: z.string().trim().max(500).optional() });
export const setDisabledInput = z.object({ id: z.string().min(1).max(100), disabled: z.boolean(), note: z.string().trim().max(500).optional() });
export const resetPasswordInput = z.object({ id: z.string().min(1).max(100), password: passwordSchema });
export const userIdInput = z.object({ id: z.string().min(1).max(100) });

const userSelect = { id: true, email: true, name: true, role: true, disabledAt: true, lockedUntil: true, createdAt: true, updatedAt: true } as const;

export async function listUsers(db: Db, actor: Actor) {
  assertRole(actor, "admin");
  const now = new Date();
  const rows = await db.user.findMany({
    orderBy: [{ disabledAt: { sort: "asc", nulls: "first" } }, { name: "asc" }],
    select: { ...userSelect, sessions: { where: { revokedAt: null, expiresAt: { gt: now } }, select: { createdAt: true }, orderBy: { createdAt: "desc" } } },
  });
  return rows.map(({ sessions, ...u }) => ({
    ...u,
    locked: !!u.lockedUntil && u.lockedUntil > now,
    liveSessions: sessions.length,
    lastSignInAt: sessions[0]?.createdAt ?? null,
  }));
}

async function loadUser(tx: Tx, id: string) {
  const u = await tx.user.findUnique({ where: { id }, select: userSelect });
  if (!u) throw new AppError("NOT_FOUND", `user ${id} does not exist`);
  return u;
}

/** Nobody may remove the last way in: at least one enabled admin always remains. */
async function assertAnotherAdmin(tx: Tx, userId: string): Promise<void> {
  const others = await tx.user.count({ where: { role: "admin", disabledAt: null, id: { not: userId } } });
  if (others === 0) throw new AppError("CONFLICT", "This is the last active admin. Make someone else an admin first.");
}

export async function createUser(db: Db, actor: Actor, raw: unknown) {
  assertRole(actor, "admin");
  const input = createUserInput.parse(raw);
  const passwordHash = await hashPassword(input.password);
  return db.$transaction(async (tx) => {
    if (await tx.user.findUnique({ where: { email: input.email }, select: { id: true } })) {
      throw new AppError("CONFLICT", `a user with email ${input.email} already exists`);
    }
    const user = await tx.user.create({ data: { id: newId("usr"), email: input.email, name: input.name, role: input.role, passwordHash }, select: userSelect });
    await audit(tx, actor, { action: "user.create", targetType: "user", targetId: user.id, after: { email: user.email, name: user.name, role: user.role } });
    return user;
  });
}

export async function updateUser(db: Db, actor: Actor, raw: unknown) {
  assertRole(actor, "admin");
  const input = updateUserInput.parse(raw);
  return db.$transaction(async (tx) => {
    const before = await loadUser(tx, input.id);
    if (input.role && input.role !== "admin" && before.role === "admin") await assertAnotherAdmin(tx, before.id);
    const data = { ...(input.name !== undefined ? { name: input.name } : {}), ...(input.role !== undefined ? { role: input.role } : {}) };
    const after = await tx.user.update({ where: { id: input.id }, data, select: userSelect });
    await audit(tx, actor, {
      action: "user.update",
      targetType: "user",
      targetId: after.id,
      before: { name: before.name, role: before.role },
      after: { name: after.name, role: after.role },
      note: input.note ?? null,
    });
    return after;
  });
}

export async function setUserDisabled(db: Db, actor: Actor, raw: unknown) {
  assertRole(actor, "admin");
  const input = setDisabledInput.parse(raw);
  return db.$transaction(async (tx) => {
    const before = await loadUser(tx, input.id);
    if (input.disabled && before.id === actor.id) throw new AppError("CONFLICT", "You cannot disable your own account.");
    if (input.disabled && before.role === "admin") await assertAnotherAdmin(tx, before.id);
    const after = await tx.user.update({
      where: { id: input.id },
      data: input.disabled ? { disabledAt: before.disabledAt ?? new Date() } : { disabledAt: null, failedLogins: 0, lockedUntil: null },
      select: userSelect,
    });
    const revoked = input.disabled ? await revokeUserSessions(tx, input.id) : 0;
    await audit(tx, actor, {
      action: input.disabled ? "user.disable" : "user.enable",
      targetType: "user",
      targetId: after.id,
      before: { disabledAt: before.disabledAt?.toISOString() ?? null },
      after: { disabledAt: after.disabledAt?.toISOString() ?? null, revokedSessions: revoked },
      note: input.note ?? null,
    });
    return after;
  });
}

/** Sets a new password (told to the user out of band), clears a lock-out, and ends their sessions. */
export async function resetPassword(db: Db, actor: Actor, raw: unknown) {
  assertRole(actor, "admin");
  const input = resetPasswordInput.parse(raw);
  const passwordHash = await hashPassword(input.password);
  return db.$transaction(async (tx) => {
    await loadUser(tx, input.id);
    await tx.user.update({ where: { id: input.id }, data: { passwordHash, failedLogins: 0, lockedUntil: null } });
    const revoked = await revokeUserSessions(tx, input.id);
    await audit(tx, actor, { action: "user.reset_password", targetType: "user", targetId: input.id, after: { revokedSessions: revoked, lockCleared: true } });
    return { revoked };
  });
}

export async function revokeSessionsOf(db: Db, actor: Actor, raw: unknown) {
  assertRole(actor, "admin");
  const input = userIdInput.parse(raw);
  return db.$transaction(async (tx) => {
    await loadUser(tx, input.id);
    const revoked = await revokeUserSessions(tx, input.id);
    await audit(tx, actor, { action: "user.revoke_sessions", targetType: "user", targetId: input.id, after: { revokedSessions: revoked } });
    return { revoked };
  });
}
