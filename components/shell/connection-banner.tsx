"use client";

import { formatAbsolute } from "../../shared/format";
import { useConnection } from "../lib/use-connection";

/**
 * The page-wide warning that live updates stopped: the page keeps showing what it had, says from
 * when, and keeps polling; the banner goes away by itself once a call gets through again.
 */
export function ConnectionBanner() {
  const { lost, asOf } = useConnection();
  return (
    <div role="status" aria-live="polite">
      {lost ? (
        <div className="border-b border-amber-400 bg-amber-100 px-4 py-2 text-sm text-amber-950" data-testid="connection-banner">
          <div className="mx-auto max-w-[1600px]">
            <span className="font-semibold">Connection lost</span>
            {asOf ? (
              <>
                , data as of <time dateTime={new Date(asOf).toISOString()}>{formatAbsolute(asOf)}</time>
              </>
            ) : null}
            . What you see may be out of date; retrying automatically.
          </div>
        </div>
      ) : null}
    </div>
  );
}
