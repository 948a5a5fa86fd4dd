import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticateBearer } from "./bearer";
import { addSourceSecret } from "../sources/registry";
import type { Actor } from "../lib/audit";
import { sha256Hex } from "../lib/crypto";
import { AppError } from "../lib/errors";
import { TEST_SECRET_KEY } from "../../dev/testing/test-db";
import { createApiToken, listApiTokens, revokeApiToken } from "./api-tokens";
import { auditFacets, listAuditLog } from "./audit-log";
import { createUser, listUsers, resetPassword, revokeSessionsOf, setUserDisabled, updateUser } from "./manage-users";
import { createSession, getSessionUser } from "./session";
import { listSourceSecrets, revokeSourceSecret, rotateSourceSecret, type SecretsContext } from "../sources/secrets";
import { createRoleUsers, installTestRuntime, TEST_API_TOKEN, type TestRuntime } from "../../dev/testing/auth";
import { checkPassword } from "./users";

let t: TestRuntime;
let users: Awaited<ReturnType<typeof createRoleUsers>>;
let admin: Actor;
let secretsCtx: SecretsContext;
const actorOf = (u: { id: string; name: string; role: Actor["role"] }): Actor => ({ id: u.id, label: u.name, role: u.role });

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return "OK";
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
}

beforeAll(async () => {
  t = await installTestRuntime();
  users = await createRoleUsers(t.rt.db);
  admin = actorOf(users.admin);
  secretsCtx = { db: t.rt.db, secrets: { key: TEST_SECRET_KEY, envSecrets: {} }, registry: t.rt.registry };
});
afterAll(async () => t.close());

describe("domain layer refuses non-admins, whatever the route", () => {
  it("every admin function says FORBIDDEN to duty managers and specialists", async () => {
    for (const who of [users.duty_manager, users.specialist]) {
      const a = actorOf(who);
      const calls: Promise<unknown>[] = [
        listUsers(t.rt.db, a),
        createUser(t.rt.db, a, { email: "x@test.local", name: "X", role: "admin", password: "long enough password" }),
        updateUser(t.rt.db, a, { id: who.id, role: "admin" }),
        setUserDisabled(t.rt.db, a, { id: users.admin.id, disabled: true }),
        resetPassword(t.rt.db, a, { id: users.admin.id, password: "long enough password" }),
        revokeSessionsOf(t.rt.db, a, { id: users.admin.id }),
        listApiTokens(t.rt.db, a),
        createApiToken(t.rt.db, a, { name: "sneaky" }),
        revokeApiToken(t.rt.db, a, { id: "tok_x" }),
        listSourceSecrets(secretsCtx, a),
        rotateSourceSecret(secretsCtx, a, { source: "ticketing" }),
        revokeSourceSecret(secretsCtx, a, { id: "sec_x" }),
        listAuditLog(t.rt.db, a, {}),
        auditFacets(t.rt.db, a),
      ];
      for (const c of calls) expect(await codeOf(c)).toBe("FORBIDDEN");
    }
    expect(await t.rt.db.user.findUnique({ where: { email: "x@test.local" } })).toBeNull();
    expect((await t.rt.db.user.findUniqueOrThrow({ where: { id: users.specialist.id } })).role).toBe("specialist");
  });
});

describe("users", () => {
  it("creates, renames, changes role and audits before and after without passwords", async () => {
    const u = await createUser(t.rt.db, admin, { email: "New.Person@Test.local", name: "New Person", role: "duty_manager", password: "a fine long password" });
    expect(u.email).toBe("new.person@test.local");
    expect(await codeOf(createUser(t.rt.db, admin, { email: "new.person@test.local", name: "Dup", role: "admin", password: "a fine long password" }))).toBe("CONFLICT");
    await updateUser(t.rt.db, admin, { id: u.id, role: "specialist", note: "joined the rota" });
    const entries = await t.rt.db.auditLog.findMany({ where: { targetId: u.id }, orderBy: { createdAt: "asc" } });
    expect(entries.map((e) => e.action)).toEqual(["user.create", "user.update"]);
    expect(entries[1]).toMatchObject({ actorId: users.admin.id, before: { role: "duty_manager" }, after: { role: "specialist" }, note: "joined the rota" });
    expect(JSON.stringify(entries)).not.toContain("a fine long password");
    const listed = await listUsers(t.rt.db, admin);
    expect(listed.find((x) => x.id === u.id)).toMatchObject({ role: "specialist" });
    expect(JSON.stringify(listed)).not.toMatch(/passwordHash|argon2/);
  });

  it("disabling ends the user's sessions; enabling clears a lock-out", async () => {
    const u = await createUser(t.rt.db, admin, { email: "leaver@test.local", name: "Leaver", role: "specialist", password: "a fine long password" });
    const s = await createSession(t.rt.db, u.id, {});
    const cookie = new Headers({ cookie: `err_session=${s.token}` });
    await setUserDisabled(t.rt.db, admin, { id: u.id, disabled: true });
    expect(await getSessionUser(t.rt.db, cookie)).toBeNull();
    expect((await t.rt.db.session.findUniqueOrThrow({ where: { id: s.id } })).revokedAt).not.toBeNull();
    await t.rt.db.user.update({ where: { id: u.id }, data: { lockedUntil: new Date(Date.now() + 60_000) } });
    await setUserDisabled(t.rt.db, admin, { id: u.id, disabled: false });
    expect((await checkPassword(t.rt.db, u.email, "a fine long password")).ok).toBe(true);
  });

  it("never removes the last active admin and never lets admins disable themselves", async () => {
    expect(await codeOf(setUserDisabled(t.rt.db, admin, { id: users.admin.id, disabled: true }))).toBe("CONFLICT");
    expect(await codeOf(updateUser(t.rt.db, admin, { id: users.admin.id, role: "specialist" }))).toBe("CONFLICT");
    expect((await t.rt.db.user.findUniqueOrThrow({ where: { id: users.admin.id } })).role).toBe("admin");
  });

  it("a password reset replaces the password, clears the lock and ends sessions", async () => {
    const u = await createUser(t.rt.db, admin, { email: "forgetful@test.local", name: "Forgetful", role: "duty_manager", password: "the old long password" });
    const s = await createSession(t.rt.db, u.id, {});
    await t.rt.db.user.update({ where: { id: u.id }, data: { lockedUntil: new Date(Date.now() + 60_000) } });
    await resetPassword(t.rt.db, admin, { id: u.id, password: "the new long password" });
    expect((await checkPassword(t.rt.db, u.email, "the old long password")).ok).toBe(false);
    expect((await checkPassword(t.rt.db, u.email, "the new long password")).ok).toBe(true);
    expect(await getSessionUser(t.rt.db, new Headers({ cookie: `err_session=${s.token}` }))).toBeNull();
  });
});

describe("read-API tokens", () => {
  it("are shown once, stored hashed, scoped to read, and stop working when revoked", async () => {
    const made = await createApiToken(t.rt.db, admin, { name: "reporting tool" });
    expect(made.token).toMatch(/^err_[A-Za-z0-9_-]{43}$/);
    expect(made.token.startsWith(made.prefix)).toBe(true);
    const row = await t.rt.db.apiToken.findUniqueOrThrow({ where: { id: made.id } });
    expect(row.tokenHash).toBe(sha256Hex(made.token));
    expect(JSON.stringify(row)).not.toContain(made.token);
    const listed = await listApiTokens(t.rt.db, admin);
    expect(JSON.stringify(listed)).not.toContain(made.token);
    expect(JSON.stringify(listed)).not.toContain(row.tokenHash);
    expect(await t.rt.db.auditLog.findFirst({ where: { action: "api_token.create", targetId: made.id } })).toMatchObject({ after: { scope: "read" } });

    expect(await authenticateBearer(t.rt.db, undefined, `Bearer ${made.token}`)).toEqual({ tokenId: made.id });
    await revokeApiToken(t.rt.db, admin, { id: made.id, note: "tool retired" });
    expect(await codeOf(authenticateBearer(t.rt.db, undefined, `Bearer ${made.token}`))).toBe("UNAUTHORIZED");
    expect(await codeOf(revokeApiToken(t.rt.db, admin, { id: made.id }))).toBe("CONFLICT");
  });

  it("API_TOKEN from the environment keeps working next to database tokens", async () => {
    expect(await authenticateBearer(t.rt.db, TEST_API_TOKEN, `Bearer ${TEST_API_TOKEN}`)).toEqual({ tokenId: null });
    expect(await codeOf(authenticateBearer(t.rt.db, TEST_API_TOKEN, `Bearer ${TEST_API_TOKEN}x`))).toBe("UNAUTHORIZED");
    expect(await codeOf(authenticateBearer(t.rt.db, TEST_API_TOKEN, null))).toBe("UNAUTHORIZED");
  });
});

describe("webhook secrets", () => {
  it("rotate with an overlap: both verify until the old one expires; neither is ever listed", async () => {
    const source = await t.rt.db.source.findUniqueOrThrow({ where: { name: "diagnostics" } });
    const old = await addSourceSecret(t.rt.db, TEST_SECRET_KEY, source.id, "initial");
    t.rt.registry.invalidate();
    expect((await t.rt.registry.get("diagnostics"))!.secrets).toEqual([old.secret]);

    const rotated = await rotateSourceSecret(secretsCtx, admin, { source: "diagnostics", overlapHours: 24, note: "quarterly" });
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(new Date(rotated.oldExpireAt!).getTime()).toBeGreaterThan(Date.now() + 23 * 3_600_000);
    expect((await t.rt.registry.get("diagnostics"))!.secrets.sort()).toEqual([old.secret, rotated.secret].sort());

    const stored = await t.rt.db.sourceSecret.findUniqueOrThrow({ where: { id: rotated.id } });
    expect(stored.cipherText).not.toContain(rotated.secret.slice(6));
    const listed = JSON.stringify(await listSourceSecrets(secretsCtx, admin));
    for (const s of [old.secret, rotated.secret, stored.cipherText]) expect(listed).not.toContain(s);
    const audit = await t.rt.db.auditLog.findFirstOrThrow({ where: { action: "source_secret.rotate", targetId: "diagnostics" } });
    expect(JSON.stringify(audit)).not.toContain(rotated.secret);
    expect(audit.note).toBe("quarterly");

    // The overlap ends: only the new secret verifies.
    await t.rt.db.sourceSecret.update({ where: { id: old.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    t.rt.registry.invalidate();
    expect((await t.rt.registry.get("diagnostics"))!.secrets).toEqual([rotated.secret]);
  });

  it("rotation without overlap retires the old secret at once; the last valid secret cannot be revoked", async () => {
    const first = await rotateSourceSecret(secretsCtx, admin, { source: "environment", overlapHours: 24 });
    const second = await rotateSourceSecret(secretsCtx, admin, { source: "environment", overlapHours: 0 });
    expect((await t.rt.registry.get("environment"))!.secrets).toEqual([second.secret]);
    expect(first.secret).not.toBe(second.secret);
    expect(await codeOf(revokeSourceSecret(secretsCtx, admin, { id: second.id }))).toBe("CONFLICT");
    const third = await rotateSourceSecret(secretsCtx, admin, { source: "environment", overlapHours: 2 });
    await revokeSourceSecret(secretsCtx, admin, { id: second.id, note: "leaked" });
    expect((await t.rt.registry.get("environment"))!.secrets).toEqual([third.secret]);
  });

  it("refuses to rotate secrets that come from WEBHOOK_SECRET_<SOURCE>", async () => {
    const ctx: SecretsContext = { ...secretsCtx, secrets: { key: TEST_SECRET_KEY, envSecrets: { incident: ["whsec_" + Buffer.alloc(24, 1).toString("base64")] } } };
    expect(await codeOf(rotateSourceSecret(ctx, admin, { source: "incident" }))).toBe("CONFLICT");
    expect(await codeOf(rotateSourceSecret(secretsCtx, admin, { source: "no-such-source" }))).toBe("NOT_FOUND");
  });
});

describe("audit log browser", () => {
  it("pages newest first without skipping rows and filters by action and actor", async () => {
    for (let i = 0; i < 7; i++) await createApiToken(t.rt.db, admin, { name: `paging ${i}` });
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listAuditLog(t.rt.db, admin, { action: "api_token.create", limit: 3, cursor });
      seen.push(...page.entries.map((e) => e.id));
      for (const e of page.entries) expect(e.action).toBe("api_token.create");
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const all = await t.rt.db.auditLog.findMany({ where: { action: "api_token.create" }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
    expect(seen).toEqual(all.map((e) => e.id));

    const byActor = await listAuditLog(t.rt.db, admin, { actor: users.admin.name, limit: 200 });
    expect(byActor.entries.length).toBeGreaterThan(0);
    expect(byActor.entries.every((e) => e.actorId === users.admin.id)).toBe(true);
    const prefixed = await listAuditLog(t.rt.db, admin, { action: "source_secret.*", limit: 200 });
    expect(new Set(prefixed.entries.map((e) => e.action))).toEqual(new Set(["source_secret.rotate", "source_secret.revoke"]));
    expect((await auditFacets(t.rt.db, admin)).actions).toContain("user.create");
  });
});
