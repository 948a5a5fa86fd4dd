// The production server's first look at every request (scripts/start.mjs), before Next.js or the
// webhook lane sees it. API.md: no request, however malformed, earns a 5xx. Next.js answers a
// path with broken percent-encoding, an unknown method such as TRACE, and similar junk with a 500
// (and a stack trace on stderr), so those are answered here, with a 4xx and a JSON `error`.
//
// Plain JavaScript: start.mjs runs outside Next's bundle and without a TypeScript loader.
// scripts/edge-screen.d.mts gives the TypeScript side (tests) its types.

/** Methods each API route answers; HEAD comes with GET, OPTIONS with every route. */
const API_ROUTES = [
  [/^\/api\/webhooks\/[^/]+$/, ["POST"]],
  [/^\/api\/v1\/cases\/[^/]+\/(?:record|versions)$/, ["GET"]],
  [/^\/api\/v1\/cases\/[^/]+\/versions\/[^/]+$/, ["GET"]],
  [/^\/api\/v1\/events\/[^/]+\/[^/]+$/, ["GET"]],
  [/^\/api\/v1\/exceptions$/, ["GET"]],
  [/^\/api\/auth\/(?:sign-in|sign-out|setup)$/, ["POST"]],
  [/^\/api\/health$/, ["GET"]],
  [/^\/api\/trpc\/[^/]+$/, ["GET", "POST"]],
];

/** Pages, build assets and unknown API paths (which Next answers 404): reading only. */
const DEFAULT_METHODS = ["GET"];

// eslint-disable-next-line no-control-regex -- matching U+0000 is the point
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The methods a path answers, as an Allow header lists them. */
export function allowedMethods(pathname) {
  const match = API_ROUTES.find(([pattern]) => pattern.test(pathname));
  const methods = match ? match[1] : DEFAULT_METHODS;
  return [...methods, ...(methods.includes("GET") ? ["HEAD"] : []), "OPTIONS"];
}

function decode(text, where) {
  let decoded;
  try {
    decoded = decodeURIComponent(text);
  } catch {
    return { status: 400, error: `malformed percent-encoding in the URL ${where}` };
  }
  if (UNSTORABLE.test(decoded)) {
    return { status: 400, error: `the URL ${where} contains a NUL character or an unpaired surrogate` };
  }
  return null;
}

/**
 * A refusal `{ status, error, headers? }` for a request no route can answer sensibly, or null to
 * let it through. `rawUrl` is the request target exactly as sent (Node's req.url).
 */
export function screenRequest(method, rawUrl) {
  const url = rawUrl ?? "";
  if (!url.startsWith("/")) return { status: 400, error: "the request target must be a path starting with /" };
  const q = url.indexOf("?");
  const path = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? "" : url.slice(q + 1);
  const pathProblem = decode(path, "path");
  if (pathProblem) return pathProblem;
  for (const part of query.split("&")) {
    if (!part) continue;
    // Form encoding: "+" is a space; each name and value is decoded on its own.
    for (const piece of part.split("=")) {
      const problem = decode(piece.replace(/\+/g, " "), "query string");
      if (problem) return problem;
    }
  }
  // The pathname as Next routes it: decoded once per segment is not needed for matching, since
  // route patterns only look at the "/" structure, which encoding cannot add.
  const allow = allowedMethods(path);
  if (!allow.includes(method)) {
    return { status: 405, error: `method ${String(method).slice(0, 20)} is not allowed here; allowed: ${allow.join(", ")}`, headers: { allow: allow.join(", ") } };
  }
  return null;
}

/** Writes a refusal as the JSON answer API.md promises, with the API's security headers. */
export function writeRefusal(res, refusal, securityHeaders) {
  const body = JSON.stringify({ error: refusal.error });
  res.writeHead(refusal.status, {
    ...securityHeaders,
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
    "content-length": String(Buffer.byteLength(body)),
    ...refusal.headers,
  });
  res.end(body);
}

/** The headers next.config.js gives every answer (server/auth/security-headers.ts is the source; a test compares). */
export const STATIC_SECURITY_HEADERS = {
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "same-origin",
  "X-Frame-Options": "DENY",
  "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
  "Cross-Origin-Opener-Policy": "same-origin",
};
export const HSTS = "max-age=63072000; includeSubDomains";
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * Security headers for an answer to `pathname`, set before Next.js handles the request so that
 * answers next.config.js's `headers()` does not reach (redirects from proxy.ts, errors) carry
 * them too. Pages get their nonce CSP from proxy.ts, which overrides nothing here.
 */
export function securityHeadersFor(pathname, production) {
  return {
    ...STATIC_SECURITY_HEADERS,
    ...(production ? { "Strict-Transport-Security": HSTS } : {}),
    ...(pathname.startsWith("/api/") || !pathname.startsWith("/") ? { "Content-Security-Policy": API_CSP } : {}),
  };
}

/** Errors of a client that went away mid-request: nothing is wrong with the server. */
export function isClientAbort(err) {
  const code = err && typeof err === "object" ? err.code : undefined;
  return code === "ECONNRESET" || code === "ECONNABORTED" || code === "EPIPE" || code === "ERR_STREAM_PREMATURE_CLOSE" || (err instanceof Error && err.message === "aborted");
}
