import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { sha256Hex } from "../lib/crypto";
import { AppError } from "../lib/errors";
import { createTestDb, type TestDb } from "../../dev/testing/test-db";
import { clearedSessionCookie, readCookie, secureCookies, sessionCookie, SESSION_COOKIE } from "./cookies";
import { createSession, getSessionUser, revokeUserSessions, SESSION_TTL_MS } from "./session";
import { resetAddressFailures, signIn, signOut } from "./sign-in";
import { createUserRow, TEST_PASSWORD, type TestUser } from "../../dev/testing/auth";
import { checkPassword } from "./users";

let tdb: TestDb;
let user: TestUser;
const cookieOf = (token: string) => new Headers({ cookie: `other=1; ${SESSION_COOKIE}=${token}` });
const meta = (ip = "10.0.0.1", presentedToken: string | null = null) => ({ ip, userAgent: "vitest", presentedToken });

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
  tdb = await createTestDb();
  user = await createUserRow(tdb.db, "specialist", { email: "sam@test.local" });
});
afterAll(async () => tdb.close());
afterEach(async () => {
  await tdb.db.user.update({ where: { id: user.id }, data: { failedLogins: 0, lockedUntil: null, disabledAt: null, role: "specialist" } });
  await resetAddressFailures("10.0.0.1");
});

describe("sessions", () => {
  it("finds the user of a live session and nobody for missing, malformed or unknown tokens", async () => {
    const s = await createSession(tdb.db, user.id, { ip: "1.2.3.4", userAgent: "t" });
    expect(await getSessionUser(tdb.db, cookieOf(s.token))).toMatchObject({ id: user.id, role: "specialist", sessionId: s.id });
    expect(await getSessionUser(tdb.db, new Headers())).toBeNull();
    expect(await getSessionUser(tdb.db, cookieOf("not-a-token"))).toBeNull();
    expect(await getSessionUser(tdb.db, cookieOf("A".repeat(43)))).toBeNull();
  });

  it("stores only the token's hash", async () => {
    const s = await createSession(tdb.db, user.id, {});
    const row = await tdb.db.session.findUniqueOrThrow({ where: { id: s.id } });
    expect(row.tokenHash).toBe(sha256Hex(s.token));
    expect(JSON.stringify(row)).not.toContain(s.token);
    expect(row.expiresAt.getTime() - Date.now()).toBeGreaterThan(SESSION_TTL_MS - 60_000);
  });

  it("refuses expired sessions", async () => {
    const s = await createSession(tdb.db, user.id, {});
    await tdb.db.session.update({ where: { id: s.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await getSessionUser(tdb.db, cookieOf(s.token))).toBeNull();
  });

  it("refuses revoked sessions and sessions of disabled users", async () => {
    const a = await createSession(tdb.db, user.id, {});
    const b = await createSession(tdb.db, user.id, {});
    await tdb.db.session.update({ where: { id: a.id }, data: { revokedAt: new Date() } });
    expect(await getSessionUser(tdb.db, cookieOf(a.token))).toBeNull();
    await tdb.db.user.update({ where: { id: user.id }, data: { disabledAt: new Date() } });
    expect(await getSessionUser(tdb.db, cookieOf(b.token))).toBeNull();
  });

  it("reads the role live, so a demotion applies to sessions already open", async () => {
    const s = await createSession(tdb.db, user.id, {});
    await tdb.db.user.update({ where: { id: user.id }, data: { role: "duty_manager" } });
    expect((await getSessionUser(tdb.db, cookieOf(s.token)))?.role).toBe("duty_manager");
  });

  it("revokes every session of a user, optionally keeping one", async () => {
    const keep = await createSession(tdb.db, user.id, {});
    const other = await createSession(tdb.db, user.id, {});
    await revokeUserSessions(tdb.db, user.id, { exceptSessionId: keep.id });
    expect(await getSessionUser(tdb.db, cookieOf(keep.token))).not.toBeNull();
    expect(await getSessionUser(tdb.db, cookieOf(other.token))).toBeNull();
  });
});

describe("sign-in", () => {
  it("issues a fresh session and audits it", async () => {
    const r = await signIn(tdb.db, { email: "  SAM@test.local ", password: TEST_PASSWORD }, meta());
    expect(r.user).toMatchObject({ id: user.id, role: "specialist" });
    const me = await getSessionUser(tdb.db, cookieOf(r.token));
    expect(me?.id).toBe(user.id);
    const entry = await tdb.db.auditLog.findFirst({ where: { action: "auth.sign_in", targetId: me!.sessionId } });
    expect(entry?.actorId).toBe(user.id);
  });

  it("never keeps a session id presented before sign-in (session fixation)", async () => {
    const planted = await createSession(tdb.db, user.id, {});
    const r = await signIn(tdb.db, { email: user.email, password: TEST_PASSWORD }, meta("10.0.0.1", planted.token));
    expect(r.token).not.toBe(planted.token);
    expect(await getSessionUser(tdb.db, cookieOf(planted.token))).toBeNull();
    expect(await getSessionUser(tdb.db, cookieOf(r.token))).not.toBeNull();
  });

  it("answers a wrong password and an unknown email the same way", async () => {
    const wrong = await signIn(tdb.db, { email: user.email, password: "nope" }, meta()).catch((e: AppError) => e);
    const unknown = await signIn(tdb.db, { email: "nobody@test.local", password: "nope" }, meta()).catch((e: AppError) => e);
    expect(wrong).toBeInstanceOf(AppError);
    expect(unknown).toBeInstanceOf(AppError);
    expect([(wrong as AppError).code, (wrong as AppError).message]).toEqual([(unknown as AppError).code, (unknown as AppError).message]);
    expect(await tdb.db.auditLog.count({ where: { action: "auth.sign_in_failed", targetId: user.id } })).toBeGreaterThan(0);
  });

  it("cannot be used to lock anyone out: failing someone's password slows only the failing address", async () => {
    for (let i = 0; i < 12; i++) await codeOf(signIn(tdb.db, { email: user.email, password: `wrong-${i}` }, meta("10.6.6.6")));
    expect(await codeOf(signIn(tdb.db, { email: user.email, password: TEST_PASSWORD }, meta("10.6.6.6")))).toBe("TOO_MANY_REQUESTS");
    // The person, from their own address, signs in at once; nothing is locked.
    expect(await codeOf(signIn(tdb.db, { email: user.email, password: TEST_PASSWORD }, meta("10.0.0.1")))).toBe("OK");
    const row = await tdb.db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect([row.failedLogins, row.lockedUntil]).toEqual([0, null]);
    expect(await tdb.db.auditLog.count({ where: { action: "auth.locked_out" } })).toBe(0);
    await resetAddressFailures("10.6.6.6");
  });

  it("per account and address: three free failures, then growing delays, the same for unknown emails", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      const run = async (email: string, ip: string) => {
        const out: string[] = [];
        const attempt = async () => {
          const e = await signIn(tdb.db, { email, password: "wrong" }, meta(ip)).catch((err: AppError) => err);
          out.push(e instanceof AppError ? `${e.code}: ${e.message}` : "OK");
        };
        for (let i = 0; i < 4; i++) await attempt(); // 3 free, the 4th sets a 2 s delay
        await attempt(); // refused: wait 2 s
        vi.setSystemTime(Date.now() + 2_000);
        await attempt(); // 5th failure: 4 s
        vi.setSystemTime(Date.now() + 3_000);
        await attempt(); // refused: 1 s left
        vi.setSystemTime(Date.now() + 1_000);
        await attempt(); // 6th failure: 8 s
        await attempt();
        return out;
      };
      const known = await run(user.email, "10.7.7.1");
      const unknown = await run("nobody-here@test.local", "10.7.7.2");
      expect(known).toEqual([
        "UNAUTHORIZED: Wrong email or password.",
        "UNAUTHORIZED: Wrong email or password.",
        "UNAUTHORIZED: Wrong email or password.",
        "UNAUTHORIZED: Wrong email or password.",
        "TOO_MANY_REQUESTS: Too many failed sign-ins. Try again in 2 seconds.",
        "UNAUTHORIZED: Wrong email or password.",
        "TOO_MANY_REQUESTS: Too many failed sign-ins. Try again in 1 second.",
        "UNAUTHORIZED: Wrong email or password.",
        "TOO_MANY_REQUESTS: Too many failed sign-ins. Try again in 8 seconds.",
      ]);
      expect(unknown).toEqual(known);
      // The right password waits out the delay like any other attempt from that address.
      expect(await codeOf(signIn(tdb.db, { email: user.email, password: TEST_PASSWORD }, meta("10.7.7.1")))).toBe("TOO_MANY_REQUESTS");
      vi.setSystemTime(Date.now() + 8_000);
      expect(await codeOf(signIn(tdb.db, { email: user.email, password: TEST_PASSWORD }, meta("10.7.7.1")))).toBe("OK");
    } finally {
      vi.useRealTimers();
      await resetAddressFailures("10.7.7.1");
      await resetAddressFailures("10.7.7.2");
    }
  });

  it("counts parallel failures atomically", async () => {
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => checkPassword(tdb.db, user.email, `guess-${i}`)));
    expect(results.every((r) => !r.ok && r.reason === "wrong")).toBe(true);
    const row = await tdb.db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect([row.failedLogins, row.lockedUntil]).toEqual([8, null]);
  });

  it("stops one address that fails on many accounts", async () => {
    const ip = "10.9.9.9";
    try {
      const codes: string[] = [];
      for (let i = 0; i < 51; i++) codes.push(await codeOf(signIn(tdb.db, { email: `spray${i}@test.local`, password: "Winter2026!" }, meta(ip))));
      expect(codes.slice(0, 50).every((c) => c === "UNAUTHORIZED")).toBe(true);
      expect(codes[50]).toBe("TOO_MANY_REQUESTS");
      // Another address is unaffected.
      expect(await codeOf(signIn(tdb.db, { email: user.email, password: TEST_PASSWORD }, meta("10.0.0.2")))).toBe("OK");
    } finally {
      await resetAddressFailures(ip);
    }
  });

  it("counts an IPv6 /64 as one address: rotating within it does not reset the budget", async () => {
    try {
      const codes: string[] = [];
      // Each attempt from a new address of the same /64, as anyone holding one can.
      for (let i = 0; i < 51; i++) codes.push(await codeOf(signIn(tdb.db, { email: `v6spray${i}@test.local`, password: "Winter2026!" }, meta(`2001:db8:7:7::${(i + 1).toString(16)}`))));
      expect(codes.slice(0, 50).every((c) => c === "UNAUTHORIZED")).toBe(true);
      expect(codes[50]).toBe("TOO_MANY_REQUESTS");
      // The next /64 is another address.
      expect(await codeOf(signIn(tdb.db, { email: user.email, password: TEST_PASSWORD }, meta("2001:db8:7:8::1")))).toBe("OK");
    } finally {
      await resetAddressFailures("2001:db8:7:7::1");
    }
  });

  it("refuses disabled users like unknown ones", async () => {
    await tdb.db.user.update({ where: { id: user.id }, data: { disabledAt: new Date() } });
    expect(await codeOf(signIn(tdb.db, { email: user.email, password: TEST_PASSWORD }, meta()))).toBe("UNAUTHORIZED");
  });
});

describe("sign-out", () => {
  it("ends this session only, or every session with everywhere", async () => {
    const a = await signIn(tdb.db, { email: user.email, password: TEST_PASSWORD }, meta());
    const b = await signIn(tdb.db, { email: user.email, password: TEST_PASSWORD }, meta());
    const c = await signIn(tdb.db, { email: user.email, password: TEST_PASSWORD }, meta());
    await signOut(tdb.db, await getSessionUser(tdb.db, cookieOf(a.token)), false);
    expect(await getSessionUser(tdb.db, cookieOf(a.token))).toBeNull();
    expect(await getSessionUser(tdb.db, cookieOf(b.token))).not.toBeNull();
    const r = await signOut(tdb.db, await getSessionUser(tdb.db, cookieOf(b.token)), true);
    expect(r.revoked).toBeGreaterThanOrEqual(2);
    expect(await getSessionUser(tdb.db, cookieOf(b.token))).toBeNull();
    expect(await getSessionUser(tdb.db, cookieOf(c.token))).toBeNull();
    expect(await tdb.db.auditLog.count({ where: { action: "auth.sign_out_everywhere", actorId: user.id } })).toBe(1);
  });
});

describe("session cookie", () => {
  const expires = new Date(Date.now() + 3_600_000);
  it("is HttpOnly, SameSite=Lax, Path=/ and Secure only when asked", () => {
    const c = sessionCookie("tok", expires, false);
    expect(c).toMatch(/^err_session=tok; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+; Expires=/);
    expect(c).not.toContain("Secure");
    expect(sessionCookie("tok", expires, true)).toMatch(/; Secure$/);
    expect(clearedSessionCookie(true)).toMatch(/Max-Age=0;.*HttpOnly|HttpOnly.*Max-Age=0/);
  });

  it("is Secure in production behind https, directly or through a proxy", () => {
    const h = (proto?: string) => new Headers(proto ? { "x-forwarded-proto": proto } : {});
    expect(secureCookies("https://app.example/", h(), "production")).toBe(true);
    expect(secureCookies("http://10.0.0.5:3000/", h("https"), "production")).toBe(true);
    expect(secureCookies("http://127.0.0.1:3000/", h(), "production")).toBe(false);
    expect(secureCookies("https://app.example/", h(), "development")).toBe(false);
  });

  it("reads the right cookie among several and survives malformed escapes", () => {
    expect(readCookie(new Headers({ cookie: "a=1; err_session=x%20y; b=2" }), SESSION_COOKIE)).toBe("x y");
    expect(readCookie(new Headers({ cookie: "err_session=%E0%A4%A" }), SESSION_COOKIE)).toBeNull();
  });
});
