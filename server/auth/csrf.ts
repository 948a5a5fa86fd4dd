import { PUBLIC_ORIGIN_HEADER } from "./edge-headers";

/**
 * Cross-site request forgery guard for browser-facing endpoints that change state: the tRPC API
 * and /api/auth/*. A state-changing request must (1) be JSON, which a cross-site HTML form cannot
 * send without a CORS preflight, and (2) come from this origin, by Origin or, when a browser
 * omits it, Sec-Fetch-Site. Webhooks (signed) and the read API (GET, bearer) are not cookie-based
 * and are left alone. Pure, so the proxy runs it without loading the database.
 */
export const GUARDED_PREFIXES = ["/api/trpc", "/api/auth/"] as const;
const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export interface Refusal {
  status: 403 | 415;
  error: string;
}

export function isGuardedPath(pathname: string): boolean {
  return GUARDED_PREFIXES.some((p) => pathname === p || pathname.startsWith(p.endsWith("/") ? p : `${p}/`));
}

/**
 * The origin (scheme, host and port) browsers use for this app: APP_URL when configured; else the
 * one the production server established (scripts/start.mjs: a trusted proxy's forwarded proto and
 * host, or its own Host over plain http); else, under `next dev` and in tests, the request's own
 * URL. A client-sent X-Forwarded-Host counts for nothing here.
 */
export function expectedOrigin(headers: Headers, url: string, appUrl = process.env.APP_URL): string {
  if (appUrl) {
    try {
      return new URL(appUrl).origin;
    } catch {
      // server/env.ts refuses a malformed APP_URL at start; fall through rather than throw here.
    }
  }
  const stamped = headers.get(PUBLIC_ORIGIN_HEADER);
  if (stamped) return stamped;
  const own = new URL(url);
  const host = headers.get("host");
  if (!host) return own.origin;
  try {
    return new URL(`${own.protocol}//${host}`).origin;
  } catch {
    return own.origin;
  }
}

export function mediaType(headers: Headers): string {
  return (headers.get("content-type") ?? "").split(";", 1)[0]!.trim().toLowerCase();
}

export function checkStateChangingRequest(req: { method: string; url: string; headers: Headers }): Refusal | null {
  const pathname = new URL(req.url).pathname;
  if (SAFE_METHODS.has(req.method.toUpperCase()) || !isGuardedPath(pathname)) return null;
  const origin = req.headers.get("origin");
  if (origin) {
    let sent: string | null = null;
    try {
      sent = origin === "null" ? null : new URL(origin).origin;
    } catch {
      sent = null;
    }
    if (sent !== expectedOrigin(req.headers, req.url)) {
      return { status: 403, error: "Cross-origin request refused: this endpoint only accepts requests from its own site." };
    }
  } else {
    const site = req.headers.get("sec-fetch-site");
    if (site !== "same-origin") {
      return { status: 403, error: "Request refused: a state-changing request must carry an Origin header from this site." };
    }
  }
  if (mediaType(req.headers) !== "application/json") {
    return { status: 415, error: "Send this request as application/json." };
  }
  return null;
}
