import { describe, expect, it } from "vitest";
import { API_CSP as TS_API_CSP, HSTS as TS_HSTS, STATIC_SECURITY_HEADERS as TS_STATIC } from "../server/auth/security-headers";
import * as edgeHeaders from "../server/auth/edge-headers";
import { parseEnv } from "../server/env";
import { UNSTORABLE as TS_UNSTORABLE } from "../server/lib/safe-text";
import {
  API_CSP,
  CLIENT_ADDRESS_HEADER,
  FORWARDING_HEADERS,
  UNSTORABLE,
  rawAnswer,
  HSTS,
  PUBLIC_ORIGIN_HEADER,
  STATIC_SECURITY_HEADERS,
  allowedMethods,
  clientAddress,
  parseTrustedProxies,
  publicOrigin,
  screenRequest,
  securityHeadersFor,
  stampClient,
  writeRefusal,
} from "./edge-screen.mjs";

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
    expect(screenRequest("POST", "/api/openapi.json")).toMatchObject({ status: 405, headers: { allow: "GET, HEAD, OPTIONS" } });
  });

  it("a 400 carries issues, as every 400 does (docs/api.md)", () => {
    let written = "";
    const res = { writeHead: () => {}, end: (body: string) => (written = body) };
    writeRefusal(res as never, screenRequest("GET", "/api/v1/cases/%E0%A4%A/record")!, {});
    expect(JSON.parse(written)).toEqual({ error: "malformed percent-encoding in the URL path", issues: [{ path: "", message: "malformed percent-encoding in the URL path" }] });
  });
});

describe("one unstorable-text pattern", () => {
  it("is the same here as in server/lib/safe-text.ts (this file cannot import TypeScript)", () => {
    expect([UNSTORABLE.source, UNSTORABLE.flags]).toEqual([TS_UNSTORABLE.source, TS_UNSTORABLE.flags]);
  });
});

describe("security headers at the edge", () => {
  it("are on the raw answers written to the socket (unparsable requests, timeouts, CONNECT)", () => {
    for (const production of [false, true]) {
      const text = rawAnswer(405, "Method Not Allowed", "no", production, { Allow: "GET" });
      const [head = "", body] = text.split("\r\n\r\n");
      const headers = Object.fromEntries(head.split("\r\n").slice(1).map((l) => [l.slice(0, l.indexOf(":")), l.slice(l.indexOf(":") + 2)]));
      expect(head.split("\r\n")[0]).toBe("HTTP/1.1 405 Method Not Allowed");
      expect(headers).toMatchObject({ ...STATIC_SECURITY_HEADERS, "Content-Security-Policy": API_CSP, Allow: "GET", Connection: "close", "Content-Length": String(Buffer.byteLength(body!)) });
      expect("Strict-Transport-Security" in headers).toBe(production);
      expect(JSON.parse(body!)).toEqual({ error: "no" });
    }
  });

  it("say the same as server/auth/security-headers.ts", () => {
    expect(STATIC_SECURITY_HEADERS).toEqual(TS_STATIC);
    expect(HSTS).toBe(TS_HSTS);
    expect(API_CSP).toBe(TS_API_CSP);
  });
  it("API answers get the API CSP, pages theirs from proxy.ts; HSTS in production", () => {
    expect(securityHeadersFor("/api/health", true)).toMatchObject({ "Content-Security-Policy": API_CSP, "Strict-Transport-Security": HSTS, "X-Frame-Options": "DENY" });
    expect(securityHeadersFor("/records", false)["Content-Security-Policy"]).toBeUndefined();
    expect(securityHeadersFor("/records", false)["Strict-Transport-Security"]).toBeUndefined();
    // Every request shares one of four sets: none can be changed by a caller for the next request.
    const shared = securityHeadersFor("/api/health", true);
    expect(Object.isFrozen(shared)).toBe(true);
    expect(() => Object.assign(shared, { "X-Frame-Options": "ALLOW" })).toThrow(TypeError);
    expect(securityHeadersFor("/api/x", true)["X-Frame-Options"]).toBe("DENY");
  });
});

describe("proxies are trusted only when configured", () => {
  const none = parseTrustedProxies("");
  const lb = parseTrustedProxies("10.0.0.0/8, 192.168.1.7 fd00::/8");
  it("without TRUSTED_PROXIES the socket's peer is the client, whatever X-Forwarded-For says", () => {
    expect(clientAddress("203.0.113.9", "1.2.3.4", none)).toBe("203.0.113.9");
    expect(clientAddress("::ffff:203.0.113.9", "1.2.3.4, 5.6.7.8", none)).toBe("203.0.113.9");
    expect(clientAddress("10.1.2.3", "1.2.3.4", none)).toBe("10.1.2.3");
  });
  it("behind a trusted proxy, the right-most untrusted forwarded address is the client", () => {
    expect(clientAddress("10.1.2.3", "198.51.100.4", lb)).toBe("198.51.100.4");
    // A client's own X-Forwarded-For entries (left of what the proxy appended) prove nothing.
    expect(clientAddress("10.1.2.3", "6.6.6.6, 198.51.100.4", lb)).toBe("198.51.100.4");
    expect(clientAddress("10.1.2.3", "198.51.100.4, 192.168.1.7", lb)).toBe("198.51.100.4");
    expect(clientAddress("10.1.2.3", undefined, lb)).toBe("10.1.2.3");
    expect(clientAddress("10.1.2.3", "not-an-ip", lb)).toBe("10.1.2.3");
    expect(clientAddress("203.0.113.9", "198.51.100.4", lb)).toBe("203.0.113.9"); // not from the proxy
  });
  it("refuses malformed TRUSTED_PROXIES and APP_URL at start", () => {
    for (const bad of ["10.0.0.0/33", "banana", "10.0.0.0/8/1", "::/129"]) expect(() => parseTrustedProxies(bad)).toThrow(/TRUSTED_PROXIES/);
    expect(() => parseEnv({ TRUSTED_PROXIES: "banana" })).toThrow(/TRUSTED_PROXIES/);
    expect(() => parseEnv({ APP_URL: "escalations.example.com" })).toThrow(/APP_URL/);
    expect(parseEnv({ TRUSTED_PROXIES: "10.0.0.0/8", APP_URL: "https://x.example" })).toMatchObject({ TRUSTED_PROXIES: "10.0.0.0/8", APP_URL: "https://x.example" });
  });
  it("the public origin: APP_URL, else a trusted proxy's forwarded proto and host, else plain http and Host", () => {
    const h = { host: "10.0.0.5:3000", "x-forwarded-host": "esc.example.com", "x-forwarded-proto": "https" };
    expect(publicOrigin(h, false, undefined)).toBe("http://10.0.0.5:3000");
    expect(publicOrigin(h, true, undefined)).toBe("https://esc.example.com");
    expect(publicOrigin(h, true, "https://app.example:8443/x")).toBe("https://app.example:8443");
    expect(publicOrigin({ host: "bad host:x" }, false, undefined)).toBe("null");
  });
  it("the public origin stays right for every host, beyond the remembered ones", () => {
    // More hosts than the origin cache keeps (256), twice over: each answer is its own host's.
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 600; i++) expect(publicOrigin({ host: `h${i}.example:${1000 + i}` }, false, undefined)).toBe(`http://h${i}.example:${1000 + i}`);
    }
    expect(publicOrigin({ host: "H0.Example" }, false, undefined)).toBe("http://h0.example");
  });
  it("stamps both headers, replacing client-sent copies", () => {
    const req = { socket: { remoteAddress: "203.0.113.9" }, headers: { host: "h:1", "x-forwarded-for": "1.1.1.1", [CLIENT_ADDRESS_HEADER]: "6.6.6.6", [PUBLIC_ORIGIN_HEADER]: "https://evil.example" } };
    stampClient(req as never, none, undefined);
    expect(req.headers[CLIENT_ADDRESS_HEADER]).toBe("203.0.113.9");
    expect(req.headers[PUBLIC_ORIGIN_HEADER]).toBe("http://h:1");
  });
  it("removes forwarding headers a peer that is not a trusted proxy sent, and keeps a trusted proxy's", () => {
    const forged = () => ({ host: "h:1", forwarded: "for=6.6.6.6;host=evil.example", "x-forwarded-for": "6.6.6.6", "x-forwarded-host": "evil.example", "x-forwarded-proto": "https", "x-forwarded-port": "443", "x-real-ip": "6.6.6.6" });
    const direct = { socket: { remoteAddress: "203.0.113.9" }, headers: forged() as Record<string, string> };
    stampClient(direct as never, none, undefined);
    for (const name of FORWARDING_HEADERS) expect(direct.headers, name).not.toHaveProperty(name);
    expect(direct.headers.host).toBe("h:1");
    const viaProxy = { socket: { remoteAddress: "10.0.0.5" }, headers: forged() as Record<string, string> };
    stampClient(viaProxy as never, parseTrustedProxies("10.0.0.0/8"), undefined);
    expect(viaProxy.headers["x-forwarded-host"]).toBe("evil.example");
    expect(viaProxy.headers[CLIENT_ADDRESS_HEADER]).toBe("6.6.6.6");
  });
  it("the app reads the same header names", () => {
    expect({ ...edgeHeaders }).toEqual({ CLIENT_ADDRESS_HEADER, PUBLIC_ORIGIN_HEADER });
  });
});
