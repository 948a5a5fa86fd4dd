"use client";

import { formatAbsolute } from "../../shared/format";
import { useConnection } from "../lib/use-connection";
import { RelativeTime } from "./relative-time";

/**
 * Tells the reader the list follows the sources by itself, and when it last did; when the data
 * calls fail it stops saying "Live" and gives the time the shown data is from.
 */
export function LiveIndicator({ updatedAt, fetching }: { updatedAt: number; fetching: boolean }) {
  const { lost } = useConnection();
  if (lost) {
    return (
      <span className="inline-flex items-center gap-1.5 text-xs font-medium text-red-800" data-testid="live-indicator" data-state="lost">
        <span aria-hidden="true" className="h-2 w-2 rounded-full border border-red-700 bg-white" />
        Not updating · data as of {updatedAt ? <time dateTime={new Date(updatedAt).toISOString()}>{formatAbsolute(updatedAt).slice(11)}</time> : "—"}
      </span>
    );
  }
  return (
    <span className="inline-flex items-center gap-1.5 text-xs text-slate-600" data-testid="live-indicator" data-state="live">
      <span aria-hidden="true" className={`h-2 w-2 rounded-full ${fetching ? "animate-pulse bg-blue-500" : "bg-emerald-500"}`} />
      Live · updated {updatedAt ? <RelativeTime value={new Date(updatedAt)} /> : "—"}
    </span>
  );
}
