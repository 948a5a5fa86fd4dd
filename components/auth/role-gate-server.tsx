import "server-only";
import { can, hasRole, type Capability, type Role } from "@/shared/roles";
import { getServerContext } from "@/server/trpc/server";

/** Server-component twin of <RoleGate>: nothing for roles that may not use the children. */
export async function RoleGateServer(props: ({ min: Role; can?: never } | { can: Capability; min?: never }) & { children: React.ReactNode; fallback?: React.ReactNode }) {
  const { user } = await getServerContext();
  const allowed = props.min ? hasRole(user?.role, props.min) : can(user?.role, props.can!);
  return <>{allowed ? props.children : (props.fallback ?? null)}</>;
}
