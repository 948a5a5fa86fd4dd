"use client";

import { useSuspenseQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useDeferredValue, useEffect, useMemo, useRef, useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import { useUrlParams } from "../lib/url-state";
import { useListNavigation } from "../lib/use-list-navigation";
import { Badge, EventStatusBadge } from "../ui/badges";
import { EmptyState } from "../ui/empty-state";
import { Kbd } from "../ui/kbd";
import { LiveIndicator } from "../ui/live-indicator";
import { CursorPagination, pageFromParams, pagerChanges } from "../ui/cursor-pagination";
import { RelativeTime } from "../ui/relative-time";
import { CellLabel, stack } from "../ui/stack-table";
import { EVENT_STATUS_LIST, eventQueryFromParams, refusalQueryFromParams, type EventQuery, type RefusalQuery } from "./params";

export const EVENTS_REFRESH_MS = 5_000;
const inputClass = "h-8 rounded-md border border-slate-300 bg-white px-2 text-sm text-slate-900";

export function EventsView() {
  const trpc = useTRPC();
  const [sp, setParams] = useUrlParams();
  const tab = sp.get("tab") === "refusals" ? "refusals" : "events";
  const { data: facets } = useSuspenseQuery(trpc.events.facets.queryOptions());
  const eventQuery = useMemo(() => eventQueryFromParams(sp), [sp]);
  const refusalQuery = useMemo(() => refusalQueryFromParams(sp), [sp]);
  const deferredEvents = useDeferredValue(eventQuery);
  const deferredRefusals = useDeferredValue(refusalQuery);
  const page = pageFromParams(sp);
  // Any change but paging starts again from the first page.
  const update = (changes: Record<string, string | null>, keepPage = false) => setParams(keepPage ? changes : { ...changes, ...pagerChanges.first() });
  const statuses = new Set(eventQuery.status ?? []);
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-2">
        <nav aria-label="Intake log" className="flex rounded-md border border-slate-300 bg-white p-0.5">
          {(["events", "refusals"] as const).map((t) => (
            <button
              key={t}
              type="button"
              aria-current={tab === t ? "page" : undefined}
              onClick={() => setParams({ tab: t === "refusals" ? "refusals" : null, status: null, case: null, q: null, ...pagerChanges.first() })}
              className={`rounded px-3 py-1 text-sm font-medium ${tab === t ? "bg-slate-800 text-white" : "text-slate-700 hover:bg-slate-100"}`}
            >
              {t === "events" ? "Accepted events" : "Refused deliveries"}
            </button>
          ))}
        </nav>
        <select aria-label="Source" className={inputClass} value={sp.get("source") ?? ""} onChange={(e) => update({ source: e.target.value || null })}>
          <option value="">All sources</option>
          {facets.sources.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
        {tab === "events" ? (
          <>
            <TextFilter label="Case" param="case" value={sp.get("case") ?? ""} placeholder="Case id" onChange={update} />
            <TextFilter label="Webhook or entity id" param="q" value={sp.get("q") ?? ""} placeholder="Webhook / entity id" onChange={update} />
          </>
        ) : null}
        <label className="inline-flex items-center gap-1 text-sm text-slate-700">
          From
          <input type="datetime-local" aria-label="Received from (UTC)" className={inputClass} value={sp.get("from") ?? ""} onChange={(e) => update({ from: e.target.value || null })} />
        </label>
        <label className="inline-flex items-center gap-1 text-sm text-slate-700">
          to
          <input type="datetime-local" aria-label="Received until (UTC)" className={inputClass} value={sp.get("to") ?? ""} onChange={(e) => update({ to: e.target.value || null })} />
          <span className="text-xs text-slate-600">UTC</span>
        </label>
      </div>
      {tab === "events" ? (
        <>
          <fieldset className="flex flex-wrap items-center gap-1">
            <legend className="sr-only">Status</legend>
            <span className="mr-1 text-xs text-slate-600">Status</span>
            {EVENT_STATUS_LIST.map((s) => (
              <button
                key={s}
                type="button"
                aria-pressed={statuses.has(s)}
                onClick={() => {
                  const next = new Set(statuses);
                  if (next.has(s)) next.delete(s);
                  else next.add(s);
                  update({ status: [...next].join(",") || null });
                }}
                className={`rounded-full border px-2.5 py-0.5 text-xs font-medium ${statuses.has(s) ? "border-slate-800 bg-slate-800 text-white" : "border-slate-300 bg-white text-slate-700 hover:bg-slate-100"}`}
              >
                {s.replace("_", " ")}
              </button>
            ))}
          </fieldset>
          <EventsTable query={deferredEvents} updating={deferredEvents !== eventQuery} page={page} onPager={(c) => update(c, true)} />
        </>
      ) : (
        <RefusalsTable query={deferredRefusals} updating={deferredRefusals !== refusalQuery} page={page} onPager={(c) => update(c, true)} />
      )}
    </div>
  );
}

function TextFilter({ label, param, value, placeholder, onChange }: { label: string; param: string; value: string; placeholder: string; onChange: (c: Record<string, string | null>) => void }) {
  const [text, setText] = useState(value);
  const sent = useRef(value);
  const cb = useRef(onChange);
  useEffect(() => {
    cb.current = onChange;
  });
  useEffect(() => {
    if (text.trim() === sent.current) return;
    const t = setTimeout(() => {
      sent.current = text.trim();
      cb.current({ [param]: text.trim() || null });
    }, 300);
    return () => clearTimeout(t);
  }, [text, param]);
  useEffect(() => {
    if (value !== sent.current) {
      sent.current = value;
      setText(value);
    }
  }, [value]);
  return <input type="search" aria-label={label} placeholder={placeholder} className={`${inputClass} w-44`} value={text} onChange={(e) => setText(e.target.value)} />;
}

function EventsTable({ query, updating, page, onPager }: { query: EventQuery; updating: boolean; page: number; onPager: (c: Record<string, string | null>) => void }) {
  const trpc = useTRPC();
  const router = useRouter();
  const { data, dataUpdatedAt, isFetching } = useSuspenseQuery(trpc.events.list.queryOptions(query, { refetchInterval: EVENTS_REFRESH_MS }));
  const rows = data.rows;
  const nav = useListNavigation(rows.map((r) => r.id), (i) => router.push(`/events/${encodeURIComponent(rows[i]!.id)}`));
  return (
    <div className="space-y-2">
      <div className="flex items-center justify-between text-xs text-slate-600">
        <LiveIndicator updatedAt={dataUpdatedAt} fetching={isFetching || updating} />
        <span className="hidden sm:inline">
          <Kbd>j</Kbd>/<Kbd>k</Kbd> move · <Kbd>Enter</Kbd> open
        </span>
      </div>
      {!rows.length ? (
        <EmptyState title="No events match">
          Accepted deliveries appear here newest first, stale ones included. Duplicate deliveries (same source and webhook-id) are acknowledged without a new row; refused
          ones are under <span className="font-medium">Refused deliveries</span>.
        </EmptyState>
      ) : (
        <div className={`relative overflow-x-auto rounded-lg border border-slate-200 bg-white ${updating ? "opacity-60" : ""}`} aria-busy={updating}>
          {/* Below 768 px every event is a card (components/ui/stack-table.tsx): nothing scrolls sideways. */}
          <table className={`w-full min-w-[900px] table-fixed max-md:min-w-0 ${stack.table}`}>
            <caption className="sr-only">Accepted webhook events, newest first</caption>
            <thead className={`border-b border-slate-200 bg-slate-50 text-left text-xs text-slate-600 ${stack.thead}`}>
              <tr>
                <th scope="col" className="w-[9rem] px-3 py-2 font-medium">
                  Received
                </th>
                <th scope="col" className="w-[8rem] px-3 py-2 font-medium">
                  Source
                </th>
                <th scope="col" className="w-[22%] px-3 py-2 font-medium">
                  Entity
                </th>
                <th scope="col" className="w-[8rem] px-3 py-2 font-medium">
                  Case
                </th>
                <th scope="col" className="w-[7.5rem] px-3 py-2 font-medium">
                  Status
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Versions produced
                </th>
              </tr>
            </thead>
            <tbody className={stack.tbody}>
              {rows.map((r, i) => (
                <tr key={r.id} ref={nav.register(r.id)} data-active={nav.active === i} onFocus={nav.onRowFocus(i)} className={`border-b border-slate-100 align-top last:border-0 ${stack.row}`} data-event={r.id}>
                  <td className={stack.cell}>
                    <CellLabel>Received</CellLabel>
                    <Link data-row-primary prefetch={false} href={`/events/${encodeURIComponent(r.id)}`} className="text-blue-800 hover:underline">
                      <RelativeTime value={r.receivedAt} />
                    </Link>
                    <div className="truncate font-mono text-[11px] text-slate-600" title={r.webhookId}>
                      {r.webhookId}
                    </div>
                  </td>
                  <td className={`${stack.cell} text-slate-800`}>
                    <CellLabel>Source</CellLabel>
                    {r.source}
                  </td>
                  <td className={stack.cell}>
                    <CellLabel>Entity</CellLabel>
                    <span className="text-slate-600">{r.entityKind}</span> <span className="font-mono text-[13px]">{r.entityId}</span> <span className="text-slate-600">v{r.entityVersion}</span>
                    <div className="truncate text-xs text-slate-600">{r.type}</div>
                  </td>
                  <td className={`truncate font-mono text-[13px] ${stack.cell}`}>
                    <CellLabel>Case</CellLabel>
                    {r.caseId === "*" ? <span className="text-slate-600">every case</span> : <Link href={`/records/${encodeURIComponent(r.caseId)}`} className="text-blue-800 hover:underline">{r.caseId}</Link>}
                  </td>
                  <td className={stack.cell}>
                    <CellLabel>Status</CellLabel>
                    <EventStatusBadge status={r.status} />
                    {r.lastError ? (
                      <div className="mt-0.5 line-clamp-2 text-xs text-red-800" title={r.lastError}>
                        {r.lastError}
                      </div>
                    ) : null}
                  </td>
                  <td className={stack.cell}>
                    <CellLabel>Versions produced</CellLabel>
                    {r.cases.length ? (
                      <ul className="flex flex-wrap gap-1">
                        {r.cases.map((c) => (
                          <li key={c.caseId}>
                            <Link
                              href={`/records/${encodeURIComponent(c.caseId)}${c.recordVersion ? `?v=${c.recordVersion}` : ""}`}
                              className="inline-flex items-center gap-1 rounded border border-slate-200 px-1.5 py-0.5 text-xs hover:bg-slate-50"
                            >
                              <span className="font-mono">{c.caseId}</span>
                              {c.recordVersion ? <span className="font-mono font-semibold"> v{c.recordVersion}</span> : null}
                              <span className="text-slate-600"> {c.outcome.replace("_", " ")}</span>
                            </Link>
                          </li>
                        ))}
                        {r.caseCount > r.cases.length ? <li className="text-xs text-slate-600">+{r.caseCount - r.cases.length} more</li> : null}
                      </ul>
                    ) : (
                      <span className="text-xs text-slate-600">{r.status === "received" ? "processing…" : r.status === "stale" ? "not applied (stale)" : "none"}</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <CursorPagination
        data={data}
        page={page}
        label="Events"
        onNext={(c) => onPager(pagerChanges.next(c, page))}
        onPrev={(c) => onPager(pagerChanges.prev(c, page))}
        onFirst={() => onPager(pagerChanges.first())}
      />
    </div>
  );
}

function RefusalsTable({ query, updating, page, onPager }: { query: RefusalQuery; updating: boolean; page: number; onPager: (c: Record<string, string | null>) => void }) {
  const trpc = useTRPC();
  const { data, dataUpdatedAt, isFetching } = useSuspenseQuery(trpc.events.refusals.queryOptions(query, { refetchInterval: EVENTS_REFRESH_MS }));
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center justify-between gap-x-3 gap-y-1 text-xs text-slate-600">
        <LiveIndicator updatedAt={dataUpdatedAt} fetching={isFetching || updating} />
        <span>Refused deliveries are listed with their reason, identical ones counted per address and minute; their unverified bodies are never stored.</span>
      </div>
      {!data.rows.length ? (
        <EmptyState title="No refused deliveries">Wrong signatures, stale timestamps, invalid bodies and rate-limited requests would be listed here.</EmptyState>
      ) : (
        // Cards below 768 px (components/ui/stack-table.tsx): nothing scrolls sideways on a phone.
        <div className={`relative rounded-lg border border-slate-200 bg-white md:overflow-x-auto ${updating ? "opacity-60" : ""}`}>
          <table className={`${stack.table} w-full md:min-w-[800px] md:table-fixed`}>
            <caption className="sr-only">Refused webhook deliveries, newest first</caption>
            <thead className={`border-b border-slate-200 bg-slate-50 text-left text-xs text-slate-600 ${stack.thead}`}>
              <tr>
                <th scope="col" className="w-[9rem] px-3 py-2 font-medium">
                  When
                </th>
                <th scope="col" className="w-[8rem] px-3 py-2 font-medium">
                  Source
                </th>
                <th scope="col" className="w-[5rem] px-3 py-2 font-medium">
                  HTTP
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  Reason
                </th>
                <th scope="col" className="w-[14rem] px-3 py-2 font-medium">
                  Webhook id · from
                </th>
              </tr>
            </thead>
            <tbody className={stack.tbody}>
              {data.rows.map((r) => (
                <tr key={r.id} className={`border-b border-slate-100 align-top last:border-0 ${stack.row}`} data-testid="refusal-row">
                  <td className={stack.inline}>
                    <CellLabel>When</CellLabel>
                    <RelativeTime value={r.createdAt} />
                  </td>
                  <td className={stack.inline}>
                    <CellLabel>Source</CellLabel>
                    <bdi>{r.sourceName}</bdi>
                  </td>
                  <td className={stack.inline}>
                    <CellLabel>HTTP</CellLabel>
                    <Badge tone={r.httpStatus === 429 ? "amber" : "red"}>{r.httpStatus}</Badge>
                  </td>
                  <td className={stack.cell}>
                    <bdi className="break-words">{r.reason}</bdi>
                    {r.count > 1 ? (
                      <span className="ml-2 whitespace-nowrap text-xs text-slate-600" title="Identical refusals from this address within the minute are counted in one row">
                        × {r.count.toLocaleString("en-US")} in this minute
                      </span>
                    ) : null}
                    {Array.isArray(r.issues) && r.issues.length ? (
                      <details className="mt-1 text-xs">
                        <summary className="cursor-pointer text-blue-800">{r.issues.length} issue(s)</summary>
                        <ul className="mt-1 space-y-0.5 break-words font-mono">
                          {(r.issues as { path?: string; message?: string }[]).map((i, k) => (
                            <li key={k}>
                              {i.path} {i.message}
                            </li>
                          ))}
                        </ul>
                      </details>
                    ) : null}
                  </td>
                  <td className={`${stack.cell} text-xs`}>
                    <CellLabel>Webhook id</CellLabel>
                    <div className="truncate font-mono max-md:inline" title={r.webhookId ?? undefined}>
                      {r.webhookId ?? "—"}
                    </div>
                    <div className="text-slate-600 max-md:ml-2 max-md:inline">{r.remoteAddr ? <span className="md:hidden">from </span> : null}{r.remoteAddr ?? ""}</div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <CursorPagination
        data={data}
        page={page}
        label="Refusals"
        onNext={(c) => onPager(pagerChanges.next(c, page))}
        onPrev={(c) => onPager(pagerChanges.prev(c, page))}
        onFirst={() => onPager(pagerChanges.first())}
      />
    </div>
  );
}
