import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET as record } from "@/app/api/v1/cases/[caseId]/record/route";
import { GET as versions } from "@/app/api/v1/cases/[caseId]/versions/route";
import { GET as version } from "@/app/api/v1/cases/[caseId]/versions/[n]/route";
import { GET as eventStatus } from "@/app/api/v1/events/[source]/[webhookId]/route";
import { GET as exceptions } from "@/app/api/v1/exceptions/route";
import { GET as changes } from "@/app/api/v1/changes/route";
import { POST as signIn } from "@/app/api/auth/sign-in/route";
import { POST as setup } from "@/app/api/auth/setup/route";
import { bearerHeaders, installTestRuntime, type TestRuntime } from "../../dev/testing/auth";
import { AppError } from "./errors";
import { errorResponse } from "./http";
import { log } from "./log";

/**
 * The HTTP routes' edge: every string that would reach the database (read-API ids and query
 * parameters, sign-in and setup credentials) with a NUL, a lone surrogate or an absurd length gets
 * a 400 with a clear `error`, never a 5xx; an unexpected error answers a correlation id, no internals.
 */
let t: TestRuntime;
beforeAll(async () => {
  t = await installTestRuntime();
});
afterAll(async () => t.close());

const BASE = "http://127.0.0.1:4250";
type Handler = (req: Request) => Promise<Response>;
const readApi: [Handler, (id: string) => string][] = [
  [record as Handler, (id) => `/api/v1/cases/${id}/record`],
  [versions as Handler, (id) => `/api/v1/cases/${id}/versions`],
  [version as Handler, (id) => `/api/v1/cases/${id}/versions/1`],
  [eventStatus as Handler, (id) => `/api/v1/events/ticketing/${id}`],
  [eventStatus as Handler, (id) => `/api/v1/events/${id}/wh_1`],
];
const POISON = ["CASE%001", "%00", "%ED%A0%80", "CASE-%F0%9F%98%80%00", "x".repeat(201)];

describe("read API ids", () => {
  it("a NUL, an encoded lone surrogate or an over-long id is a 400, never a 5xx", async () => {
    for (const [handler, url] of readApi) {
      for (const id of POISON) {
        const res = await handler(new Request(BASE + url(id), { headers: bearerHeaders() }));
        const body = (await res.json()) as { error: string };
        expect({ url: url(id).slice(0, 80), status: res.status }).toEqual({ url: url(id).slice(0, 80), status: 400 });
        expect(body.error).toMatch(/NUL|surrogate|percent-encoding|longer than 200/);
      }
    }
  });
  it("query parameters are held to the same check", async () => {
    for (const q of ["status=open%00", "ru%00le=x", `caseId=${"x".repeat(20_001)}`]) {
      const res = await (exceptions as Handler)(new Request(`${BASE}/api/v1/exceptions?${q}`, { headers: bearerHeaders() }));
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: string }).error).toMatch(/^query parameter at \//);
    }
    // URLSearchParams decodes broken UTF-8 to U+FFFD (the production server refuses it earlier): still a 400, from the schema.
    const res = await (exceptions as Handler)(new Request(`${BASE}/api/v1/exceptions?rule=%ED%A0%80`, { headers: bearerHeaders() }));
    expect(res.status).toBe(400);
  });
  it("a repeated query parameter is checked in every copy, not only the last", async () => {
    for (const q of ["caseId=%00&caseId=", "caseId=%00&caseId=CASE-1", "status=open&status=open%00"]) {
      const res = await (exceptions as Handler)(new Request(`${BASE}/api/v1/exceptions?${q}`, { headers: bearerHeaders() }));
      expect({ q, status: res.status }).toEqual({ q, status: 400 });
    }
  });
  it("well-formed ids still answer 404 when unknown", async () => {
    const res = await (record as Handler)(new Request(`${BASE}/api/v1/cases/CASE-%F0%9F%98%80/record`, { headers: bearerHeaders() }));
    expect(res.status).toBe(404);
  });
});

describe("read API numbers and dates", () => {
  const get = async (handler: unknown, path: string) => {
    const res = await (handler as Handler)(new Request(BASE + path, { headers: bearerHeaders() }));
    return { path, status: res.status };
  };
  it("a version number, limit or wait no column holds (huge, negative, fractional) is a 400", async () => {
    for (const n of ["2147483648", "99999999999999999999", "-1", "1.5", "1e300", "0"]) {
      expect(await get(version, `/api/v1/cases/CASE-1/versions/${n}`)).toEqual({ path: `/api/v1/cases/CASE-1/versions/${n}`, status: 400 });
      expect(await get(exceptions, `/api/v1/exceptions?limit=${n}`)).toEqual({ path: `/api/v1/exceptions?limit=${n}`, status: 400 });
      expect(await get(changes, `/api/v1/changes?limit=${n}`)).toEqual({ path: `/api/v1/changes?limit=${n}`, status: 400 });
    }
    for (const w of ["2147483648", "-1", "1e300"]) expect(await get(changes, `/api/v1/changes?wait=${w}`)).toEqual({ path: `/api/v1/changes?wait=${w}`, status: 400 });
  });
  it("an asOf PostgreSQL cannot hold (year 0, before 1900, past 9999) is a 400", async () => {
    for (const at of ["0000-01-01T00:00:00Z", "0001-01-01T00:00:00Z", "+275760-09-13T00:00:00Z", "-271821-04-20T00:00:00Z", "9999-12-31T23:59:59-14:00"]) {
      const path = `/api/v1/cases/CASE-1/record?asOf=${encodeURIComponent(at)}`;
      expect(await get(record, path)).toEqual({ path, status: 400 });
    }
  });
});

describe("sign-in and setup credentials", () => {
  const post = (handler: Handler, url: string, body: unknown) =>
    handler(new Request(BASE + url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }));
  it("a NUL or lone surrogate in the email, name or password is a 400", async () => {
    for (const body of [
      { email: "admin\u0000@demo.local", password: "whatever-password" },
      { email: "admin@demo.local", password: "pass\u0000word-long-enough" },
      { email: "admin@demo.local\ud800", password: "whatever-password" },
    ]) {
      const res = await post(signIn as Handler, "/api/auth/sign-in", body);
      expect(res.status).toBe(400);
      expect(JSON.stringify(await res.json())).toMatch(/NUL/);
    }
    // Setup is open (no user yet), so a 400 here is the NUL check, not "setup is already complete" (409).
    expect(await t.rt.db.user.count()).toBe(0);
    for (const body of [
      { email: "first@x.test", name: "Fi\u0000rst", password: "long enough password" },
      { email: "first\u0000@x.test", name: "First", password: "long enough password" },
      { email: "first@x.test", name: "First", password: "long enough\ud800 password" },
    ]) {
      const res = await post(setup as Handler, "/api/auth/setup", body);
      expect(res.status).toBe(400);
      expect(JSON.stringify(await res.json())).toMatch(/NUL/);
    }
    expect(await t.rt.db.user.count()).toBe(0);
  });
});

describe("unexpected errors", () => {
  it("answer a correlation id that the log line carries too, and no internals", async () => {
    const logged: unknown[] = [];
    const original = log.error.bind(log);
    log.error = ((obj: unknown) => void logged.push(obj)) as typeof log.error;
    try {
      const res = errorResponse(new Error("Invalid `prisma.case.findFirst()` invocation: Code: `22021`"));
      expect(res.status).toBe(500);
      const body = (await res.json()) as { error: string; correlationId: string };
      expect(body).toEqual({ error: "internal error; the failure was logged", correlationId: expect.stringMatching(/^err_/) });
      expect(logged).toEqual([expect.objectContaining({ correlationId: body.correlationId })]);
    } finally {
      log.error = original;
    }
  });
});

describe("errors mapped in one place", () => {
  it("an AppError(INTERNAL) answers the generic message and a logged correlation id, not its own text", async () => {
    const logged: unknown[] = [];
    const original = log.error.bind(log);
    log.error = ((obj: unknown) => void logged.push(obj)) as typeof log.error;
    try {
      const res = errorResponse(new AppError("INTERNAL", "unreadable sealed secret"));
      expect(res.status).toBe(500);
      const body = (await res.json()) as { error: string; correlationId: string };
      expect(body).toEqual({ error: "internal error; the failure was logged", correlationId: expect.stringMatching(/^err_/) });
      expect(logged).toEqual([expect.objectContaining({ correlationId: body.correlationId })]);
    } finally {
      log.error = original;
    }
  });
  it("a value the database refuses (out of range, bad datetime, NUL) is a 400, not a 500", async () => {
    const db = t.rt.db as unknown as { $queryRawUnsafe: (sql: string) => Promise<unknown> };
    for (const sql of ["SELECT 2147483648::int4", "SELECT '0000-01-01'::timestamp", "SELECT 'abc'::int", "SELECT 'not a time'::timestamp"]) {
      const err = await db.$queryRawUnsafe(sql).then(() => null, (e: unknown) => e);
      expect(err, sql).toBeTruthy();
      const res = errorResponse(err);
      expect({ sql, status: res.status }).toEqual({ sql, status: 400 });
      expect(JSON.stringify(await res.json())).not.toMatch(/prisma|int4|timestamp|invocation/i);
    }
  });
});

describe("/api/health", () => {
  it("tells anonymous callers the status only; details need a bearer token", async () => {
    const { GET } = await import("@/app/api/health/route");
    const anonymous = await GET(new Request(`${BASE}/api/health`));
    expect(anonymous.status).toBe(200);
    expect(await anonymous.json()).toEqual({ status: "ok" });
    const detailed = await GET(new Request(`${BASE}/api/health`, { headers: bearerHeaders() }));
    expect(await detailed.json()).toMatchObject({ ok: true, status: "ok", startedAt: expect.any(String), checks: { database: { ok: true, kind: expect.any(String) }, worker: { backlog: 0 } } });
    const forged = await GET(new Request(`${BASE}/api/health`, { headers: { authorization: "Bearer not-a-token-at-all" } }));
    expect(forged.status).toBe(401);
  });
});
