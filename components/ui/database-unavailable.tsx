"use client";

import { useEffect, useRef, useState } from "react";
import { button } from "./button";

/** How often a page showing the outage asks whether the database answers again. */
export const DATABASE_RETURN_POLL_MS = 3_000;

/**
 * Calls `onBack` once, as soon as `/api/health` answers 200 again (the database answers and every
 * migration is applied: docs/api.md, "Health"), asking every `DATABASE_RETURN_POLL_MS` while the
 * page shows the outage. Anonymous callers get only the status, which is all this needs.
 */
function useDatabaseReturn(onBack: (() => void) | undefined): void {
  const latest = useRef(onBack);
  latest.current = onBack;
  const enabled = onBack !== undefined;
  useEffect(() => {
    if (!enabled) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const ctl = new AbortController();
    const check = async () => {
      try {
        const res = await fetch("/api/health", { cache: "no-store", signal: ctl.signal });
        if (!stopped && res.ok) {
          stopped = true;
          latest.current?.();
          return;
        }
      } catch {
        // The app itself unreachable, or the page leaving: ask again later.
      }
      if (!stopped) timer = setTimeout(check, DATABASE_RETURN_POLL_MS);
    };
    timer = setTimeout(check, DATABASE_RETURN_POLL_MS);
    return () => {
      stopped = true;
      ctl.abort();
      clearTimeout(timer);
    };
  }, [enabled]);
}

/**
 * The outage, in words: the database is away, nothing is lost, and the page comes back by itself
 * once it returns (it asks every few seconds), or at once with Retry. Used by tRPC error states
 * (components/ui/query-boundary.tsx), app/error.tsx and app/global-error.tsx; docs/faults.md,
 * "Database outage".
 */
export function DatabaseUnavailable({ onRetry }: { onRetry?: () => void }) {
  const [retrying, setRetrying] = useState(false);
  useDatabaseReturn(onRetry);
  return (
    <div role="alert" data-testid="database-unavailable" className="rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm text-amber-950">
      <p className="font-medium">Database unavailable</p>
      <p className="mt-1">
        The record database cannot be reached right now, so this page cannot be shown. Nothing already stored is lost: webhook
        senders are told to retry, and everything resumes by itself when the database is back.
      </p>
      {onRetry ? (
        <>
          <p className="mt-1 text-amber-900">This page checks again every few seconds and reappears as soon as it can.</p>
          <button
            type="button"
            className={`${button.secondary} mt-3`}
            disabled={retrying}
            onClick={() => {
              setRetrying(true);
              onRetry();
              // Still here after the attempt (the database still away): the button works again.
              setTimeout(() => setRetrying(false), 1_000);
            }}
          >
            {retrying ? "Retrying…" : "Retry"}
          </button>
        </>
      ) : null}
    </div>
  );
}
