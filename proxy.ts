import { NextResponse, type NextRequest } from "next/server";
import { SESSION_COOKIE, isHttpsRequest } from "./server/auth/cookies";
import { checkStateChangingRequest } from "./server/auth/csrf";
import { safeNextPath } from "./server/auth/next-path";
import { REQUEST_PATH_HEADER_NAME } from "./server/auth/request-path";
import { newNonce, pageCsp, STATIC_SECURITY_HEADERS } from "./server/auth/security-headers";

/**
 * Runs before every route (Next.js 16's Proxy, formerly Middleware):
 * - refuses cross-site and non-JSON state-changing requests to the tRPC API and /api/auth/*;
 * - sends page requests without a session cookie to /sign-in?next=<page> (an optimistic check:
 *   pages and procedures verify the session themselves, see server/auth/page-guard.ts);
 * - gives every page a fresh CSP nonce, which Next.js puts on its scripts.
 * Static headers for all routes (nosniff, Referrer-Policy, HSTS, API CSP) come from next.config.js.
 */
const PUBLIC_PAGES = new Set(["/sign-in", "/sign-in/setup"]);
/** Static files in public/ anyone may fetch (robots.txt tells crawlers this internal tool is off limits). */
const PUBLIC_FILES = new Set(["/robots.txt"]);

export function proxy(req: NextRequest): NextResponse {
  const { pathname, search } = req.nextUrl;
  if (pathname.startsWith("/api/")) {
    const refusal = checkStateChangingRequest(req);
    if (refusal) return NextResponse.json({ error: refusal.error }, { status: refusal.status, headers: { "cache-control": "no-store" } });
    return NextResponse.next();
  }

  if (PUBLIC_FILES.has(pathname)) return NextResponse.next();

  const nonce = newNonce();
  const csp = pageCsp(nonce, { dev: process.env.NODE_ENV === "development", https: isHttpsRequest(req.url, req.headers) });

  if (!PUBLIC_PAGES.has(pathname) && !req.cookies.get(SESSION_COOKIE)?.value) {
    const target = new URL("/sign-in", req.url);
    const next = safeNextPath(pathname + search, "");
    if (next && next !== "/") target.searchParams.set("next", next);
    const res = NextResponse.redirect(target, 307);
    res.headers.set("content-security-policy", csp);
    // next.config.js's headers() do not reach a proxy's redirect (scripts/start.mjs also sets them on every answer).
    for (const [name, value] of Object.entries(STATIC_SECURITY_HEADERS)) res.headers.set(name, value);
    return res;
  }

  const requestHeaders = new Headers(req.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("content-security-policy", csp);
  requestHeaders.set(REQUEST_PATH_HEADER_NAME, pathname + search);
  const res = NextResponse.next({ request: { headers: requestHeaders } });
  res.headers.set("content-security-policy", csp);
  return res;
}

export const config = {
  matcher: [
    // Everything but build assets. No extension-based exclusions: "/api/trpc/a,b.js" must not slip past the guard.
    "/((?!_next/static|_next/image|favicon.ico|api/webhooks/).*)",
  ],
};
