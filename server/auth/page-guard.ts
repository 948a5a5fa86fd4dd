import "server-only";
import { headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { DatabaseUnavailableError, isDatabaseUnavailable } from "../lib/db-errors";
import { getRuntime } from "../runtime";
import { safeNextPath } from "./next-path";
import { REQUEST_PATH_HEADER_NAME } from "./request-path";
import { hasRole, type Role } from "./roles";
import { getSessionUser, type SessionUser } from "./session";


/** The signed-in user of the page being rendered, or null. */
export async function getPageUser(): Promise<SessionUser | null> {
  const rt = await getRuntime();
  try {
    return await getSessionUser(rt.db, new Headers(await headers()));
  } catch (err) {
    // Every page asks this first: app/error.tsx shows the outage rather than a generic failure.
    throw isDatabaseUnavailable(err) ? new DatabaseUnavailableError(err) : err;
  }
}

export async function signInUrl(): Promise<string> {
  const path = safeNextPath((await headers()).get(REQUEST_PATH_HEADER_NAME), "");
  return path ? `/sign-in?next=${encodeURIComponent(path)}` : "/sign-in";
}

/**
 * For server components: the signed-in user, or a redirect to /sign-in?next=<this page>. The proxy
 * already redirects when there is no cookie at all; this catches expired and revoked sessions.
 */
export async function requirePageUser(): Promise<SessionUser> {
  const user = await getPageUser();
  if (!user) redirect(await signInUrl());
  return user;
}

/**
 * Like requirePageUser, for a page that needs at least `min`: a role below it gets the "not
 * allowed" screen (app/forbidden.tsx) with HTTP status 403, never a 200 (#15).
 */
export async function pageAccess(min: Role): Promise<{ user: SessionUser; allowed: boolean }> {
  const user = await requirePageUser();
  if (!hasRole(user.role, min)) forbidden();
  return { user, allowed: true };
}
