"use client";

import { formatMinutes, toDate } from "../../shared/format";
import { useNow } from "../lib/use-now";

/** How long an exception has been waiting, against the exception SLA of its kind (Admin → Reference data). */
export function SlaAge({ openedAt, resolvedAt, slaMinutes, verbose = false }: { openedAt: Date | string; resolvedAt?: Date | string | null; slaMinutes: number | null; verbose?: boolean }) {
  const now = useNow();
  const end = resolvedAt ? toDate(resolvedAt).getTime() : now;
  const minutes = Math.max(0, (end - toDate(openedAt).getTime()) / 60_000);
  const ratio = slaMinutes ? minutes / slaMinutes : 0;
  const tone = !slaMinutes ? "bg-slate-400" : ratio >= 1 ? "bg-red-600" : ratio >= 0.5 ? "bg-amber-500" : "bg-emerald-600";
  // A resolved exception's clock has stopped: say how it ended, not how much time is left.
  const label = resolvedAt
    ? `took ${formatMinutes(minutes)}${slaMinutes ? (ratio >= 1 ? `, over SLA by ${formatMinutes(minutes - slaMinutes)}` : `, within the ${formatMinutes(slaMinutes)} SLA`) : ""}`
    : slaMinutes
    ? ratio >= 1
      ? `over SLA by ${formatMinutes(minutes - slaMinutes)}`
      : `${formatMinutes(slaMinutes - minutes)} left of ${formatMinutes(slaMinutes)}`
    : "no exception SLA";
  return (
    <div className="min-w-[7rem]" suppressHydrationWarning title={`${resolvedAt ? "Took" : "Waiting"} ${formatMinutes(minutes)}; SLA ${slaMinutes ? formatMinutes(slaMinutes) : "unknown"}`}>
      <div className="flex items-baseline justify-between gap-2 text-xs">
        <span className="font-medium tabular-nums text-slate-900" suppressHydrationWarning>
          {formatMinutes(minutes)}
        </span>
        {slaMinutes ? (
          <span className={`tabular-nums ${ratio >= 1 ? "font-semibold text-red-800" : "text-slate-600"}`} suppressHydrationWarning>
            {Math.round(ratio * 100)}%
          </span>
        ) : null}
      </div>
      <div className="mt-0.5 h-1.5 w-full overflow-hidden rounded-full bg-slate-200" aria-hidden="true">
        <div className={`h-full ${tone}`} style={{ width: `${Math.min(100, Math.round(ratio * 100))}%` }} suppressHydrationWarning />
      </div>
      <span className={verbose ? "mt-0.5 block text-xs text-slate-700" : "sr-only"} suppressHydrationWarning>
        {label}
      </span>
    </div>
  );
}
