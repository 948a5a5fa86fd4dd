"use client";

import { useSuspenseQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useDeferredValue, useMemo } from "react";
import { useTRPC } from "@/components/trpc/client";
import { useUrlParams } from "../lib/url-state";
import { useListNavigation } from "../lib/use-list-navigation";
import { CaseStatusBadge, CauseChip, CauseChips, SeverityBadge, Badge } from "../ui/badges";
import { CAUSE_ORDER } from "../lib/causes";
import { EmptyState } from "../ui/empty-state";
import { LiveIndicator } from "../ui/live-indicator";
import { CursorPagination, pageFromParams, pagerChanges } from "../ui/cursor-pagination";
import { RelativeTime } from "../ui/relative-time";
import { hasFilters, recordQueryFromParams, type RecordListQuery } from "./params";
import { RecordFilters } from "./record-filters";

export const RECORDS_REFRESH_MS = 5_000;

type SortKey = NonNullable<RecordListQuery["sort"]>;

export function RecordsView() {
  const [sp, setParams] = useUrlParams();
  const query = useMemo(() => recordQueryFromParams(sp), [sp]);
  const page = pageFromParams(sp);
  const deferred = useDeferredValue(query);
  // Any change but paging starts again from the first page.
  const update = (changes: Record<string, string | null>, keepPage = false) => setParams(keepPage ? changes : { ...changes, ...pagerChanges.first() });
  return (
    <div className="space-y-3">
      <RecordFilters query={query} onChange={update} />
      <RecordsTable
        query={deferred}
        shownQuery={query}
        page={page}
        updating={deferred !== query}
        onChange={update}
        onClear={() => setParams({ q: null, sev: null, status: null, tier: null, product: null, exc: null, cause: null, ...pagerChanges.first() })}
      />
    </div>
  );
}

function SortHeader({ label, sortKey, query, onChange, className = "" }: { label: string; sortKey: SortKey; query: RecordListQuery; onChange: (c: Record<string, string | null>) => void; className?: string }) {
  const sort = query.sort ?? "refreshed";
  const dir = query.dir ?? "desc";
  const active = sort === sortKey;
  const nextDir = active ? (dir === "asc" ? "desc" : "asc") : sortKey === "refreshed" || sortKey === "exceptions" ? "desc" : "asc";
  return (
    <th scope="col" aria-sort={active ? (dir === "asc" ? "ascending" : "descending") : "none"} className={`px-3 py-2 font-medium ${className}`}>
      <button
        type="button"
        className="inline-flex items-center gap-1 rounded hover:text-slate-950"
        onClick={() => onChange({ sort: sortKey === "refreshed" && nextDir === "desc" ? null : sortKey, dir: nextDir })}
      >
        {label}
        <span aria-hidden="true" className={active ? "text-slate-900" : "text-slate-400"}>
          {active ? (dir === "asc" ? "▲" : "▼") : "↕"}
        </span>
      </button>
    </th>
  );
}

function RecordsTable({
  query,
  shownQuery,
  page,
  updating,
  onChange,
  onClear,
}: {
  query: RecordListQuery;
  /** What the controls show: already the next query while its rows load. */
  shownQuery: RecordListQuery;
  /** The page's number from the URL, for display. */
  page: number;
  updating: boolean;
  onChange: (c: Record<string, string | null>, keepPage?: boolean) => void;
  onClear: () => void;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const { data, dataUpdatedAt, isFetching } = useSuspenseQuery(trpc.records.list.queryOptions(query, { refetchInterval: RECORDS_REFRESH_MS }));
  const { data: facets } = useSuspenseQuery(trpc.records.facets.queryOptions());
  const productName = new Map(facets.products.map((p) => [p.code, p.name]));
  const hrefOf = (caseId: string) => `/records/${encodeURIComponent(caseId)}`;
  const nav = useListNavigation(data.rows.map((r) => r.id), (i) => router.push(hrefOf(data.rows[i]!.id)));

  if (!data.total && !data.prev) {
    return hasFilters(query) ? (
      <EmptyState title="No records match these filters">
        <button type="button" className="font-medium text-blue-800 underline" onClick={onClear}>
          Clear all filters
        </button>
      </EmptyState>
    ) : (
      <EmptyState title="No escalation records yet">
        <p>
          A record appears as soon as its case&apos;s first ticket arrives. Source systems post signed webhooks (Standard Webhooks) to{" "}
          <code className="rounded bg-slate-100 px-1 py-0.5 text-slate-900">POST /api/webhooks/&#123;source&#125;</code> with source{" "}
          <code className="rounded bg-slate-100 px-1 text-slate-900">ticketing</code>, <code className="rounded bg-slate-100 px-1 text-slate-900">entitlement</code>,{" "}
          <code className="rounded bg-slate-100 px-1 text-slate-900">incident</code>, <code className="rounded bg-slate-100 px-1 text-slate-900">diagnostics</code> or{" "}
          <code className="rounded bg-slate-100 px-1 text-slate-900">environment</code>.
        </p>
        <p className="mt-2">
          To try it locally, run <code className="rounded bg-slate-100 px-1 py-0.5 text-slate-900">npm run simulate</code>: it signs events with the development secrets
          printed when the embedded database first started. Every delivery, accepted or refused, shows up in the{" "}
          <Link href="/events" className="font-medium text-blue-800 underline">
            event log
          </Link>
          .
        </p>
      </EmptyState>
    );
  }

  return (
    <div className="space-y-2">
      <div className="flex items-center justify-between text-xs text-slate-600">
        <LiveIndicator updatedAt={dataUpdatedAt} fetching={isFetching || updating} />
        <span className="hidden sm:inline">
          <span className="font-medium">j</span>/<span className="font-medium">k</span> to move, <span className="font-medium">Enter</span> to open
        </span>
      </div>
      <div className={`relative hidden overflow-x-auto rounded-lg border border-slate-200 bg-white transition-opacity md:block ${updating ? "opacity-60" : ""}`} aria-busy={updating}>
        <table className="w-full min-w-[720px] table-fixed border-collapse text-sm">
          <caption className="sr-only">Current escalation records</caption>
          <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs text-slate-600">
            <tr>
              <SortHeader label="Case" sortKey="case" query={shownQuery} onChange={onChange} className="w-[19%]" />
              <SortHeader label="Customer" sortKey="customer" query={shownQuery} onChange={onChange} className="w-[15%]" />
              <th scope="col" className="hidden w-[8.5rem] px-3 py-2 font-medium lg:table-cell">
                Product
              </th>
              <th scope="col" className="hidden w-[6.5rem] px-3 py-2 font-medium md:table-cell">
                Tier
              </th>
              <SortHeader label="Sev" sortKey="severity" query={shownQuery} onChange={onChange} className="w-[5rem]" />
              <th scope="col" className="w-[6rem] px-3 py-2 font-medium">
                Status
              </th>
              <SortHeader label="Exceptions" sortKey="exceptions" query={shownQuery} onChange={onChange} className="w-[8rem]" />
              <SortHeader label="Refreshed" sortKey="refreshed" query={shownQuery} onChange={onChange} className="w-[8rem]" />
              <th scope="col" className="w-[20%] px-3 py-2 font-medium">
                Last change
              </th>
            </tr>
          </thead>
          <tbody>
            {data.rows.map((r, i) => (
              <tr
                key={r.id}
                ref={nav.register(r.id)}
                data-active={nav.active === i}
                onFocus={nav.onRowFocus(i)}
                onClick={(e) => {
                  if ((e.target as HTMLElement).closest("a,button")) return;
                  router.push(hrefOf(r.id));
                }}
                className="h-[49px] cursor-pointer border-b border-slate-100 align-middle last:border-0 hover:bg-slate-50"
              >
                <td className="px-3 py-1.5">
                  <Link data-row-primary prefetch={false} href={hrefOf(r.id)} className="font-mono text-[13px] font-semibold text-blue-800 hover:underline">
                    {r.id}
                  </Link>
                  <div className="truncate text-xs text-slate-600" title={r.subject ?? undefined}>
                    <bdi dir="auto">{r.subject}</bdi>
                  </div>
                </td>
                <td className="px-3 py-1.5">
                  <div className="truncate" title={r.customerName ?? undefined}>
                    <bdi dir="auto">{r.customerName ?? "—"}</bdi>
                  </div>
                  <div className="truncate font-mono text-xs text-slate-600">{r.accountId}</div>
                </td>
                <td className="hidden truncate px-3 py-1.5 lg:table-cell">{r.productCode ? (productName.get(r.productCode) ?? r.productCode) : "—"}</td>
                <td className="hidden truncate px-3 py-1.5 capitalize md:table-cell">{r.tier ?? "—"}</td>
                <td className="px-3 py-1.5">
                  <SeverityBadge severity={r.severity} />
                </td>
                <td className="px-3 py-1.5">
                  <CaseStatusBadge status={r.status} />
                </td>
                <td className="px-3 py-1.5">
                  {r.openExceptionCount > 0 ? (
                    <Badge tone="amber" title={`${r.openExceptionCount} open exception(s): a newer candidate is held`}>
                      ⚠ {r.openExceptionCount} open
                    </Badge>
                  ) : (
                    <span className="text-slate-500">none</span>
                  )}
                </td>
                <td className="px-3 py-1.5 text-slate-700">
                  <RelativeTime value={r.lastRefreshedAt} />
                  <div className="text-xs text-slate-600">v{r.currentVersion}</div>
                </td>
                <td className="px-3 py-1.5">
                  <CauseChips causes={r.lastCauses} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {/* Below 768 px every record is a card: no column hides behind a sideways scroll. */}
      <ul className={`space-y-2 md:hidden ${updating ? "opacity-60" : ""}`} aria-label="Current escalation records" data-testid="record-cards">
        {data.rows.map((r) => (
          <li key={r.id} className="rounded-lg border border-slate-200 bg-white p-3 text-sm" data-record-card={r.id}>
            <div className="flex items-start justify-between gap-2">
              <Link prefetch={false} href={hrefOf(r.id)} className="font-mono text-[13px] font-semibold text-blue-800 underline-offset-2 hover:underline">
                {r.id}
              </Link>
              <span className="flex shrink-0 items-center gap-1.5">
                <SeverityBadge severity={r.severity} />
                <CaseStatusBadge status={r.status} />
              </span>
            </div>
            <p className="mt-0.5 text-xs text-slate-700">
              <bdi dir="auto">{r.subject}</bdi>
            </p>
            <p className="mt-1 text-slate-900">
              <bdi dir="auto">{r.customerName ?? "—"}</bdi> <span className="font-mono text-xs text-slate-600">{r.accountId}</span>
            </p>
            <p className="text-xs text-slate-700">
              {r.productCode ? (productName.get(r.productCode) ?? r.productCode) : "no product"} · <span className="capitalize">{r.tier ?? "no tier"}</span>
            </p>
            <div className="mt-1.5 flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-slate-700">
              {r.openExceptionCount > 0 ? (
                <Badge tone="amber">⚠ {r.openExceptionCount} open exception{r.openExceptionCount === 1 ? "" : "s"}</Badge>
              ) : (
                <span>no open exceptions</span>
              )}
              <span>
                v{r.currentVersion} · refreshed <RelativeTime value={r.lastRefreshedAt} />
              </span>
              <CauseChips causes={r.lastCauses} />
            </div>
          </li>
        ))}
      </ul>
      <CauseLegend />
      <CursorPagination
        data={data}
        page={page}
        label="Records"
        onNext={(c) => onChange(pagerChanges.next(c, page), true)}
        onPrev={(c) => onChange(pagerChanges.prev(c, page), true)}
        onFirst={() => onChange(pagerChanges.first(), true)}
      />
    </div>
  );
}

/** What the "Last change" colours mean: one chip per cause, the same colours as the record page. */
function CauseLegend() {
  return (
    <div className="flex flex-wrap items-center gap-1.5 text-xs text-slate-700" aria-label="Legend: last change colours" role="group">
      <span className="font-medium text-slate-600">Last change colours:</span>
      {CAUSE_ORDER.map((c) => (
        <CauseChip key={c} cause={c} long />
      ))}
    </div>
  );
}
