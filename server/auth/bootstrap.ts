import "server-only";
import { z } from "zod";
import type { Db, Tx } from "../db/client";
import { audit, SYSTEM_ACTOR } from "../lib/audit";
import { AppError } from "../lib/errors";
import { newId } from "../lib/ids";
import { log } from "../lib/log";
import { emailSchema, hashPassword, nameSchema, passwordSchema } from "./users";

/**
 * The first admin of a database that has no users yet (PostgreSQL, or embedded with DEMO=off):
 * from ADMIN_EMAIL + ADMIN_PASSWORD (+ optional ADMIN_NAME) when set, otherwise from the one-time
 * setup page /sign-in/setup, which closes as soon as any user exists.
 */
const adminEnv = z.object({
  ADMIN_EMAIL: emailSchema,
  ADMIN_PASSWORD: passwordSchema,
  ADMIN_NAME: nameSchema.default("Administrator"),
});

export const setupInput = z.object({ email: emailSchema, name: nameSchema, password: passwordSchema });

type EnvSource = Record<string, string | undefined>;

export class AdminEnvError extends Error {}

/** ADMIN_* from the environment: null when neither is set, an error naming the problem when half-set or invalid. */
export function parseAdminEnv(source: EnvSource = process.env): z.infer<typeof adminEnv> | null {
  const email = source.ADMIN_EMAIL?.trim();
  const password = source.ADMIN_PASSWORD;
  if (!email && !password) return null;
  const r = adminEnv.safeParse({ ADMIN_EMAIL: email, ADMIN_PASSWORD: password, ADMIN_NAME: source.ADMIN_NAME?.trim() || undefined });
  if (!r.success) {
    throw new AdminEnvError(`Invalid first-admin configuration: ${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  return r.data;
}

// One bootstrap at a time across processes sharing a PostgreSQL server.
const BOOTSTRAP_LOCK = 727274002;

async function createFirstAdmin(tx: Tx, input: { email: string; name: string; password: string }, how: "env" | "setup") {
  await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${BOOTSTRAP_LOCK})`);
  if ((await tx.user.count()) > 0) return null;
  const id = newId("usr");
  await tx.user.create({ data: { id, email: input.email, name: input.name, role: "admin", passwordHash: await hashPassword(input.password) } });
  await audit(tx, SYSTEM_ACTOR, { action: "user.bootstrap_admin", targetType: "user", targetId: id, after: { email: input.email, name: input.name, role: "admin", via: how } });
  return { id };
}

/** Creates the first admin from ADMIN_* when the database has no users; a no-op otherwise. */
export async function ensureFirstAdmin(db: Db, source: EnvSource = process.env): Promise<{ created: boolean }> {
  const cfg = parseAdminEnv(source);
  if (!cfg || (await db.user.count()) > 0) return { created: false };
  const created = await db.$transaction((tx) => createFirstAdmin(tx, { email: cfg.ADMIN_EMAIL, name: cfg.ADMIN_NAME, password: cfg.ADMIN_PASSWORD }, "env"));
  if (created) log.info({ email: cfg.ADMIN_EMAIL }, "first admin created from ADMIN_EMAIL");
  return { created: !!created };
}

/** True while nobody can sign in: no user exists and ADMIN_* did not create one. */
export async function needsSetup(db: Db, source: EnvSource = process.env): Promise<boolean> {
  await ensureFirstAdmin(db, source);
  return (await db.user.count()) === 0;
}

/** The one-time setup page's action: refused as soon as any user exists. */
export async function completeSetup(db: Db, raw: unknown): Promise<{ id: string }> {
  const input = setupInput.parse(raw);
  const created = await db.$transaction((tx) => createFirstAdmin(tx, input, "setup"));
  if (!created) throw new AppError("CONFLICT", "Setup is already complete. Sign in, or ask an admin for an account.");
  return created;
}
