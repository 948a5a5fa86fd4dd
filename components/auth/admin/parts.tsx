"use client";

import { useEffect, useRef, useState } from "react";
import { button } from "@/components/ui/button";

/** The message of a failed mutation: the server's words, field problems listed. */
export function errorText(err: unknown): string {
  const e = err as { message?: string; data?: { zodIssues?: { path: string; message: string }[] | null } } | null;
  const issues = e?.data?.zodIssues;
  if (issues?.length) return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join(". ");
  return e?.message ?? String(err);
}

export const inputClass =
  "block w-full rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm text-slate-900 shadow-sm focus:border-blue-600 focus:outline-none focus:ring-2 focus:ring-blue-600/30";

export function Field({ label, htmlFor, hint, children }: { label: string; htmlFor: string; hint?: string; children: React.ReactNode }) {
  return (
    <div>
      <label htmlFor={htmlFor} className="block text-xs font-medium text-slate-700">
        {label}
      </label>
      <div className="mt-1">{children}</div>
      {hint ? <p className="mt-1 text-xs text-slate-500">{hint}</p> : null}
    </div>
  );
}

export function Alert({ tone, children }: { tone: "error" | "success" | "info"; children: React.ReactNode }) {
  const cls = {
    error: "border-red-200 bg-red-50 text-red-900",
    success: "border-emerald-200 bg-emerald-50 text-emerald-900",
    info: "border-blue-200 bg-blue-50 text-blue-950",
  }[tone];
  return (
    <div role={tone === "error" ? "alert" : "status"} className={`rounded-md border px-3 py-2 text-sm ${cls}`}>
      {children}
    </div>
  );
}

/** A destructive action asks once more in place: no modal, the focus stays where the user is. */
export function ConfirmButton({ label, confirmLabel, onConfirm, disabled, disabledReason, tone = "danger" }: { label: string; confirmLabel: string; onConfirm: () => void; disabled?: boolean; disabledReason?: string; tone?: "danger" | "secondary" }) {
  const [asking, setAsking] = useState(false);
  const confirmRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (asking) confirmRef.current?.focus();
  }, [asking]);
  if (!asking) {
    return (
      <button type="button" className={button.small} disabled={disabled} title={disabled ? disabledReason : undefined} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    <span className="inline-flex items-center gap-1">
      <button
        ref={confirmRef}
        type="button"
        className={tone === "danger" ? "inline-flex items-center rounded bg-red-700 px-2 py-1 text-xs font-medium text-white hover:bg-red-800" : button.small}
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" className={button.small} onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}

/** A secret or token shown exactly once, with a copy button. */
export function ShownOnce({ title, value, onDone, children }: { title: string; value: string; onDone: () => void; children?: React.ReactNode }) {
  const [copied, setCopied] = useState(false);
  return (
    <div role="status" className="rounded-lg border border-amber-300 bg-amber-50 p-4" data-testid="shown-once">
      <h2 className="text-sm font-semibold text-amber-950">{title}</h2>
      <p className="mt-1 text-sm text-amber-950">Copy it now: it is stored only as a hash or encrypted, and will not be shown again.</p>
      <div className="mt-2 flex flex-wrap items-center gap-2">
        <code className="min-w-0 flex-1 break-all rounded border border-amber-200 bg-white px-2 py-1.5 font-mono text-sm text-slate-900" data-testid="shown-once-value">
          {value}
        </code>
        <button
          type="button"
          className={button.secondary}
          onClick={async () => {
            await navigator.clipboard?.writeText(value).catch(() => undefined);
            setCopied(true);
          }}
        >
          {copied ? "Copied" : "Copy"}
        </button>
        <button type="button" className={button.secondary} onClick={onDone}>
          Done
        </button>
      </div>
      {children}
    </div>
  );
}
