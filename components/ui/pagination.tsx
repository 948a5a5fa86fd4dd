"use client";

import { button } from "./button";

export function Pagination({ page, pageSize, total, onPage, label }: { page: number; pageSize: number; total: number; onPage: (p: number) => void; label: string }) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const first = total ? (page - 1) * pageSize + 1 : 0;
  const last = Math.min(total, page * pageSize);
  return (
    <nav aria-label={`${label} pages`} className="flex flex-wrap items-center justify-between gap-2 text-sm text-slate-700">
      <p aria-live="polite">
        {total ? (
          <>
            <span className="tabular-nums">{first.toLocaleString("en-US")}</span>–<span className="tabular-nums">{last.toLocaleString("en-US")}</span> of{" "}
            <span className="tabular-nums font-medium">{total.toLocaleString("en-US")}</span>
          </>
        ) : (
          "No results"
        )}
      </p>
      <div className="flex items-center gap-1">
        <button type="button" className={button.secondary} disabled={page <= 1} onClick={() => onPage(page - 1)}>
          ← Previous
        </button>
        <span className="px-2 tabular-nums">
          Page {page} of {pages.toLocaleString("en-US")}
        </span>
        <button type="button" className={button.secondary} disabled={page >= pages} onClick={() => onPage(page + 1)}>
          Next →
        </button>
      </div>
    </nav>
  );
}
