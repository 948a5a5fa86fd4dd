"use client";

import { RelativeTime } from "./relative-time";

/** Tells the reader the list follows the sources by itself, and when it last did. */
export function LiveIndicator({ updatedAt, fetching }: { updatedAt: number; fetching: boolean }) {
  return (
    <span className="inline-flex items-center gap-1.5 text-xs text-slate-600">
      <span aria-hidden="true" className={`h-2 w-2 rounded-full ${fetching ? "animate-pulse bg-blue-500" : "bg-emerald-500"}`} />
      Live · updated {updatedAt ? <RelativeTime value={new Date(updatedAt)} /> : "—"}
    </span>
  );
}
