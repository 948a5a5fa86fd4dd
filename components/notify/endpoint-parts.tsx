"use client";

import { Badge } from "@/components/ui/badges";
import { RelativeTime } from "@/components/ui/relative-time";
import { useNow } from "@/components/lib/use-now";

/** When a failing endpoint is tried next; "due now" once that time has passed (the worker is on it). */
export function NextAttempt({ state, at }: { state: EndpointState; at: Date | string }) {
  const now = useNow();
  if (state !== "failing") return <>—</>;
  return new Date(at).getTime() <= now ? <>due now</> : <RelativeTime value={at} />;
}

export type EndpointState = "healthy" | "failing" | "disabled" | "auto_disabled";

/** An endpoint's health in words (docs/change-feed.md, "Endpoint states"). */
export function EndpointStateBadge({ state, failures }: { state: EndpointState; failures: number }) {
  if (state === "healthy") return <Badge tone="green">Healthy</Badge>;
  if (state === "failing") return <Badge tone="amber">Failing · {failures} in a row</Badge>;
  if (state === "auto_disabled") return <Badge tone="red">Disabled automatically</Badge>;
  return <Badge tone="slate">Disabled</Badge>;
}

export function DeliveryStatusBadge({ status, attempts }: { status: "pending" | "succeeded" | "failed"; attempts: number }) {
  if (status === "succeeded") return <Badge tone="green">Delivered</Badge>;
  if (status === "failed") return <Badge tone="red">Failed</Badge>;
  return <Badge tone={attempts ? "amber" : "blue"}>{attempts ? "Retrying" : "Queued"}</Badge>;
}

/** The part of a change's feed, in a form the filter fields share. */
export function FilterSummary({ causes, caseIdPrefix }: { causes: string[] | null; caseIdPrefix: string | null }) {
  const parts = [causes?.length ? `causes: ${causes.join(", ")}` : null, caseIdPrefix ? `cases starting ${caseIdPrefix}` : null].filter(Boolean);
  return <span className="text-slate-700">{parts.length ? parts.join(" · ") : "every change"}</span>;
}
