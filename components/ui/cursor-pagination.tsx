"use client";

import { button } from "./button";
import type { ParamGetter } from "./cursor-params";


export interface CursorPage {
  pageSize: number;
  rows: unknown[];
  total: number;
  /** `total` or more match (the server stops counting at 1,000). */
  totalCapped: boolean;
  next: string | null;
  prev: string | null;
}

const nf = (n: number) => n.toLocaleString("en-US");

/**
 * Pager for keyset-paged lists (server/db/keyset.ts): previous / next / back to the first page.
 * There is no "jump to page N": a keyset page is found from its neighbour, which is what keeps
 * page 2,000 as cheap as page 1. `page` is the page's number as the URL counted it, for display.
 */
export function CursorPagination({
  data,
  page,
  label,
  onNext,
  onPrev,
  onFirst,
}: {
  data: CursorPage;
  page: number;
  label: string;
  onNext: (cursor: string) => void;
  onPrev: (cursor: string) => void;
  onFirst: () => void;
}) {
  const shownPage = data.prev ? Math.max(2, page) : 1;
  const first = data.rows.length ? (shownPage - 1) * data.pageSize + 1 : 0;
  const last = first ? first + data.rows.length - 1 : 0;
  const pages = data.totalCapped ? null : Math.max(1, Math.ceil(data.total / data.pageSize));
  return (
    <nav aria-label={`${label} pages`} className="flex flex-wrap items-center justify-between gap-2 text-sm text-slate-700">
      <p aria-live="polite">
        {data.rows.length ? (
          <>
            <span className="tabular-nums">{nf(first)}</span>–<span className="tabular-nums">{nf(last)}</span> of{" "}
            <span className="tabular-nums font-medium" title={data.totalCapped ? `${nf(data.total)} or more match; counting stops there` : undefined}>
              {nf(data.total)}
              {data.totalCapped ? "+" : ""}
            </span>
          </>
        ) : (
          "No results on this page"
        )}
      </p>
      <div className="flex items-center gap-1">
        {shownPage > 2 ? (
          <button type="button" className={button.secondary} onClick={onFirst}>
            « First
          </button>
        ) : null}
        <button type="button" className={button.secondary} disabled={!data.prev} onClick={() => (shownPage <= 2 ? onFirst() : data.prev && onPrev(data.prev))}>
          ← Previous
        </button>
        <span className="px-2 tabular-nums">
          Page {nf(shownPage)}
          {pages && pages >= shownPage ? ` of ${nf(pages)}` : ""}
        </span>
        <button type="button" className={button.secondary} disabled={!data.next} onClick={() => data.next && onNext(data.next)}>
          Next →
        </button>
      </div>
    </nav>
  );
}

/** URL changes for the pager: `after`/`before` hold the cursor, `page` the page's number for display. */
export const pagerChanges = {
  next: (cursor: string, page: number) => ({ after: cursor, before: null, page: String(page + 1) }),
  prev: (cursor: string, page: number) => ({ before: cursor, after: null, page: page > 2 ? String(page - 1) : null }),
  first: () => ({ after: null, before: null, page: null }),
};

export function pageFromParams(sp: ParamGetter): number {
  const n = Number(sp.get("page"));
  return Number.isInteger(n) && n > 1 && n <= 1_000_000 ? n : 1;
}
