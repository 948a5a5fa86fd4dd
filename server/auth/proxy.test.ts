import { NextRequest } from "next/server";
import { unstable_doesMiddlewareMatch, unstable_getResponseFromNextConfig } from "next/experimental/testing/server";
import type { NextConfig } from "next";
import { describe, expect, it, vi } from "vitest";
// @ts-expect-error -- next.config.js is plain JavaScript without a declaration file
import nextConfigJs from "../../next.config.js";
import { config, proxy } from "../../proxy";
import { SESSION_COOKIE } from "./cookies";
import { PUBLIC_ORIGIN_HEADER } from "./edge-headers";
import { API_CSP, HSTS, STATIC_SECURITY_HEADERS } from "./security-headers";
import { safeNextPath } from "./next-path";

/** proxy.ts (CSRF guard, sign-in redirect, page CSP) and next.config.js's static security headers. */
const SITE = "http://127.0.0.1:4455";
const nextConfig = nextConfigJs as NextConfig;

function req(pathname: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): NextRequest {
  return new NextRequest(SITE + pathname, { method: init.method ?? "GET", headers: { host: "127.0.0.1:4455", ...init.headers }, body: init.body });
}
const passes = (res: Response) => res.headers.get("x-middleware-next") === "1";
const json = { "content-type": "application/json" };
const sameOrigin = { origin: SITE, ...json };

describe("CSRF guard on state-changing browser endpoints", () => {
  const targets = ["/api/trpc/adminTokens.create", "/api/trpc/auth.signOutOthers,records.list", "/api/auth/sign-in", "/api/auth/sign-out", "/api/auth/setup"];

  it("lets same-origin JSON through", () => {
    for (const p of targets) expect(passes(proxy(req(p, { method: "POST", headers: sameOrigin, body: "{}" })))).toBe(true);
    // Same origin told by Sec-Fetch-Site when a browser leaves Origin out.
    expect(passes(proxy(req(targets[0]!, { method: "POST", headers: { "sec-fetch-site": "same-origin", ...json }, body: "{}" })))).toBe(true);
  });

  it("refuses another origin, the opaque origin, and requests with no origin at all", async () => {
    const cases: Record<string, string>[] = [
      { origin: "https://evil.example", ...json },
      { origin: "http://127.0.0.1:4456", ...json },
      { origin: "null", ...json },
      { "sec-fetch-site": "cross-site", ...json },
      { "sec-fetch-site": "same-site", ...json },
      { ...json },
    ];
    for (const p of targets) {
      for (const headers of cases) {
        const res = proxy(req(p, { method: "POST", headers, body: "{}" }));
        expect({ p, headers, status: res.status }).toEqual({ p, headers, status: 403 });
        expect((await res.json()).error).toMatch(/refused/i);
      }
    }
  });

  it("refuses bodies a cross-site form could send, even from the same origin", () => {
    for (const type of ["application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/plain", ""]) {
      for (const p of targets) {
        const headers: Record<string, string> = { origin: SITE };
        if (type) headers["content-type"] = type;
        expect({ p, type, status: proxy(req(p, { method: "POST", headers, body: "a=1" })).status }).toEqual({ p, type, status: 415 });
      }
    }
    for (const method of ["PUT", "PATCH", "DELETE"]) expect(proxy(req(targets[0]!, { method, headers: { origin: "https://evil.example", ...json }, body: "{}" })).status).toBe(403);
  });

  it("ignores a client-sent X-Forwarded-Host, and compares scheme and port too", () => {
    const forged = req("/api/auth/sign-in", { method: "POST", headers: { origin: "https://escalations.example.com", "x-forwarded-host": "escalations.example.com", ...json }, body: "{}" });
    expect(proxy(forged).status).toBe(403);
    for (const origin of ["https://127.0.0.1:4455", "http://127.0.0.1:4456", "http://127.0.0.1"]) {
      expect(proxy(req("/api/auth/sign-in", { method: "POST", headers: { origin, ...json }, body: "{}" })).status).toBe(403);
    }
  });

  it("trusts the public origin the production server established (a trusted proxy's forwarded host and proto)", () => {
    const stamped = { [PUBLIC_ORIGIN_HEADER]: "https://escalations.example.com" };
    expect(passes(proxy(req("/api/auth/sign-in", { method: "POST", headers: { origin: "https://escalations.example.com", ...stamped, ...json }, body: "{}" })))).toBe(true);
    expect(proxy(req("/api/auth/sign-in", { method: "POST", headers: { origin: "http://escalations.example.com", ...stamped, ...json }, body: "{}" })).status).toBe(403);
    expect(proxy(req("/api/auth/sign-in", { method: "POST", headers: { origin: SITE, ...stamped, ...json }, body: "{}" })).status).toBe(403);
  });

  it("with APP_URL, only that origin passes", () => {
    vi.stubEnv("APP_URL", "https://app.example:8443/");
    try {
      expect(passes(proxy(req("/api/auth/sign-in", { method: "POST", headers: { origin: "https://app.example:8443", ...json }, body: "{}" })))).toBe(true);
      expect(proxy(req("/api/auth/sign-in", { method: "POST", headers: sameOrigin, body: "{}" })).status).toBe(403);
      expect(proxy(req("/api/auth/sign-in", { method: "POST", headers: { origin: "https://app.example", ...json }, body: "{}" })).status).toBe(403);
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("leaves signed webhooks and the bearer read API alone", () => {
    expect(passes(proxy(req("/api/webhooks/ticketing", { method: "POST", headers: json, body: "{}" })))).toBe(true);
    expect(passes(proxy(req("/api/v1/exceptions", { headers: { authorization: "Bearer x" } })))).toBe(true);
    expect(passes(proxy(req("/api/trpc/records.list", { headers: { origin: "https://evil.example" } })))).toBe(true); // queries change nothing
  });

  it("runs for every API path, whatever it ends with", () => {
    for (const url of ["/api/trpc/adminTokens.create", "/api/trpc/auth.signOutOthers,x.js", "/api/auth/sign-in.css", "/records", "/admin/users", "/sign-in"]) {
      expect({ url, match: unstable_doesMiddlewareMatch({ config, url }) }).toEqual({ url, match: true });
    }
    for (const url of ["/_next/static/chunks/main.js", "/favicon.ico"]) expect({ url, match: unstable_doesMiddlewareMatch({ config, url }) }).toEqual({ url, match: false });
  });
});

describe("pages", () => {
  it("redirect to /sign-in?next=… without a session cookie", () => {
    const res = proxy(req("/records?severity=S1"));
    expect(res.status).toBe(307);
    // Next.js makes a same-origin Location relative when it sends the answer; compare path and query.
    const where = (r: Response) => { const u = new URL(r.headers.get("location")!); return u.pathname + u.search; };
    expect(where(res)).toBe("/sign-in?next=%2Frecords%3Fseverity%3DS1");
    // Security headers on the redirect itself (next.config.js's headers() do not reach it).
    for (const [name, value] of Object.entries(STATIC_SECURITY_HEADERS)) expect(res.headers.get(name)).toBe(value);
    expect(where(proxy(req("/")))).toBe("/sign-in");
    expect(where(proxy(req("/admin/users", { headers: { cookie: "other=1" } })))).toBe("/sign-in?next=%2Fadmin%2Fusers");
    expect(passes(proxy(req("/sign-in")))).toBe(true);
    expect(passes(proxy(req("/sign-in/setup")))).toBe(true);
    // public/robots.txt is for anyone; a look-alike path is not.
    expect(passes(proxy(req("/robots.txt")))).toBe(true);
    expect(proxy(req("/robots.txt/x")).status).toBe(307);
  });

  it("get a fresh nonce CSP with frame-ancestors 'none', handed to Next.js on the request", () => {
    const a = proxy(req("/records", { headers: { cookie: `${SESSION_COOKIE}=abc` } }));
    const b = proxy(req("/records", { headers: { cookie: `${SESSION_COOKIE}=abc` } }));
    expect(passes(a)).toBe(true);
    const csp = a.headers.get("content-security-policy")!;
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(b.headers.get("content-security-policy")).not.toBe(csp);
    for (const d of ["default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'", "form-action 'self'", "'strict-dynamic'"]) expect(csp).toContain(d);
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    expect(a.headers.get("x-middleware-request-x-nonce")).toBe(nonce);
    expect(a.headers.get("x-middleware-request-content-security-policy")).toBe(csp);
    expect(a.headers.get("x-middleware-request-x-request-path")).toBe("/records");
  });

  it("upgrade insecure requests only when served over https", () => {
    const http = proxy(req("/sign-in")).headers.get("content-security-policy")!;
    const https = proxy(req("/sign-in", { headers: { "x-forwarded-proto": "https" } })).headers.get("content-security-policy")!;
    expect(http).not.toContain("upgrade-insecure-requests");
    expect(https).toContain("upgrade-insecure-requests");
  });

  it("send people back only to paths on this site", () => {
    expect(safeNextPath("/records?x=1")).toBe("/records?x=1");
    for (const bad of ["//evil.example", "/\\evil.example", "https://evil.example", "javascript:alert(1)", "/sign-in?next=/x", "/api/trpc/x", "/x\r\nSet-Cookie: a=b", "", null]) {
      expect(safeNextPath(bad, "/")).toBe("/");
    }
  });
});

describe("static security headers (next.config.js)", () => {
  async function headersOf(url: string, config: NextConfig = nextConfig) {
    const res = await unstable_getResponseFromNextConfig({ url: `${SITE}${url}`, nextConfig: config });
    return Object.fromEntries([...res.headers.entries()].map(([k, v]) => [k.toLowerCase(), v]));
  }

  it("match server/auth/security-headers.ts on pages and API routes", async () => {
    for (const url of ["/records", "/sign-in", "/api/health", "/api/v1/exceptions", "/api/trpc/me.get"]) {
      const h = await headersOf(url);
      for (const [k, v] of Object.entries(STATIC_SECURITY_HEADERS)) expect({ url, [k]: h[k.toLowerCase()] }).toEqual({ url, [k]: v });
    }
  });

  it("give API routes a CSP that allows nothing, and leave the page CSP to the proxy", async () => {
    expect((await headersOf("/api/v1/exceptions"))["content-security-policy"]).toBe(API_CSP);
    expect((await headersOf("/records"))["content-security-policy"]).toBeUndefined();
  });

  it("send HSTS from production builds only", async () => {
    expect((await headersOf("/records"))["strict-transport-security"]).toBeUndefined();
    vi.stubEnv("NODE_ENV", "production");
    vi.resetModules();
    try {
      // @ts-expect-error -- next.config.js is plain JavaScript without a declaration file
      const prod = (await import("../../next.config.js")).default as NextConfig;
      expect((await headersOf("/records", prod))["strict-transport-security"]).toBe(HSTS);
      expect((await headersOf("/api/health", prod))["strict-transport-security"]).toBe(HSTS);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
