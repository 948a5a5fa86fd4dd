// The production server's first look at every request (scripts/start.mjs), before Next.js or the
// webhook lane sees it. docs/api.md: no request, however malformed, earns a 5xx. Next.js answers a
// path with broken percent-encoding, an unknown method such as TRACE, and similar junk with a 500
// (and a stack trace on stderr), so those are answered here, with a 4xx and a JSON `error`.
//
// Plain JavaScript: start.mjs runs outside Next's bundle and without a TypeScript loader.
// scripts/edge-screen.d.mts gives the TypeScript side (tests) its types.
import net from "node:net";

/** Methods each API route answers; HEAD comes with GET, OPTIONS with every route. */
const API_ROUTES = [
  [/^\/api\/webhooks\/[^/]+$/, ["POST"]],
  [/^\/api\/v1\/cases\/[^/]+\/(?:record|versions)$/, ["GET"]],
  [/^\/api\/v1\/cases\/[^/]+\/versions\/[^/]+$/, ["GET"]],
  [/^\/api\/v1\/events\/[^/]+\/[^/]+$/, ["GET"]],
  [/^\/api\/v1\/exceptions$/, ["GET"]],
  [/^\/api\/auth\/(?:sign-in|sign-out|setup)$/, ["POST"]],
  [/^\/api\/health$/, ["GET"]],
  [/^\/api\/openapi\.json$/, ["GET"]],
  [/^\/api\/trpc\/[^/]+$/, ["GET", "POST"]],
];

/** Pages, build assets and unknown API paths (which Next answers 404): reading only. */
const DEFAULT_METHODS = ["GET"];

// The same pattern as server/lib/safe-text.ts's UNSTORABLE (this file cannot import TypeScript;
// scripts/edge-screen.test.ts asserts the two are identical).
// eslint-disable-next-line no-control-regex -- matching U+0000 is the point
export const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

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

/** Writes a refusal as the JSON answer docs/api.md promises, with the API's security headers. */
export function writeRefusal(res, refusal, securityHeaders) {
  // docs/api.md: a 400 also carries `issues`; the URL as a whole is what is wrong ("" points at the whole input).
  const extra = refusal.correlationId ? { correlationId: refusal.correlationId } : refusal.status === 400 ? { issues: [{ path: "", message: refusal.error }] } : {};
  const body = JSON.stringify({ error: refusal.error, ...extra });
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
  const api = pathname.startsWith("/api/") || !pathname.startsWith("/");
  return SECURITY_HEADER_SETS[(production ? 2 : 0) + (api ? 1 : 0)];
}

/**
 * The four sets securityHeadersFor hands out (production or not, API or page), built once and
 * frozen: every request takes one, and building it afresh for each was about 1 % of the event
 * loop under overload (bench:overload's CPU profile), where most answers are cheap refusals.
 */
const SECURITY_HEADER_SETS = [false, true].flatMap((production) =>
  [false, true].map((api) =>
    Object.freeze({
      ...STATIC_SECURITY_HEADERS,
      ...(production ? { "Strict-Transport-Security": HSTS } : {}),
      ...(api ? { "Content-Security-Policy": API_CSP } : {}),
    }),
  ),
);

/**
 * A whole HTTP/1.1 answer as raw text, for the places that write to the socket because Node never
 * made a request of it (unparsable requests, timeouts, CONNECT): the same JSON `error` and the same
 * security headers as every other answer (the API's, since there is no page to frame).
 */
export function rawAnswer(status, statusText, error, production, extraHeaders = {}) {
  const body = JSON.stringify({ error });
  const headers = {
    ...securityHeadersFor("", production),
    "Content-Type": "application/json; charset=utf-8",
    "Cache-Control": "no-store",
    "Content-Length": String(Buffer.byteLength(body)),
    ...extraHeaders,
    Connection: "close",
  };
  return `HTTP/1.1 ${status} ${statusText}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join("\r\n")}\r\n\r\n${body}`;
}

/** Errors of a client that went away mid-request: nothing is wrong with the server. */
export function isClientAbort(err) {
  const code = err && typeof err === "object" ? err.code : undefined;
  return code === "ECONNRESET" || code === "ECONNABORTED" || code === "EPIPE" || code === "ERR_STREAM_PREMATURE_CLOSE" || (err instanceof Error && err.message === "aborted");
}

// ---- Who the client is: proxies are trusted only when configured (TRUSTED_PROXIES) ----


/** Headers only this server sets (any copy a client sends is removed): the client's address and the public origin. */
export const CLIENT_ADDRESS_HEADER = "x-escalation-client-address";
export const PUBLIC_ORIGIN_HEADER = "x-escalation-public-origin";

const normalise = (addr) => {
  const a = String(addr ?? "").trim();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(a);
  return mapped ? mapped[1] : a;
};

/**
 * TRUSTED_PROXIES: CIDRs (or single addresses) separated by commas or spaces, e.g.
 * "10.0.0.0/8, 192.168.1.7, fd00::/8". Throws on anything else; empty means no proxy is trusted.
 */
export function parseTrustedProxies(text) {
  const list = new net.BlockList();
  let count = 0;
  for (const item of String(text ?? "").split(/[\s,]+/).filter(Boolean)) {
    const [ip, bits, extra] = item.split("/");
    const family = net.isIP(normalise(ip));
    const prefix = bits === undefined ? (family === 6 ? 128 : 32) : Number(bits);
    if (!family || extra !== undefined || !/^\d{1,3}$/.test(String(prefix)) || prefix > (family === 6 ? 128 : 32)) {
      throw new Error(`TRUSTED_PROXIES: "${item}" is not an IP address or CIDR`);
    }
    list.addSubnet(normalise(ip), prefix, family === 6 ? "ipv6" : "ipv4");
    count++;
  }
  return { list, count };
}

export function isTrustedProxy(addr, proxies) {
  const a = normalise(addr);
  const family = net.isIP(a);
  return proxies.count > 0 && family !== 0 && proxies.list.check(a, family === 6 ? "ipv6" : "ipv4");
}

/**
 * The client's address: the socket's peer, unless that peer is a trusted proxy; then the
 * right-most X-Forwarded-For entry that is not itself a trusted proxy (entries to its left are
 * the client's own claims and prove nothing).
 */
export function clientAddress(socketAddr, forwardedFor, proxies) {
  const peer = normalise(socketAddr);
  if (!isTrustedProxy(peer, proxies) || !forwardedFor) return peer || null;
  const hops = String(forwardedFor).split(",").map(normalise).filter(Boolean);
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!net.isIP(hops[i])) return peer;
    if (!isTrustedProxy(hops[i], proxies)) return hops[i];
  }
  return hops[0] ?? peer;
}

/**
 * The origin browsers use for this app: APP_URL when configured; else, behind a trusted proxy,
 * its X-Forwarded-Proto and X-Forwarded-Host; else this server's own (plain http, Host header).
 */
export function publicOrigin(headers, trustedPeer, appUrl) {
  if (appUrl) return originOf(appUrl);
  const first = (v) => (Array.isArray(v) ? v[0] : v)?.split(",")[0]?.trim();
  const host = (trustedPeer && first(headers["x-forwarded-host"])) || first(headers.host) || "";
  const proto = trustedPeer && first(headers["x-forwarded-proto"]) === "https" ? "https" : "http";
  return originOf(`${proto}://${host}`);
}

/**
 * URL parsing remembered: nearly every request names the same one or two hosts, and a `new URL`
 * for each was about 1 % of the event loop under overload. At most ORIGIN_CACHE_SIZE entries (a
 * client choosing Host headers at will only empties it, never grows it beyond that).
 */
const ORIGIN_CACHE_SIZE = 256;
const origins = new Map();
function originOf(url) {
  let origin = origins.get(url);
  if (origin === undefined) {
    try {
      origin = new URL(url).origin;
    } catch {
      origin = "null";
    }
    if (origins.size >= ORIGIN_CACHE_SIZE) origins.clear();
    origins.set(url, origin);
  }
  return origin;
}

/** Forwarding claims only a trusted proxy may make; from anyone else they are removed. */
export const FORWARDING_HEADERS = ["forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "x-forwarded-prefix", "x-real-ip"];

/**
 * Replaces whatever a client sent in the server-only headers with what the server knows, and
 * removes the forwarding headers of a peer that is not a trusted proxy, so nothing after this
 * (Next.js builds URLs from X-Forwarded-Host and -Proto) can be told a forged host or address.
 */
export function stampClient(req, proxies, appUrl) {
  const peer = req.socket?.remoteAddress;
  const trustedPeer = isTrustedProxy(peer, proxies);
  req.headers[CLIENT_ADDRESS_HEADER] = clientAddress(peer, req.headers["x-forwarded-for"], proxies) ?? "";
  req.headers[PUBLIC_ORIGIN_HEADER] = publicOrigin(req.headers, trustedPeer, appUrl);
  if (!trustedPeer) for (const name of FORWARDING_HEADERS) delete req.headers[name];
}
