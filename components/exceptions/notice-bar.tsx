"use client";

import Link from "next/link";
import { useEffect, useRef } from "react";
import type { Notice } from "./use-exception-actions";

/** The outcome of the last action, announced to screen readers. */
export function NoticeBar({ notice, onDismiss }: { notice: Notice | null; onDismiss: () => void }) {
  const link = useRef<HTMLAnchorElement>(null);
  useEffect(() => {
    if (notice?.focus) link.current?.focus();
  }, [notice]);
  return (
    <div aria-live="polite" role="status" className="min-h-0">
      {notice ? (
        <div
          className={`flex items-start gap-3 rounded-md border px-3 py-2 text-sm ${notice.tone === "ok" ? "border-emerald-300 bg-emerald-50 text-emerald-950" : "border-red-300 bg-red-50 text-red-950"}`}
          data-testid="action-notice"
        >
          <span className="min-w-0 flex-1 break-words">{notice.text}</span>
          {notice.href ? (
            <Link ref={link} href={notice.href} className="font-medium text-blue-800 underline" data-testid="action-notice-link">
              {notice.linkLabel ?? "Open record"}
            </Link>
          ) : null}
          <button type="button" onClick={onDismiss} className="rounded px-1 text-slate-700 hover:bg-white/60" aria-label="Dismiss message">
            ×
          </button>
        </div>
      ) : null}
    </div>
  );
}
