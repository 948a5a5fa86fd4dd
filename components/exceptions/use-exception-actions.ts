"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import { errorMessage } from "../ui/query-boundary";

export interface Notice {
  tone: "ok" | "error";
  text: string;
  href?: string;
  /** The link's text; "Open record" when not given. */
  linkLabel?: string;
  /**
   * Move the focus to the notice's link: the row acted on may have left the list, and the
   * focus follows the item (Enter then opens what was just claimed), never the row's old slot.
   */
  focus?: boolean;
}

/**
 * Claim, unclaim, assign, bulk claim and resolve, each refreshing every screen that shows
 * exceptions, records or events, so the record page shows a resolution's outcome at once.
 */
export function useExceptionActions() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState<Notice | null>(null);
  const refresh = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.exceptions.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.records.pathKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.events.pathKey() }),
    ]);
  const onError = (err: unknown) => setNotice({ tone: "error", text: errorMessage(err) });
  const claim = useMutation(trpc.exceptions.claim.mutationOptions({ onSuccess: () => (setNotice({ tone: "ok", text: "Claimed." }), refresh()), onError }));
  const unclaim = useMutation(trpc.exceptions.unclaim.mutationOptions({ onSuccess: () => (setNotice({ tone: "ok", text: "Released back to the open queue." }), refresh()), onError }));
  const assign = useMutation(trpc.exceptions.assign.mutationOptions({ onSuccess: () => (setNotice({ tone: "ok", text: "Assigned." }), refresh()), onError }));
  const bulkClaim = useMutation(
    trpc.exceptions.bulkClaim.mutationOptions({
      onSuccess: (r) => {
        setNotice({
          tone: r.failed.length ? "error" : "ok",
          text: `Claimed ${r.claimed.length}.${r.failed.length ? ` Not claimed: ${r.failed.map((f) => f.reason).join("; ")}` : ""}`,
        });
        return refresh();
      },
      onError,
    }),
  );
  const resolve = useMutation(
    trpc.exceptions.resolve.mutationOptions({
      onSuccess: (results, input) => {
        const own = results[0];
        const what = input.kind === "approve" ? "Approved" : input.kind === "reject" ? "Rejected" : "Overridden";
        const outcome = !own
          ? ""
          : own.outcome === "applied"
            ? ` ${own.caseId} is now at v${own.version} (current).`
            : own.outcome === "held"
              ? ` ${own.caseId} is still held by another exception.`
              : ` ${own.caseId} keeps its current version.`;
        setNotice({ tone: "ok", text: `${what}.${outcome}`, href: own ? `/records/${encodeURIComponent(own.caseId)}` : undefined });
        return refresh();
      },
      onError,
    }),
  );
  const busy = claim.isPending || unclaim.isPending || assign.isPending || bulkClaim.isPending || resolve.isPending;
  return { claim, unclaim, assign, bulkClaim, resolve, notice, setNotice, busy };
}
