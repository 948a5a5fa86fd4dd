"use client";

import { useId, useState } from "react";

const inputClass =
  "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-base text-slate-900 shadow-sm focus:border-blue-600 focus:outline-none focus:ring-2 focus:ring-blue-600/30";

/** The one-time form that creates the first admin of an empty database. */
export function SetupForm() {
  const [form, setForm] = useState({ name: "", email: "", password: "", confirm: "" });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const errorId = useId();
  const set = (k: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => setForm((f) => ({ ...f, [k]: e.target.value }));

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (form.password !== form.confirm) {
      setError("The two passwords differ.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const res = await fetch("/api/auth/setup", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name: form.name, email: form.email, password: form.password }),
      });
      if (res.ok) {
        window.location.assign("/sign-in?setup=done");
        return;
      }
      const body = (await res.json().catch(() => ({}))) as { error?: string; issues?: { path: string; message: string }[] };
      setError(body.issues?.length ? body.issues.map((i) => `${i.path.replace(/^\//, "")}: ${i.message}`).join(". ") : (body.error ?? `Setup failed (${res.status}).`));
    } catch {
      setError("Could not reach the server. Check your connection and try again.");
    }
    setBusy(false);
  }

  return (
    <form onSubmit={submit} className="space-y-4" aria-label="Create the first admin" aria-describedby={error ? errorId : undefined}>
      <div>
        <label htmlFor="name" className="block text-sm font-medium text-slate-800">
          Your name
        </label>
        <input id="name" autoComplete="name" required value={form.name} onChange={set("name")} className={inputClass} />
      </div>
      <div>
        <label htmlFor="email" className="block text-sm font-medium text-slate-800">
          Email
        </label>
        <input id="email" type="email" autoComplete="username" required value={form.email} onChange={set("email")} className={inputClass} />
      </div>
      <div>
        <label htmlFor="password" className="block text-sm font-medium text-slate-800">
          Password <span className="font-normal text-slate-600">(at least 12 characters)</span>
        </label>
        <input id="password" type="password" autoComplete="new-password" required minLength={12} value={form.password} onChange={set("password")} className={inputClass} />
      </div>
      <div>
        <label htmlFor="confirm" className="block text-sm font-medium text-slate-800">
          Password again
        </label>
        <input id="confirm" type="password" autoComplete="new-password" required minLength={12} value={form.confirm} onChange={set("confirm")} className={inputClass} />
      </div>
      <div id={errorId} role="alert" className={error ? "rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900" : "sr-only"}>
        {error ?? ""}
      </div>
      <button type="submit" disabled={busy} className="inline-flex w-full items-center justify-center rounded-md bg-blue-700 px-4 py-2.5 text-sm font-semibold text-white hover:bg-blue-800 disabled:opacity-60">
        {busy ? "Creating…" : "Create admin account"}
      </button>
    </form>
  );
}
