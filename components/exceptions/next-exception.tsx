"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useEffect, useRef } from "react";
import { useTRPC } from "@/components/trpc/client";
import { ruleLabel } from "../lib/rules";

/**
 * "Next open exception" after a resolution: the first exception still open in the queue's own
 * order, other than this one. With `focus` (set right after the user resolved it here) the link
 * takes the focus, so triage continues with Enter instead of losing the focus to the page.
 */
export function NextException({ currentId, focus }: { currentId: string; focus: boolean }) {
  const trpc = useTRPC();
  const { data, isLoading } = useQuery(trpc.exceptions.list.queryOptions({ status: "open" }));
  const next = data?.rows.find((r) => r.id !== currentId && r.status === "open") ?? null;
  const link = useRef<HTMLAnchorElement>(null);
  const nextId = next?.id;
  useEffect(() => {
    if (focus && nextId) link.current?.focus();
  }, [focus, nextId]);
  if (isLoading) return null;
  return (
    <div className="mt-2 border-t border-slate-100 pt-2 text-sm" data-testid="next-exception">
      {next ? (
        <Link ref={link} href={`/exceptions/${encodeURIComponent(next.id)}`} className="inline-block max-w-full rounded-md bg-blue-700 px-2.5 py-1.5 text-sm font-medium text-white hover:bg-blue-800">
          Next open exception: <span className="ml-1 font-mono">{next.caseId}</span>
          <span className="ml-1 font-normal">({ruleLabel(next.rule)})</span>
        </Link>
      ) : (
        <p className="text-slate-700">No other open exceptions. The queue is clear.</p>
      )}
    </div>
  );
}
