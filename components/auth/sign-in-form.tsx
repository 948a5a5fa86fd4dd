"use client";

import { useId, useRef, useState } from "react";
import { ROLE_DESCRIPTION, ROLE_LABEL, type Role } from "@/shared/roles";

export interface DemoAccount {
  email: string;
  name: string;
  role: Role;
}

const inputClass =
  "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-base text-slate-900 shadow-sm placeholder:text-slate-400 focus:border-blue-600 focus:outline-none focus:ring-2 focus:ring-blue-600/30 aria-[invalid=true]:border-red-600";

/** Posts credentials as JSON; on success loads `next` in full, so no signed-out page stays cached. */
export function SignInForm({ next, demo, autoFocus = true }: { next: string; demo: { accounts: DemoAccount[]; password: string } | null; autoFocus?: boolean }) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [show, setShow] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submitRef = useRef<HTMLButtonElement>(null);
  const errorId = useId();

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await fetch("/api/auth/sign-in", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, password }),
      });
      if (res.ok) {
        window.location.assign(next);
        return;
      }
      const body = (await res.json().catch(() => ({}))) as { error?: string; issues?: { path: string; message: string }[] };
      setError(res.status === 400 && body.issues?.length ? body.issues.map((i) => i.message).join(". ") : (body.error ?? `Sign-in failed (${res.status}).`));
    } catch {
      setError("Could not reach the server. Check your connection and try again.");
    }
    setBusy(false);
  }

  function fill(a: DemoAccount) {
    if (!demo) return;
    setEmail(a.email);
    setPassword(demo.password);
    setError(null);
    submitRef.current?.focus();
  }

  return (
    <div className="space-y-6">
      <form onSubmit={submit} noValidate aria-describedby={error ? errorId : undefined} className="space-y-4" aria-label="Sign in">
        <div>
          <label htmlFor="email" className="block text-sm font-medium text-slate-800">
            Email
          </label>
          <input
            id="email"
            name="email"
            type="email"
            autoComplete="username"
            inputMode="email"
            required
            autoFocus={autoFocus}
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            aria-invalid={error ? true : undefined}
            className={inputClass}
          />
        </div>
        <div>
          <div className="flex items-baseline justify-between">
            <label htmlFor="password" className="block text-sm font-medium text-slate-800">
              Password
            </label>
            <button type="button" onClick={() => setShow((s) => !s)} className="text-xs font-medium text-blue-800 underline-offset-2 hover:underline" aria-controls="password" aria-pressed={show}>
              {show ? "Hide password" : "Show password"}
            </button>
          </div>
          <input
            id="password"
            name="password"
            type={show ? "text" : "password"}
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-invalid={error ? true : undefined}
            className={inputClass}
          />
        </div>
        <div id={errorId} role="alert" aria-live="assertive" data-testid="sign-in-error" className={error ? "rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900" : "sr-only"}>
          {error ?? ""}
        </div>
        <button
          ref={submitRef}
          type="submit"
          disabled={busy || !email || !password}
          className="inline-flex w-full items-center justify-center rounded-md bg-blue-700 px-4 py-2.5 text-sm font-semibold text-white shadow-sm hover:bg-blue-800 disabled:cursor-not-allowed disabled:opacity-60"
        >
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>

      {demo && demo.accounts.length ? (
        <section aria-labelledby="demo-title" className="rounded-lg border border-slate-200 bg-slate-50 p-4">
          <h2 id="demo-title" className="text-sm font-semibold text-slate-900">
            Demo accounts
          </h2>
          <p className="mt-1 text-xs text-slate-600">
            This is the embedded demo. Choose an account to fill in the form; every demo password is <code className="rounded bg-white px-1 font-mono">{demo.password}</code>.
          </p>
          <ul className="mt-3 space-y-2">
            {demo.accounts.map((a) => (
              <li key={a.email}>
                <button
                  type="button"
                  onClick={() => fill(a)}
                  data-testid={`demo-${a.email}`}
                  className="w-full rounded-md border border-slate-200 bg-white px-3 py-2 text-left hover:border-blue-300 hover:bg-blue-50"
                >
                  <span className="flex items-center justify-between gap-2">
                    <span className="text-sm font-medium text-slate-900">{a.name}</span>
                    <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs font-medium text-slate-700">{ROLE_LABEL[a.role]}</span>
                  </span>
                  <span className="mt-0.5 block text-xs text-slate-600">
                    {a.email} · {ROLE_DESCRIPTION[a.role]}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
