import { isIP } from "node:net";
import { AppError } from "../lib/errors";

/**
 * Which URLs an outbound endpoint may have (docs/change-feed.md, "Endpoint URLs"):
 * - `https://` anywhere;
 * - `http://` only to this machine (localhost, 127.0.0.0/8, [::1]), for development and tests;
 * - no other scheme, no user name or password in the URL, no fragment;
 * - never a link-local address (169.254.0.0/16, fe80::/10: cloud metadata services live there) or
 *   the unspecified address (0.0.0.0, [::]). Private addresses (10/8, 172.16/12, 192.168/16, fc00::/7)
 *   are allowed: downstream tools often sit on the company network, and only admins register
 *   endpoints. A name is not resolved here (its address can change); the policy judges the URL.
 */
export const MAX_URL_LENGTH = 2_000;

function isLoopback(host: string): boolean {
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (host === "[::1]") return true;
  return isIP(host) === 4 && host.startsWith("127.");
}

function forbiddenAddress(host: string): string | null {
  const bare = host.startsWith("[") ? host.slice(1, -1).toLowerCase() : host;
  if (isIP(bare) === 4) {
    if (bare.startsWith("169.254.")) return "a link-local address (169.254.0.0/16, where cloud metadata services answer)";
    if (bare === "0.0.0.0") return "the unspecified address 0.0.0.0";
  }
  if (isIP(bare) === 6) {
    if (/^fe[89ab]/.test(bare)) return "a link-local IPv6 address (fe80::/10)";
    if (bare === "::") return "the unspecified address [::]";
  }
  return null;
}

/** The URL, normalised; a clear BAD_REQUEST naming the problem otherwise. */
export function checkEndpointUrl(raw: string): string {
  const text = raw.trim();
  if (!text) throw new AppError("BAD_REQUEST", "url is required: the https:// address that receives the notifications");
  if (text.length > MAX_URL_LENGTH) throw new AppError("BAD_REQUEST", `url must be at most ${MAX_URL_LENGTH} characters`);
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (/[\s\u0000-\u001f\u007f]/.test(text)) throw new AppError("BAD_REQUEST", "url must not contain spaces or control characters");
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AppError("BAD_REQUEST", `url is not a valid absolute URL (expected https://host/path)`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new AppError("BAD_REQUEST", `url must use https:// (got ${url.protocol.replace(/:$/, "").slice(0, 20)}://)`);
  }
  if (!url.hostname) throw new AppError("BAD_REQUEST", "url must name a host");
  if (url.protocol === "http:" && !isLoopback(url.hostname)) {
    throw new AppError("BAD_REQUEST", "url must use https://; plain http:// is allowed only to localhost, 127.0.0.1 or [::1] (development)");
  }
  if (url.username || url.password) throw new AppError("BAD_REQUEST", "url must not contain a user name or password; receivers verify the signature instead");
  if (url.hash) throw new AppError("BAD_REQUEST", "url must not contain a #fragment");
  const bad = forbiddenAddress(url.hostname);
  if (bad) throw new AppError("BAD_REQUEST", `url must not point at ${bad}`);
  return url.toString();
}
