"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

export function SignOutButton() {
  const [busy, setBusy] = useState(false);
  const queryClient = useQueryClient();
  return (
    <button
      type="button"
      disabled={busy}
      className="rounded border border-slate-600 px-2.5 py-1 text-sm text-slate-100 hover:bg-slate-800 disabled:opacity-60"
      onClick={async () => {
        setBusy(true);
        try {
          await fetch("/api/auth/sign-out", { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
        } finally {
          queryClient.clear();
          // A full load, so no page of the signed-in session stays in the router cache.
          window.location.assign("/sign-in");
        }
      }}
    >
      Sign out
    </button>
  );
}
