import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { AppError } from "../lib/errors";
import { createTestDb, type TestDb } from "../../dev/testing/test-db";
import { AdminEnvError, completeSetup, ensureFirstAdmin, needsSetup, parseAdminEnv } from "./bootstrap";
import { checkPassword, DEMO_USERS } from "./users";

let tdb: TestDb | null = null;
async function freshDb(): Promise<TestDb> {
  await tdb?.close();
  tdb = await createTestDb();
  return tdb;
}
afterAll(async () => tdb?.close());

const env = { ADMIN_EMAIL: "Ops.Lead@Example.com", ADMIN_PASSWORD: "a long enough password", ADMIN_NAME: "Ops Lead" };

describe("first admin from the environment", () => {
  it("reads ADMIN_EMAIL + ADMIN_PASSWORD, or nothing when neither is set", () => {
    expect(parseAdminEnv({})).toBeNull();
    expect(parseAdminEnv(env)).toMatchObject({ ADMIN_EMAIL: "ops.lead@example.com", ADMIN_NAME: "Ops Lead" });
    expect(parseAdminEnv({ ADMIN_EMAIL: "a@b.co", ADMIN_PASSWORD: "x".repeat(12) })?.ADMIN_NAME).toBe("Administrator");
  });

  it("fails clearly when half-set or invalid", () => {
    expect(() => parseAdminEnv({ ADMIN_EMAIL: "a@b.co" })).toThrow(AdminEnvError);
    expect(() => parseAdminEnv({ ADMIN_EMAIL: "a@b.co", ADMIN_PASSWORD: "short" })).toThrow(/ADMIN_PASSWORD: use at least 12/);
    expect(() => parseAdminEnv({ ADMIN_EMAIL: "not-an-email", ADMIN_PASSWORD: "x".repeat(12) })).toThrow(/ADMIN_EMAIL/);
  });

  it("creates the admin once, on an empty database only, and no demo account", async () => {
    const t = await freshDb();
    expect(await ensureFirstAdmin(t.db, env)).toEqual({ created: true });
    expect(await ensureFirstAdmin(t.db, env)).toEqual({ created: false });
    const users = await t.db.user.findMany();
    expect(users.map((u) => [u.email, u.role])).toEqual([["ops.lead@example.com", "admin"]]);
    expect(users.some((u) => DEMO_USERS.some((d) => d.email === u.email))).toBe(false);
    expect((await checkPassword(t.db, "ops.lead@example.com", env.ADMIN_PASSWORD)).ok).toBe(true);
    expect(await t.db.auditLog.count({ where: { action: "user.bootstrap_admin" } })).toBe(1);
    expect(await needsSetup(t.db, {})).toBe(false);
  });

  it("does nothing when users already exist", async () => {
    const t = await freshDb();
    await completeSetup(t.db, { email: "first@example.com", name: "First", password: "another long password" });
    expect(await ensureFirstAdmin(t.db, env)).toEqual({ created: false });
    expect(await t.db.user.count()).toBe(1);
  });
});

describe("one-time setup page", () => {
  beforeEach(async () => {
    await freshDb();
  });

  it("is needed only while no user exists and closes after the first admin", async () => {
    const t = tdb!;
    expect(await needsSetup(t.db, {})).toBe(true);
    await completeSetup(t.db, { email: "first@example.com", name: "First", password: "another long password" });
    expect(await needsSetup(t.db, {})).toBe(false);
    const again = await completeSetup(t.db, { email: "second@example.com", name: "Intruder", password: "another long password" }).catch((e) => e);
    expect(again).toBeInstanceOf(AppError);
    expect((again as AppError).code).toBe("CONFLICT");
    expect(await t.db.user.count()).toBe(1);
  });

  it("lets exactly one of several simultaneous setups win", async () => {
    const t = tdb!;
    const attempts = await Promise.allSettled(
      ["a", "b", "c"].map((n) => completeSetup(t.db, { email: `${n}@example.com`, name: n, password: "another long password" })),
    );
    expect(attempts.filter((a) => a.status === "fulfilled")).toHaveLength(1);
    expect(await t.db.user.count()).toBe(1);
  });

  it("validates the first admin's details", async () => {
    const t = tdb!;
    await expect(completeSetup(t.db, { email: "x@example.com", name: "X", password: "short" })).rejects.toThrow();
    expect(await t.db.user.count()).toBe(0);
  });
});
