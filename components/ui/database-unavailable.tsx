import { button } from "./button";

/**
 * The outage, in words: the database is away, nothing is lost, the page comes back by itself
 * once it returns (or with Retry). Used by tRPC error states and app/error.tsx.
 */
export function DatabaseUnavailable({ onRetry }: { onRetry?: () => void }) {
  return (
    <div role="alert" data-testid="database-unavailable" className="rounded-lg border border-amber-300 bg-amber-50 p-4 text-sm text-amber-950">
      <p className="font-medium">Database unavailable</p>
      <p className="mt-1">
        The record database cannot be reached right now, so this page cannot be shown. Nothing already stored is lost: webhook
        senders are told to retry, and everything resumes by itself when the database is back.
      </p>
      {onRetry ? (
        <button type="button" className={`${button.secondary} mt-3`} onClick={onRetry}>
          Retry
        </button>
      ) : null}
    </div>
  );
}
