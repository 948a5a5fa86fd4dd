"use client";

import { useSuspenseQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useDeferredValue, useMemo, useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import { RULE_HINT, ruleLabel } from "../lib/rules";
import { fieldToPath, pathLabel } from "../../shared/format";
import { useUrlParams } from "../lib/url-state";
import { useListNavigation } from "../lib/use-list-navigation";
import { useShortcutsEnabled } from "../lib/shortcut-prefs";
import { Badge, ExceptionStatusBadge, RuleBadge, SeverityBadge } from "../ui/badges";
import { button } from "../ui/button";
import { EmptyState } from "../ui/empty-state";
import { Kbd } from "../ui/kbd";
import { LiveIndicator } from "../ui/live-indicator";
import { CursorPagination, pageFromParams, pagerChanges } from "../ui/cursor-pagination";
import { RelativeTime } from "../ui/relative-time";
import { NoticeBar } from "./notice-bar";
import { exceptionQueryFromParams, type ExceptionQuery } from "./params";
import { SlaAge } from "./sla-age";
import { useExceptionActions } from "./use-exception-actions";

export const EXCEPTIONS_REFRESH_MS = 5_000;
const selectClass = "h-8 rounded-md border border-slate-300 bg-white px-2 text-sm text-slate-900";

export function ExceptionsView() {
  const trpc = useTRPC();
  const [sp, setParams] = useUrlParams();
  const { data: me } = useSuspenseQuery(trpc.me.get.queryOptions());
  const { data: facets } = useSuspenseQuery(trpc.exceptions.facets.queryOptions());
  const query = useMemo(() => exceptionQueryFromParams(sp, me?.id ?? null), [sp, me]);
  const deferred = useDeferredValue(query);
  const page = pageFromParams(sp);
  // Any change but paging starts again from the first page.
  const update = (changes: Record<string, string | null>, keepPage = false) => setParams(keepPage ? changes : { ...changes, ...pagerChanges.first() });
  const status = query.status ?? "open";
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-2">
        <nav aria-label="Exception status" className="flex rounded-md border border-slate-300 bg-white p-0.5">
          {(["open", "claimed", "resolved"] as const).map((s) => (
            <button
              key={s}
              type="button"
              aria-current={status === s ? "page" : undefined}
              onClick={() => update({ status: s === "open" ? null : s, mine: s === "open" ? null : sp.get("mine") })}
              className={`rounded px-3 py-1 text-sm font-medium capitalize ${status === s ? "bg-slate-800 text-white" : "text-slate-700 hover:bg-slate-100"}`}
            >
              {s} <StatusCount query={deferred} status={s} />
            </button>
          ))}
        </nav>
        <select aria-label="Rule" className={selectClass} value={query.rule ?? ""} onChange={(e) => update({ rule: e.target.value || null })}>
          <option value="">All rules</option>
          {facets.rules.map((r) => (
            <option key={r} value={r}>
              {ruleLabel(r)}
            </option>
          ))}
        </select>
        <select aria-label="Source" className={selectClass} value={query.source ?? ""} onChange={(e) => update({ source: e.target.value || null })}>
          <option value="">All sources</option>
          {facets.sources.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        {query.caseId ? (
          <span className="inline-flex items-center gap-1 rounded-md border border-slate-300 bg-white py-0.5 pl-2 pr-0.5 text-sm">
            Case <span className="font-mono">{query.caseId}</span>
            <button type="button" className="rounded px-1.5 text-slate-700 hover:bg-slate-100" aria-label={`Show every case, not only ${query.caseId}`} onClick={() => update({ case: null })}>
              ×
            </button>
          </span>
        ) : null}
        {status !== "open" && me ? (
          <label className="inline-flex items-center gap-1.5 text-sm text-slate-800">
            <input type="checkbox" className="h-4 w-4" checked={sp.get("mine") === "1"} onChange={(e) => update({ mine: e.target.checked ? "1" : null })} />
            {status === "claimed" ? "Claimed by me" : "Resolved from my claims"}
          </label>
        ) : null}
      </div>
      <ExceptionsTable query={deferred} updating={deferred !== query} canAct={me?.role === "specialist" || me?.role === "admin"} meId={me?.id ?? null} isAdmin={me?.role === "admin"} assignees={facets.assignees} page={page} onPager={(c) => update(c, true)} />
    </div>
  );
}

function StatusCount({ query, status }: { query: ExceptionQuery; status: "open" | "claimed" | "resolved" }) {
  const trpc = useTRPC();
  const { data } = useSuspenseQuery(trpc.exceptions.list.queryOptions(query, { refetchInterval: EXCEPTIONS_REFRESH_MS }));
  return (
    <span className="ml-1 tabular-nums opacity-80">
      {data.counts[status].toLocaleString("en-US")}
      {data.countsCapped[status] ? "+" : ""}
    </span>
  );
}

function ExceptionsTable({
  query,
  updating,
  canAct,
  meId,
  isAdmin,
  assignees,
  page,
  onPager,
}: {
  query: ExceptionQuery;
  updating: boolean;
  canAct: boolean;
  meId: string | null;
  isAdmin: boolean;
  assignees: { id: string; name: string; role: string }[];
  page: number;
  onPager: (changes: Record<string, string | null>) => void;
}) {
  const trpc = useTRPC();
  const router = useRouter();
  const { data, dataUpdatedAt, isFetching } = useSuspenseQuery(trpc.exceptions.list.queryOptions(query, { refetchInterval: EXCEPTIONS_REFRESH_MS }));
  const actions = useExceptionActions();
  const shortcuts = useShortcutsEnabled();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const rows = data.rows;
  const selectable = rows.filter((r) => r.status === "open").map((r) => r.id);
  const chosen = [...selected].filter((id) => selectable.includes(id));
  const toggle = (id: string) =>
    setSelected((cur) => {
      const next = new Set(cur);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const claimOrRelease = (r: (typeof rows)[number]) => {
    if (!canAct || actions.busy) return;
    if (r.status === "open") claimRow(actions, r);
    else if (r.status === "claimed" && (r.claimedBy?.id === meId || isAdmin)) releaseRow(actions, r);
  };
  const nav = useListNavigation(rows.map((r) => r.id), (i) => router.push(`/exceptions/${encodeURIComponent(rows[i]!.id)}`), {
    x: (i) => rows[i]!.status === "open" && toggle(rows[i]!.id),
    c: (i) => claimOrRelease(rows[i]!),
  });

  const status = query.status ?? "open";
  return (
    <div className="space-y-2">
      <NoticeBar notice={actions.notice} onDismiss={() => actions.setNotice(null)} />
      <div className="flex min-h-8 flex-wrap items-center justify-between gap-2 text-xs text-slate-600">
        <LiveIndicator updatedAt={dataUpdatedAt} fetching={isFetching || updating} />
        {canAct && status === "open" && rows.length ? (
          <div className="flex items-center gap-2">
            <span className="text-sm text-slate-700">{chosen.length} selected</span>
            <button type="button" className={button.primary} disabled={!chosen.length || actions.busy} onClick={() => actions.bulkClaim.mutate({ ids: chosen }, { onSuccess: () => setSelected(new Set()) })}>
              Claim selected
            </button>
          </div>
        ) : null}
        <span className={shortcuts ? "hidden sm:inline" : "hidden"}>
          <Kbd>j</Kbd>/<Kbd>k</Kbd> move · <Kbd>Enter</Kbd> open{canAct ? <> · <Kbd>x</Kbd> select · <Kbd>c</Kbd> claim/release</> : null}
        </span>
      </div>
      {!rows.length ? (
        <EmptyState title={status === "open" ? "No open exceptions" : status === "claimed" ? "Nothing claimed" : "No resolved exceptions yet"}>
          {status === "open" ? "Every refreshed record is current. Held candidates appear here the moment a rule stops a refresh." : "Try another tab or clear the filters."}
        </EmptyState>
      ) : (
        <>
        <div className={`relative hidden overflow-x-auto rounded-lg border border-slate-200 bg-white md:block ${updating ? "opacity-60" : ""}`} aria-busy={updating}>
          <table className="w-full min-w-[900px] table-fixed text-sm">
            <caption className="sr-only">{status} exceptions</caption>
            <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs text-slate-600">
              <tr>
                {canAct && status === "open" ? (
                  <th scope="col" className="w-9 px-3 py-2">
                    <input
                      type="checkbox"
                      className="h-4 w-4"
                      aria-label="Select all open exceptions on this page"
                      checked={selectable.length > 0 && chosen.length === selectable.length}
                      onChange={(e) => setSelected(e.target.checked ? new Set(selectable) : new Set())}
                    />
                  </th>
                ) : null}
                <th scope="col" className="w-[17%] px-3 py-2 font-medium">
                  Case
                </th>
                <th scope="col" className="w-[30%] px-3 py-2 font-medium">
                  Rule and finding
                </th>
                <th scope="col" className="w-[9%] px-3 py-2 font-medium">
                  Source
                </th>
                <th scope="col" className="w-[11%] px-3 py-2 font-medium">
                  {status === "resolved" ? "Took / SLA" : "Age / SLA"}
                </th>
                <th scope="col" className="w-[7%] px-3 py-2 font-medium">
                  Held
                </th>
                <th scope="col" className="px-3 py-2 font-medium">
                  {status === "resolved" ? "Resolution" : "Owner"}
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <tr key={r.id} ref={nav.register(r.id)} data-active={nav.active === i} onFocus={nav.onRowFocus(i)} className="border-b border-slate-100 align-top last:border-0" data-exception={r.id}>
                  {canAct && status === "open" ? (
                    <td className="px-3 py-2">
                      <input type="checkbox" className="h-4 w-4" aria-label={`Select ${r.caseId} ${ruleLabel(r.rule)}`} checked={selected.has(r.id)} onChange={() => toggle(r.id)} />
                    </td>
                  ) : null}
                  <td className="px-3 py-2">
                    <Link data-row-primary prefetch={false} href={`/exceptions/${encodeURIComponent(r.id)}`} className="font-mono text-[13px] font-semibold text-blue-800 hover:underline">
                      {r.caseId}
                    </Link>
                    <div className="mt-0.5 flex items-center gap-1.5 text-xs text-slate-600">
                      <SeverityBadge severity={r.severity} />
                      <bdi dir="auto" className="truncate">{r.customerName}</bdi>
                    </div>
                  </td>
                  <td className="px-3 py-2">
                    <span title={RULE_HINT[r.rule]}>
                      <RuleBadge rule={r.rule} />
                    </span>
                    {r.field ? <span className="ml-1.5 text-xs text-slate-600">{pathLabel(fieldToPath(r.field))}</span> : null}
                    <p className="mt-0.5 line-clamp-2 text-xs text-slate-700" title={r.message}>
                      {r.message}
                    </p>
                  </td>
                  <td className="px-3 py-2 text-slate-800">{r.sourceName ?? "—"}</td>
                  <td className="px-3 py-2">
                    <SlaAge openedAt={r.openedAt} resolvedAt={r.resolvedAt} slaMinutes={r.slaMinutes} />
                  </td>
                  <td className="px-3 py-2 font-mono text-xs">
                    {r.candidateVersion ? (
                      <Link href={`/records/${encodeURIComponent(r.caseId)}?v=${r.candidateVersion}`} className="text-blue-800 hover:underline">
                        v{r.candidateVersion}
                      </Link>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td className="px-3 py-2">
                    {status === "resolved" ? (
                      <div className="text-xs text-slate-700">
                        <Badge tone={r.resolution === "reject" ? "red" : r.resolution === "cleared" ? "slate" : "green"}>{r.resolution}</Badge>{" "}
                        {r.resolvedBy ? `by ${r.resolvedBy.name}` : "by the engine"} <RelativeTime value={r.resolvedAt} />
                        {r.resolutionNote ? (
                          <p className="mt-0.5 line-clamp-2" title={r.resolutionNote}>
                            “<bdi dir="auto">{r.resolutionNote}</bdi>”
                          </p>
                        ) : null}
                      </div>
                    ) : (
                      <OwnerCell row={r} canAct={canAct} meId={meId} isAdmin={isAdmin} assignees={assignees} actions={actions} />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {/* Below 768 px each exception is a card with its actions: nothing hides behind a sideways scroll. */}
        <ul className={`space-y-2 md:hidden ${updating ? "opacity-60" : ""}`} aria-label={`${status} exceptions`} data-testid="exception-cards">
          {rows.map((r) => (
            <li key={r.id} className="space-y-1.5 rounded-lg border border-slate-200 bg-white p-3 text-sm" data-exception-card={r.id}>
              <div className="flex items-start justify-between gap-2">
                <Link prefetch={false} href={`/exceptions/${encodeURIComponent(r.id)}`} className="font-mono text-[13px] font-semibold text-blue-800 underline-offset-2 hover:underline">
                  {r.caseId}
                </Link>
                <SeverityBadge severity={r.severity} />
              </div>
              <p className="text-xs text-slate-700">
                <bdi dir="auto">{r.customerName}</bdi> · {r.sourceName ?? "no source"}
                {r.candidateVersion ? <> · held v{r.candidateVersion}</> : null}
              </p>
              <div>
                <RuleBadge rule={r.rule} />
                <p className="mt-0.5 text-xs text-slate-700">{r.message}</p>
              </div>
              <SlaAge openedAt={r.openedAt} resolvedAt={r.resolvedAt} slaMinutes={r.slaMinutes} verbose />
              {status === "resolved" ? (
                <p className="text-xs text-slate-700">
                  <Badge tone={r.resolution === "reject" ? "red" : r.resolution === "cleared" ? "slate" : "green"}>{r.resolution}</Badge> {r.resolvedBy ? `by ${r.resolvedBy.name}` : "by the engine"}{" "}
                  <RelativeTime value={r.resolvedAt} />
                </p>
              ) : (
                <OwnerCell row={r} canAct={canAct} meId={meId} isAdmin={isAdmin} assignees={assignees} actions={actions} />
              )}
            </li>
          ))}
        </ul>
        </>
      )}
      <CursorPagination
        data={data}
        page={page}
        label="Exceptions"
        onNext={(c) => onPager(pagerChanges.next(c, page))}
        onPrev={(c) => onPager(pagerChanges.prev(c, page))}
        onFirst={() => onPager(pagerChanges.first())}
      />
    </div>
  );
}

function OwnerCell({
  row,
  canAct,
  meId,
  isAdmin,
  assignees,
  actions,
}: {
  row: { id: string; caseId: string; status: string; claimedBy: { id: string; name: string } | null; claimedAt: Date | null };
  canAct: boolean;
  meId: string | null;
  isAdmin: boolean;
  assignees: { id: string; name: string }[];
  actions: ReturnType<typeof useExceptionActions>;
}) {
  const mine = row.claimedBy?.id === meId;
  return (
    <div className="flex flex-wrap items-center gap-1.5">
      {row.claimedBy ? (
        <span className="text-xs text-slate-800">
          <ExceptionStatusBadge status="claimed" /> {mine ? "you" : <bdi dir="auto">{row.claimedBy.name}</bdi>} <RelativeTime value={row.claimedAt} className="text-slate-600" />
        </span>
      ) : (
        <ExceptionStatusBadge status="open" />
      )}
      {canAct ? (
        <>
          {row.status === "open" ? (
            <button type="button" className={button.small} disabled={actions.busy} onClick={() => claimRow(actions, row)}>
              Claim
            </button>
          ) : mine || isAdmin ? (
            <button type="button" className={button.small} disabled={actions.busy} onClick={() => releaseRow(actions, row)}>
              Release
            </button>
          ) : null}
          <select
            aria-label={`Assign ${row.caseId} to a specialist`}
            className="h-7 max-w-[9.5rem] rounded border border-slate-300 bg-white px-1 text-xs text-slate-800"
            value=""
            disabled={actions.busy}
            onChange={(e) => e.target.value && actions.assign.mutate({ id: row.id, assigneeId: e.target.value })}
          >
            <option value="">Assign to…</option>
            {assignees
              .filter((a) => a.id !== row.claimedBy?.id)
              .map((a) => (
                <option key={a.id} value={a.id}>
                  {a.id === meId ? `${a.name} (me)` : a.name}
                </option>
              ))}
          </select>
        </>
      ) : null}
    </div>
  );
}

type Actions = ReturnType<typeof useExceptionActions>;
const exceptionHref = (id: string) => `/exceptions/${encodeURIComponent(id)}`;

/**
 * Claiming takes the row out of the Open tab, so the focus moves to the notice's link to the
 * claimed exception: Enter then opens exactly what was claimed, never the row that slid into
 * the old position.
 */
function claimRow(actions: Actions, row: { id: string; caseId: string }) {
  actions.claim.mutate(
    { id: row.id },
    { onSuccess: () => actions.setNotice({ tone: "ok", text: `Claimed ${row.caseId}.`, href: exceptionHref(row.id), linkLabel: `Open ${row.caseId}`, focus: true }) },
  );
}

function releaseRow(actions: Actions, row: { id: string; caseId: string }) {
  actions.unclaim.mutate(
    { id: row.id },
    { onSuccess: () => actions.setNotice({ tone: "ok", text: `Released ${row.caseId} back to the open queue.`, href: exceptionHref(row.id), linkLabel: `Open ${row.caseId}`, focus: true }) },
  );
}
