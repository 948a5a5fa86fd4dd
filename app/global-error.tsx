"use client";

import { DatabaseUnavailable } from "@/components/ui/database-unavailable";
import { DATABASE_UNAVAILABLE_DIGEST } from "@/server/lib/db-errors";
import "./globals.css";

/**
 * The root layout itself failed (it renders without it); the outage gets its own words here too.
 * Retry loads the page again from the server: `reset` alone would re-render the same failure.
 */
const reload = () => window.location.reload();

export default function GlobalError({ error }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 font-sans text-slate-900 antialiased">
        <main className="mx-auto max-w-3xl px-4 py-8">
          {error.digest === DATABASE_UNAVAILABLE_DIGEST ? (
            <DatabaseUnavailable onRetry={reload} />
          ) : (
            <div role="alert" className="rounded-lg border border-red-200 bg-red-50 p-4 text-sm text-red-950">
              <p className="font-medium">The application could not be shown</p>
              <p className="mt-1">The failure was logged{error.digest ? ` (reference ${error.digest})` : ""}. Reload to try again.</p>
              <button type="button" className="mt-3 underline" onClick={reload}>
                Retry
              </button>
            </div>
          )}
        </main>
      </body>
    </html>
  );
}
