"use client";

import type { Capability, Role } from "@/server/auth/roles";
import { useMe } from "./use-me";

type GateProps = ({ min: Role; can?: never } | { can: Capability; min?: never }) & {
  children: React.ReactNode;
  /** Shown instead (also while the user is loading); nothing by default. */
  fallback?: React.ReactNode;
};

/**
 * Renders its children only for roles that may use them:
 *   <RoleGate can="actOnExceptions"><ClaimButton /></RoleGate>
 *   <RoleGate min="admin">…</RoleGate>
 */
export function RoleGate(props: GateProps) {
  const me = useMe();
  const allowed = props.min ? me.hasRole(props.min) : me.can(props.can!);
  if (me.isLoading || !allowed) return <>{props.fallback ?? null}</>;
  return <>{props.children}</>;
}
