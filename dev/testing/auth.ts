import { randomBytes } from "node:crypto";
import type { Db } from "../../server/db/client";
import { parseEnv } from "../../server/env";
import { IntakeGate, RefusalLog } from "../../server/intake/intake-gate";
import { newId } from "../../server/lib/ids";
import type { Runtime } from "../../server/runtime";
import { createTestDb, TEST_SECRET_KEY, type TestDb } from "./test-db";
import { SESSION_COOKIE } from "../../server/auth/cookies";
import type { Role } from "../../server/auth/roles";
import { createSession } from "../../server/auth/session";
import { hashPassword } from "../../server/auth/users";

/** Test support for the auth suites: a full Runtime over a test database, users per role, sessions. */
export const TEST_API_TOKEN = "test-read-token-0123456789";
export const TEST_PASSWORD = "correct horse battery staple";

export interface TestRuntime {
  rt: Runtime;
  tdb: TestDb;
  close(): Promise<void>;
}

const g = globalThis as unknown as { __errRuntime?: Promise<Runtime> };

/** Builds a Runtime on a fresh test database and makes getRuntime() return it (route handlers call getRuntime). */
export async function installTestRuntime(envOverrides: Record<string, string> = {}): Promise<TestRuntime> {
  const tdb = await createTestDb();
  const env = parseEnv({ NODE_ENV: "test", API_TOKEN: TEST_API_TOKEN, DEMO: "off", IN_PROCESS_WORKER: "off", DATA_DIR: "memory://", ...envOverrides });
  const rt: Runtime = {
    env,
    handle: tdb.handle,
    db: tdb.db,
    registry: tdb.registry,
    reference: tdb.reference,
    limiter: tdb.limiter,
    intakeGate: new IntakeGate(env.INTAKE_MAX_IN_FLIGHT ?? Infinity),
    refusals: new RefusalLog(tdb.db),
    secrets: { key: TEST_SECRET_KEY, envSecrets: env.webhookSecrets },
    worker: null,
    maintenance: null,
    upkeep: null,
    outbound: null,
    startedAt: new Date(),
  };
  g.__errRuntime = Promise.resolve(rt);
  return {
    rt,
    tdb,
    close: async () => {
      g.__errRuntime = undefined;
      await tdb.close();
    },
  };
}

export interface TestUser {
  id: string;
  email: string;
  name: string;
  role: Role;
}

export async function createUserRow(db: Db, role: Role, opts: { email?: string; name?: string; password?: string } = {}): Promise<TestUser> {
  const id = newId("usr");
  const email = opts.email ?? `${role}.${randomBytes(3).toString("hex")}@test.local`;
  const name = opts.name ?? `Test ${role}`;
  await db.user.create({ data: { id, email, name, role, passwordHash: await hashPassword(opts.password ?? TEST_PASSWORD) } });
  return { id, email, name, role };
}

/** One user per role, plus a second specialist for object-level checks. */
export async function createRoleUsers(db: Db) {
  return {
    duty_manager: await createUserRow(db, "duty_manager"),
    specialist: await createUserRow(db, "specialist"),
    specialist2: await createUserRow(db, "specialist", { name: "Second specialist" }),
    admin: await createUserRow(db, "admin"),
  };
}

/** Request headers carrying a brand-new session cookie of the user. */
export async function sessionHeaders(db: Db, userId: string, extra: Record<string, string> = {}): Promise<Headers> {
  const s = await createSession(db, userId, { ip: "127.0.0.1", userAgent: "vitest" });
  return new Headers({ cookie: `${SESSION_COOKIE}=${s.token}`, ...extra });
}

export function bearerHeaders(token = TEST_API_TOKEN, extra: Record<string, string> = {}): Headers {
  return new Headers({ authorization: `Bearer ${token}`, ...extra });
}
