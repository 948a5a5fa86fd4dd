import type { Actor } from "../lib/audit";
import { AppError } from "../lib/errors";
import { hasRole, ROLE_LABEL, type Role } from "./roles";

/**
 * Domain-layer role check: every domain function that changes access or configuration calls it,
 * so a route that forgot its middleware still cannot act beyond the caller's role.
 */
export function assertRole(actor: Actor, min: Role): void {
  if (actor.role === "system") return;
  if (!actor.id || !hasRole(actor.role, min)) {
    throw new AppError("FORBIDDEN", `this needs the ${ROLE_LABEL[min]} role`);
  }
}
