"use client";

import { useRouter } from "next/navigation";
import { startTransition, useCallback, useEffect, useState } from "react";
import { button } from "@/components/ui/button";
import { DatabaseUnavailable } from "@/components/ui/database-unavailable";
import { DATABASE_UNAVAILABLE_DIGEST } from "@/server/lib/db-errors";

/**
 * A page that failed on the server. Next.js hides the server's message from the browser, but keeps
 * an error's digest: the database being away is marked so (server/auth/page-guard.ts) and shown as
 * the outage it is. Any other failure asks the health endpoint whether the database answers, since
 * a query deeper in the page may have met the outage first (anonymous callers get only its status:
 * "degraded" means the database does not answer, or its migrations are not all applied).
 *
 * `reset` alone re-renders the segment from what the browser already has, which for a page that
 * failed on the server is the same failure: Retry (and the outage panel's own check that the
 * database is back) fetches the page from the server again first.
 */
export default function PageError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const marked = error.digest === DATABASE_UNAVAILABLE_DIGEST;
  const [databaseDown, setDatabaseDown] = useState(marked);
  const router = useRouter();
  const retry = useCallback(
    () =>
      startTransition(() => {
        router.refresh();
        reset();
      }),
    [router, reset],
  );
  useEffect(() => {
    if (marked) return;
    const ctl = new AbortController();
    fetch("/api/health", { signal: ctl.signal, cache: "no-store" })
      .then((r) => r.json() as Promise<{ status?: string }>)
      .then((h) => setDatabaseDown(h.status === "degraded"))
      .catch(() => {});
    return () => ctl.abort();
  }, [marked]);
  return (
    <main className="mx-auto max-w-3xl px-4 py-8">
      {databaseDown ? (
        <DatabaseUnavailable onRetry={retry} />
      ) : (
        <div role="alert" className="rounded-lg border border-red-200 bg-red-50 p-4 text-sm text-red-950">
          <p className="font-medium">This page could not be shown</p>
          <p className="mt-1 text-red-900">
            The failure was logged{error.digest ? ` (reference ${error.digest})` : ""}.
          </p>
          <button type="button" className={`${button.secondary} mt-3`} onClick={retry}>
            Retry
          </button>
        </div>
      )}
    </main>
  );
}
