"use client";

import { useState } from "react";

/**
 * Sign out of this browser, or of every browser and device at once (revokes every session of the
 * user). Both do a full page load afterwards so nothing of the session stays cached.
 */
export function SessionActions({ className = "" }: { className?: string }) {
  const [busy, setBusy] = useState<null | "one" | "all">(null);
  const [error, setError] = useState<string | null>(null);

  async function signOut(everywhere: boolean) {
    setBusy(everywhere ? "all" : "one");
    setError(null);
    try {
      const res = await fetch("/api/auth/sign-out", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ everywhere }) });
      if (!res.ok) throw new Error(`sign-out failed (${res.status})`);
      window.location.assign(everywhere ? "/sign-in?signed-out=everywhere" : "/sign-in?signed-out=1");
    } catch (err) {
      setError((err as Error).message);
      setBusy(null);
    }
  }

  return (
    <div className={className}>
      <div className="flex flex-wrap gap-2">
        <button type="button" disabled={!!busy} onClick={() => signOut(false)} className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-100 disabled:opacity-60">
          {busy === "one" ? "Signing out…" : "Sign out"}
        </button>
        <button type="button" disabled={!!busy} onClick={() => signOut(true)} className="rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-800 hover:bg-slate-100 disabled:opacity-60">
          {busy === "all" ? "Signing out everywhere…" : "Sign out everywhere"}
        </button>
      </div>
      {error ? (
        <p role="alert" className="mt-2 text-sm text-red-800">
          {error}
        </p>
      ) : null}
    </div>
  );
}
