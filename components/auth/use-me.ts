"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc/client";
import { can, hasRole, type Capability, type Role } from "@/shared/roles";

/**
 * The signed-in user in client components, with role checks for hiding what the role may not
 * use. Hiding is courtesy only: the server refuses regardless (tRPC middleware and domain layer).
 */
export function useMe() {
  const trpc = useTRPC();
  const q = useQuery(trpc.me.get.queryOptions(undefined, { staleTime: 60_000 }));
  const me = q.data ?? null;
  return {
    me,
    isLoading: q.isLoading,
    hasRole: (min: Role) => hasRole(me?.role, min),
    can: (capability: Capability) => can(me?.role, capability),
  };
}
