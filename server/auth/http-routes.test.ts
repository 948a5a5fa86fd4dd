import { readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROLES, ROLE_RANK, type Role } from "./roles";
import { SESSION_COOKIE } from "./cookies";
import { createSession } from "./session";
import { bearerHeaders, createRoleUsers, createUserRow, installTestRuntime, sessionHeaders, TEST_PASSWORD, type TestRuntime, type TestUser } from "../../dev/testing/auth";

/**
 * Every HTTP route under app/api, called as anonymous, with an expired session, with a read-API
 * bearer token and as each role. The routes are discovered from the file system: a new route (or
 * a new method on a route) without an entry below fails. The proxy's CSRF guard is not in this
 * path (see proxy.test.ts); this is what the handlers themselves enforce.
 */
type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
type Access = "public" | "bearer" | "signature" | { session: Role };
type Principal = "anonymous" | "expired_session" | "bearer_token" | Role;
const PRINCIPALS: Principal[] = ["anonymous", "expired_session", "bearer_token", ...ROLES];
const BASE = "http://127.0.0.1:4455";

interface MethodSpec {
  access: Access;
  url: string;
  body?: unknown;
}
interface RouteSpec {
  params: Record<string, string>;
  methods: Partial<Record<Method, MethodSpec>>;
}

let signInUser: TestUser;
const ROUTES: Record<string, RouteSpec> = {
  "auth/sign-in": { params: {}, methods: { POST: { access: "public", url: "/api/auth/sign-in", body: () => ({ email: signInUser.email, password: TEST_PASSWORD }) } } },
  "auth/sign-out": { params: {}, methods: { POST: { access: "public", url: "/api/auth/sign-out", body: {} } } },
  "auth/setup": { params: {}, methods: { POST: { access: "public", url: "/api/auth/setup", body: { email: "late@test.local", name: "Late", password: "long enough password" } } } },
  health: { params: {}, methods: { GET: { access: "public", url: "/api/health" } } },
  metrics: { params: {}, methods: { GET: { access: "bearer", url: "/api/metrics" } } },
  "trpc/[trpc]": {
    params: { trpc: "records.facets" },
    methods: {
      GET: { access: { session: "duty_manager" }, url: "/api/trpc/records.facets" },
      POST: { access: { session: "admin" }, url: "/api/trpc/adminTokens.create", body: { json: { name: "from the route test" } } },
    },
  },
  "v1/cases/[caseId]/record": { params: { caseId: "CASE-NONE" }, methods: { GET: { access: "bearer", url: "/api/v1/cases/CASE-NONE/record" } } },
  "v1/cases/[caseId]/versions": { params: { caseId: "CASE-NONE" }, methods: { GET: { access: "bearer", url: "/api/v1/cases/CASE-NONE/versions" } } },
  "v1/cases/[caseId]/versions/[n]": { params: { caseId: "CASE-NONE", n: "1" }, methods: { GET: { access: "bearer", url: "/api/v1/cases/CASE-NONE/versions/1" } } },
  "v1/events/[source]/[webhookId]": { params: { source: "ticketing", webhookId: "wh_none" }, methods: { GET: { access: "bearer", url: "/api/v1/events/ticketing/wh_none" } } },
  "v1/changes": { params: {}, methods: { GET: { access: "bearer", url: "/api/v1/changes?limit=5" } } },
  "v1/exceptions": { params: {}, methods: { GET: { access: "bearer", url: "/api/v1/exceptions?status=open" } } },
  "webhooks/[source]": {
    params: { source: "ticketing" },
    methods: { POST: { access: "signature", url: "/api/webhooks/ticketing", body: { type: "ticket.updated", caseId: "CASE-X", entity: { kind: "ticket", id: "T" }, version: 1, occurredAt: "2026-11-27T00:00:00Z", data: {} } } },
  },
};

const API_DIR = path.resolve(__dirname, "../../app/api");
function discoverRoutes(dir = API_DIR): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...discoverRoutes(full));
    else if (/^route\.(ts|tsx|js)$/.test(e.name)) out.push(path.relative(API_DIR, dir).split(path.sep).join("/"));
  }
  return out.sort();
}

function expected(access: Access, who: Principal): "ok" | 401 | 403 {
  if (access === "public") return "ok";
  if (access === "signature") return 401;
  if (access === "bearer") return who === "bearer_token" ? "ok" : 401;
  if (who === "anonymous" || who === "expired_session" || who === "bearer_token") return 401;
  return ROLE_RANK[who] >= ROLE_RANK[access.session] ? "ok" : 403;
}

let t: TestRuntime;
let users: Awaited<ReturnType<typeof createRoleUsers>>;

beforeAll(async () => {
  t = await installTestRuntime();
  users = await createRoleUsers(t.rt.db);
  signInUser = await createUserRow(t.rt.db, "duty_manager", { email: "route.signin@test.local" });
});
afterAll(async () => t.close());

async function headersFor(who: Principal): Promise<Headers> {
  if (who === "anonymous") return new Headers();
  if (who === "bearer_token") return bearerHeaders();
  if (who === "expired_session") {
    const s = await createSession(t.rt.db, users.admin.id, {});
    await t.rt.db.session.update({ where: { id: s.id }, data: { expiresAt: new Date(Date.now() - 1) } });
    return new Headers({ cookie: `${SESSION_COOKIE}=${s.token}` });
  }
  return sessionHeaders(t.rt.db, users[who].id);
}

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;

async function call(route: string, method: Method, spec: MethodSpec, who: Principal): Promise<Response> {
  const mod = (await import(/* @vite-ignore */ path.join(API_DIR, route, "route.ts"))) as unknown as Record<string, Handler>;
  const headers = await headersFor(who);
  const raw = typeof spec.body === "function" ? (spec.body as () => unknown)() : spec.body;
  if (raw !== undefined) headers.set("content-type", "application/json");
  const req = new Request(BASE + spec.url, { method, headers, body: raw === undefined ? undefined : JSON.stringify(raw) });
  return mod[method]!(req, { params: Promise.resolve(ROUTES[route]!.params) });
}

describe("HTTP routes × callers", () => {
  const discovered = discoverRoutes();

  it("every route under app/api has an entry, with exactly the methods it exports", async () => {
    expect(discovered).toEqual(Object.keys(ROUTES).sort());
    for (const route of discovered) {
      const mod = (await import(/* @vite-ignore */ path.join(API_DIR, route, "route.ts"))) as Record<string, unknown>;
      const exported = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"].filter((m) => typeof mod[m] === "function");
      expect({ route, methods: exported }).toEqual({ route, methods: Object.keys(ROUTES[route]!.methods).sort() });
    }
  });

  it("the read API only has GET routes, so a token can never reach a mutation", () => {
    for (const [route, spec] of Object.entries(ROUTES)) {
      if (Object.values(spec.methods).some((m) => m.access === "bearer")) expect({ route, methods: Object.keys(spec.methods) }).toEqual({ route, methods: ["GET"] });
    }
  });

  for (const [route, spec] of Object.entries(ROUTES)) {
    for (const [method, m] of Object.entries(spec.methods) as [Method, MethodSpec][]) {
      it(`${method} /api/${route} answers each caller as expected`, async () => {
        const got: Record<string, string | number> = {};
        const want: Record<string, string | number> = {};
        for (const who of PRINCIPALS) {
          const res = await call(route, method, m, who);
          const status = res.status;
          got[who] = status === 401 || status === 403 ? status : status >= 500 && status !== 503 ? `error ${status}: ${await res.text()}` : "ok";
          want[who] = expected(m.access, who);
          if (status === 401 || status === 403) expect(res.headers.get("content-type")).toMatch(/application\/json/);
        }
        expect(got).toEqual(want);
      });
    }
  }
});

describe("auth routes", () => {
  it("sign-in sets an HttpOnly SameSite=Lax cookie (not Secure over plain http) and refuses non-JSON bodies", async () => {
    const mod = (await import("../../app/api/auth/sign-in/route")) as unknown as Record<string, Handler>;
    const ok = await mod.POST!(
      new Request(`${BASE}/api/auth/sign-in`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: signInUser.email, password: TEST_PASSWORD }) }),
      { params: Promise.resolve({}) },
    );
    expect(ok.status).toBe(200);
    const cookie = ok.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^err_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/);
    expect(await ok.json()).toEqual({ user: { id: signInUser.id, email: signInUser.email, name: signInUser.name, role: "duty_manager" } });

    const form = await mod.POST!(
      new Request(`${BASE}/api/auth/sign-in`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: `email=${signInUser.email}&password=${TEST_PASSWORD}` }),
      { params: Promise.resolve({}) },
    );
    expect(form.status).toBe(415);
    expect(form.headers.get("set-cookie")).toBeNull();
  });

  it("sign-out clears the cookie and revokes the session", async () => {
    const headers = await sessionHeaders(t.rt.db, users.specialist.id, { "content-type": "application/json" });
    const mod = (await import("../../app/api/auth/sign-out/route")) as unknown as Record<string, Handler>;
    const res = await mod.POST!(new Request(`${BASE}/api/auth/sign-out`, { method: "POST", headers, body: "{}" }), { params: Promise.resolve({}) });
    expect(res.headers.get("set-cookie")).toMatch(/^err_session=; Path=\/; HttpOnly; SameSite=Lax; Max-Age=0/);
    const trpc = (await import("../../app/api/trpc/[trpc]/route")) as unknown as Record<string, Handler>;
    const after = await trpc.GET!(new Request(`${BASE}/api/trpc/records.facets`, { headers }), { params: Promise.resolve({ trpc: "records.facets" }) });
    expect(after.status).toBe(401);
  });
});
