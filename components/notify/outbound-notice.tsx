"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/components/trpc/client";
import { button } from "@/components/ui/button";

/**
 * The admin notice for outbound endpoints disabled after failing continuously (docs/change-feed.md,
 * "Auto-disable"): shown to admins on every screen, under the top bar, until the endpoint is
 * re-enabled or the notice dismissed.
 */
export function OutboundNotice() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const { data } = useQuery(trpc.adminOutbound.notices.queryOptions(undefined, { refetchInterval: 60_000, retry: false }));
  const dismiss = useMutation(trpc.adminOutbound.dismissNotice.mutationOptions({ onSuccess: () => qc.invalidateQueries({ queryKey: trpc.adminOutbound.notices.queryKey() }) }));
  if (!data?.length) return null;
  return (
    <div role="region" aria-label="Outbound notification problems" className="border-b border-red-200 bg-red-50">
      <ul className="mx-auto max-w-[1600px] space-y-1 px-4 py-2">
        {data.map((n) => (
          <li key={n.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm text-red-950">
            <span className="font-semibold">Outbound endpoint disabled:</span>
            <Link href={`/admin/outbound/${n.id}`} className="break-all font-mono underline">
              {n.description || n.url}
            </Link>
            <span className="text-red-900">{n.disabledReason}</span>
            <button type="button" className={button.small} onClick={() => dismiss.mutate({ id: n.id })}>
              Dismiss
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}
