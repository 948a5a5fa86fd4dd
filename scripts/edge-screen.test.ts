import { describe, expect, it } from "vitest";
import { API_CSP as TS_API_CSP, HSTS as TS_HSTS, STATIC_SECURITY_HEADERS as TS_STATIC } from "../server/auth/security-headers";
import { API_CSP, HSTS, STATIC_SECURITY_HEADERS, allowedMethods, screenRequest, securityHeadersFor } from "./edge-screen.mjs";

/** The production server's screening (scripts/start.mjs): every case here was a 500 from Next.js before. */
describe("malformed request targets get 400, never a 5xx", () => {
  const cases = [
    "/api/v1/cases/%E0%A4%A/record",
    "/api/trpc/records.current%FF",
    "/api/v1/cases/%ED%A0%80/record", // an encoded lone surrogate (CESU-8), not valid UTF-8
    "/api/v1/cases/%/record",
    "/api/v1/cases/CASE%001/record",
    "/records/%E0",
    "/api/health?x=%E0%A4%A",
    "/api/v1/exceptions?status=open%00",
    "/api/v1/exceptions?na%ZZme=1",
  ];
  for (const url of cases) {
    it(url, () => {
      const r = screenRequest("GET", url);
      expect(r?.status).toBe(400);
      expect(r?.error).toMatch(/percent-encoding|NUL/);
    });
  }
  it("refuses a target that is not a path", () => {
    expect(screenRequest("GET", "*")?.status).toBe(400);
    expect(screenRequest("GET", "http://evil.example/")?.status).toBe(400);
  });
  it("lets well-formed targets through, encoded ones included", () => {
    for (const url of ["/", "/records/CASE-1", "/api/v1/cases/CASE%2F1%20x/record", "/api/v1/exceptions?status=open&q=a+b%C3%A9", "/api/trpc/a,b?batch=1&input=%7B%7D", "/api/v1/cases/%F0%9F%98%80/record"]) {
      expect(screenRequest("GET", url)).toBeNull();
    }
    expect(screenRequest("POST", "/api/webhooks/ticketing")).toBeNull();
    expect(screenRequest("POST", "/api/trpc/records.refresh")).toBeNull();
    expect(screenRequest("HEAD", "/api/v1/cases/x/record")).toBeNull();
    expect(screenRequest("OPTIONS", "/api/webhooks/ticketing")).toBeNull();
  });
});

describe("unsupported methods get 405 with Allow", () => {
  it("TRACE, CONNECT-like and unknown methods on any path", () => {
    for (const m of ["TRACE", "PROPFIND", "BREW", "CONNECT"]) {
      for (const url of ["/", "/records/CASE-1", "/api/health", "/api/nothing-here"]) {
        const r = screenRequest(m, url);
        expect(r?.status).toBe(405);
        expect(r?.headers?.allow).toContain("GET");
      }
    }
  });
  it("per route: the read API reads, intake and sign-in post", () => {
    expect(screenRequest("DELETE", "/api/v1/cases/x/record")).toMatchObject({ status: 405, headers: { allow: "GET, HEAD, OPTIONS" } });
    expect(screenRequest("PUT", "/api/webhooks/ticketing")).toMatchObject({ status: 405, headers: { allow: "POST, OPTIONS" } });
    expect(screenRequest("GET", "/api/webhooks/ticketing")).toMatchObject({ status: 405 });
    expect(screenRequest("GET", "/api/auth/sign-in")).toMatchObject({ status: 405, headers: { allow: "POST, OPTIONS" } });
    expect(screenRequest("POST", "/api/health")).toMatchObject({ status: 405 });
    expect(screenRequest("PATCH", "/api/trpc/records.current")).toMatchObject({ status: 405, headers: { allow: "GET, POST, HEAD, OPTIONS" } });
    expect(screenRequest("POST", "/records/CASE-1")).toMatchObject({ status: 405 });
    expect(allowedMethods("/api/v1/cases/x/versions/3")).toEqual(["GET", "HEAD", "OPTIONS"]);
  });
});

describe("security headers at the edge", () => {
  it("say the same as server/auth/security-headers.ts", () => {
    expect(STATIC_SECURITY_HEADERS).toEqual(TS_STATIC);
    expect(HSTS).toBe(TS_HSTS);
    expect(API_CSP).toBe(TS_API_CSP);
  });
  it("API answers get the API CSP, pages theirs from proxy.ts; HSTS in production", () => {
    expect(securityHeadersFor("/api/health", true)).toMatchObject({ "Content-Security-Policy": API_CSP, "Strict-Transport-Security": HSTS, "X-Frame-Options": "DENY" });
    expect(securityHeadersFor("/records", false)["Content-Security-Policy"]).toBeUndefined();
    expect(securityHeadersFor("/records", false)["Strict-Transport-Security"]).toBeUndefined();
  });
});
