/**
 * The session cookie: HttpOnly, SameSite=Lax, Path=/, and Secure in production when the request
 * reached us over https (directly or through a proxy that sets X-Forwarded-Proto). Pure, so the
 * proxy can use it without loading the database.
 */
import { PUBLIC_ORIGIN_HEADER } from "./edge-headers";
export const SESSION_COOKIE = "err_session";

export function readCookie(headers: Headers, name: string): string | null {
  const raw = headers.get("cookie");
  if (!raw) return null;
  for (const part of raw.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return null; // malformed escape: treat as no cookie rather than failing the request
    }
  }
  return null;
}

/** True when the browser talks https to us, which is when a Secure cookie will come back. */
export function isHttpsRequest(url: string, headers: Headers): boolean {
  // The production server's public origin (APP_URL, or a trusted proxy's X-Forwarded-Proto) decides.
  const origin = process.env.APP_URL || headers.get(PUBLIC_ORIGIN_HEADER);
  if (origin) return origin.startsWith("https:");
  const forwarded = headers.get("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
  if (forwarded) return forwarded === "https";
  return new URL(url).protocol === "https:";
}

export function secureCookies(url: string, headers: Headers, nodeEnv = process.env.NODE_ENV): boolean {
  return nodeEnv === "production" && isHttpsRequest(url, headers);
}

export function sessionCookie(token: string, expiresAt: Date, secure: boolean): string {
  const maxAge = Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000));
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAge}; Expires=${expiresAt.toUTCString()}${secure ? "; Secure" : ""}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT${secure ? "; Secure" : ""}`;
}
