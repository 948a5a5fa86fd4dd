"use client";

import { useSuspenseQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useRef, useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import { fieldToPath } from "../../shared/format";
import { RULE_HINT, ruleLabel } from "../lib/rules";
import { useHotkeys } from "../lib/use-hotkeys";
import { LineagePanel } from "../record/lineage-panel";
import { CompareDelta, VersionDelta } from "../record/version-deltas";
import { Badge, ExceptionStatusBadge, SeverityBadge, VersionStatusBadge } from "../ui/badges";
import { button } from "../ui/button";
import { Kbd } from "../ui/kbd";
import { LiveIndicator } from "../ui/live-indicator";
import { errorMessage, QueryBoundary } from "../ui/query-boundary";
import { RelativeTime } from "../ui/relative-time";
import { BlockSkeleton } from "../ui/skeleton";
import { EvidenceGrid } from "./evidence";
import { NextException } from "./next-exception";
import { NoticeBar } from "./notice-bar";
import { ResolveForm, type ResolveFormHandle } from "./resolve-form";
import { SlaAge } from "./sla-age";
import { useExceptionActions } from "./use-exception-actions";
import { EXCEPTIONS_REFRESH_MS } from "./exceptions-view";

const AUDIT_VERB: Record<string, string> = {
  "exception.claim": "claimed it",
  "exception.unclaim": "released it",
  "exception.assign": "assigned it",
  "exception.approve": "approved",
  "exception.reject": "rejected",
  "exception.override": "overrode the field",
};

export function ExceptionDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const { data: me } = useSuspenseQuery(trpc.me.get.queryOptions());
  const { data: e, dataUpdatedAt, isFetching } = useSuspenseQuery(trpc.exceptions.get.queryOptions({ id }, { refetchInterval: EXCEPTIONS_REFRESH_MS }));
  const { data: facets } = useSuspenseQuery(trpc.exceptions.facets.queryOptions());
  const actions = useExceptionActions();
  const form = useRef<ResolveFormHandle>(null);
  const [field, setField] = useState<{ path: string; version: number } | null>(null);
  const [resolvedHere, setResolvedHere] = useState(false);
  const canAct = me?.role === "specialist" || me?.role === "admin";
  const mine = !!me && e.claimedBy?.id === me.id;
  const live = e.status !== "resolved";
  const current = e.case.currentVersion;
  const candidate = e.candidateVersion;
  const conflicts = e.field && candidate ? [{ prefix: fieldToPath(e.field), exceptionId: e.id, rule: e.rule, message: e.message }] : [];

  const claimToggle = () => {
    if (!canAct || !live || actions.busy) return;
    if (e.status === "open") actions.claim.mutate({ id });
    else if (mine || me?.role === "admin") actions.unclaim.mutate({ id });
  };
  useHotkeys({
    c: (ev) => {
      ev.preventDefault();
      claimToggle();
    },
    a: (ev) => mine && live && (ev.preventDefault(), form.current?.choose("approve")),
    r: (ev) => mine && live && (ev.preventDefault(), form.current?.choose("reject")),
    o: (ev) => mine && live && (ev.preventDefault(), form.current?.choose("override")),
  });

  return (
    <div className="space-y-4">
      <header className="space-y-1.5">
        <p className="text-xs text-slate-600">
          <Link href="/exceptions" className="text-blue-800 underline">
            Exceptions
          </Link>{" "}
          / <span className="font-mono">{e.id}</span>
        </p>
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div className="min-w-0">
            <h1 className="text-xl font-semibold tracking-tight text-slate-900">
              {ruleLabel(e.rule)} on{" "}
              <Link href={`/records/${encodeURIComponent(e.caseId)}`} className="font-mono text-blue-800 underline">
                {e.caseId}
              </Link>
            </h1>
            <p className="text-sm text-slate-600">{RULE_HINT[e.rule]}</p>
            <div className="mt-1.5 flex flex-wrap items-center gap-2 text-sm text-slate-700">
              <ExceptionStatusBadge status={e.status} />
              <SeverityBadge severity={e.case.severity} />
              <bdi dir="auto">{e.case.customerName}</bdi>
              <span className="text-slate-600">· {e.case.tierName ?? "no tier"}</span>
              <span className="text-slate-600">
                · opened <RelativeTime value={e.openedAt} />, last seen <RelativeTime value={e.lastSeenAt} />
              </span>
            </div>
          </div>
          <div className="flex flex-col items-end gap-1">
            <div className="w-48">
              <SlaAge openedAt={e.openedAt} resolvedAt={e.resolvedAt} slaMinutes={e.slaMinutes} verbose />
            </div>
            <LiveIndicator updatedAt={dataUpdatedAt} fetching={isFetching} />
          </div>
        </div>
        <p className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-950" data-testid="exception-message">
          {e.message}
        </p>
      </header>

      <div className="grid gap-4 lg:grid-cols-[minmax(0,1fr)_22rem]">
        <div className="min-w-0 space-y-5">
          <section aria-labelledby="evidence-title">
            <h2 id="evidence-title" className="mb-2 text-base font-semibold text-slate-900">
              Conflicting evidence
            </h2>
            {e.hits.length ? (
              <EvidenceGrid hits={e.hits} eventHref={(l) => `/events?source=${encodeURIComponent(l.source)}&q=${encodeURIComponent(l.webhookId)}`} />
            ) : (
              <p className="text-sm text-slate-600">This exception carries no evidence items.</p>
            )}
          </section>
          <section aria-labelledby="candidate-title">
            <h2 id="candidate-title" className="mb-2 flex flex-wrap items-center gap-2 text-base font-semibold text-slate-900">
              {candidate ? (
                <>
                  {live ? "Held candidate" : "Candidate"} <span className="font-mono">v{candidate}</span>
                  {e.candidate ? <VersionStatusBadge status={e.candidate.status} /> : null}
                  <span className="text-sm font-normal text-slate-600">{current && current !== candidate ? `against current v${current}` : current ? "" : "(the case has no current version yet)"}</span>
                </>
              ) : (
                "No candidate version"
              )}
            </h2>
            {candidate ? (
              <QueryBoundary what="the candidate's delta" fallback={<BlockSkeleton lines={8} label="Loading delta" />}>
                {current && current !== candidate ? (
                  <CompareDelta caseId={e.caseId} from={current} to={candidate} conflicts={conflicts} showConflictCallout={false} onField={(path, version) => setField({ path, version })} />
                ) : (
                  <VersionDelta caseId={e.caseId} version={candidate} conflicts={conflicts} showConflictCallout={false} onField={(path, version) => setField({ path, version })} />
                )}
              </QueryBoundary>
            ) : null}
          </section>
        </div>

        <aside className="min-w-0 space-y-3 lg:sticky lg:top-16 lg:self-start" aria-label="Actions">
          <NoticeBar notice={actions.notice} onDismiss={() => actions.setNotice(null)} />
          <section className="rounded-lg border border-slate-200 bg-white p-3" aria-labelledby="actions-title">
            <h2 id="actions-title" className="mb-2 text-sm font-semibold text-slate-900">
              {live ? "Decide" : "Outcome"}
            </h2>
            {!live ? (
              <div className="space-y-1 text-sm text-slate-800" data-testid="resolution">
                <p>
                  <Badge tone={e.resolution === "reject" ? "red" : e.resolution === "cleared" ? "slate" : "green"}>{e.resolution}</Badge> {e.resolvedBy ? `by ${e.resolvedBy.name}` : "by the engine"}{" "}
                  <RelativeTime value={e.resolvedAt} />
                </p>
                {e.resolutionNote ? <p className="text-slate-700">“<bdi dir="auto">{e.resolutionNote}</bdi>”</p> : null}
                <Link href={`/records/${encodeURIComponent(e.caseId)}`} className="font-medium text-blue-800 underline">
                  Open the record
                </Link>
                {canAct ? <NextException currentId={e.id} focus={resolvedHere} /> : null}
              </div>
            ) : !canAct ? (
              <p className="text-sm text-slate-700">
                {e.claimedBy ? `Claimed by ${e.claimedBy.name}.` : "Unclaimed."} Only specialists and admins act on exceptions.
              </p>
            ) : e.status === "open" ? (
              <div className="space-y-2">
                <p className="text-sm text-slate-700">Claim it to resolve it. Nobody else can act on it while it is yours.</p>
                <button type="button" className={button.primary} disabled={actions.busy} onClick={claimToggle}>
                  Claim <Kbd>c</Kbd>
                </button>
              </div>
            ) : !mine ? (
              <div className="space-y-2 text-sm text-slate-700">
                <p>
                  Claimed by <bdi dir="auto" className="font-medium text-slate-900">{e.claimedBy?.name}</bdi> <RelativeTime value={e.claimedAt} />.
                </p>
                <div className="flex flex-wrap gap-2">
                  {me?.role === "admin" ? (
                    <button type="button" className={button.secondary} disabled={actions.busy} onClick={() => actions.assign.mutate({ id, assigneeId: me.id })}>
                      Take it over
                    </button>
                  ) : (
                    <span className="text-xs text-slate-600">Only {e.claimedBy?.name ?? "the claimant"} or an admin can act on it, release it or reassign it.</span>
                  )}
                  {me?.role === "admin" ? (
                    <button type="button" className={button.ghost} disabled={actions.busy} onClick={claimToggle}>
                      Release
                    </button>
                  ) : null}
                </div>
              </div>
            ) : (
              <div className="space-y-3">
                <div className="flex items-center justify-between text-sm text-slate-700">
                  <span>Claimed by you</span>
                  <button type="button" className={button.ghost} disabled={actions.busy} onClick={claimToggle}>
                    Release <Kbd>c</Kbd>
                  </button>
                </div>
                <QueryBoundary what="the candidate" fallback={<BlockSkeleton lines={5} label="Loading form" />}>
                  <ResolveForm
                    ref={form}
                    exceptionId={e.id}
                    defaultField={e.field}
                    busy={actions.busy}
                    serverError={actions.resolve.error ? errorMessage(actions.resolve.error) : null}
                    onResolve={(input) =>
                      actions.resolve.mutate(input.kind === "override" ? { id, kind: "override", note: input.note, path: input.path!, value: input.value! } : { id, kind: input.kind, note: input.note }, {
                        onSuccess: () => setResolvedHere(true),
                      })
                    }
                  />
                </QueryBoundary>
              </div>
            )}
            {live && canAct && (e.status === "open" || mine || me?.role === "admin") ? (
              <label className="mt-3 block border-t border-slate-100 pt-2 text-xs text-slate-700">
                <span className="mb-0.5 block">Assign to</span>
                <select className="h-8 w-full rounded-md border border-slate-300 bg-white px-2 text-sm" value="" disabled={actions.busy} onChange={(ev) => ev.target.value && actions.assign.mutate({ id, assigneeId: ev.target.value })}>
                  <option value="">Choose a specialist…</option>
                  {facets.assignees
                    .filter((a) => a.id !== e.claimedBy?.id)
                    .map((a) => (
                      <option key={a.id} value={a.id}>
                        {a.id === me?.id ? `${a.name} (me)` : a.name}
                      </option>
                    ))}
                </select>
              </label>
            ) : null}
          </section>
          <section className="rounded-lg border border-slate-200 bg-white p-3" aria-labelledby="history-title">
            <h2 id="history-title" className="mb-2 text-sm font-semibold text-slate-900">
              History
            </h2>
            <ol className="space-y-1.5 text-xs text-slate-700">
              <li>
                Opened by the refresh engine <RelativeTime value={e.openedAt} />
              </li>
              {e.audit.map((a) => (
                <li key={a.id}>
                  <bdi dir="auto" className="font-medium text-slate-900">{a.actorLabel}</bdi> {AUDIT_VERB[a.action] ?? a.action} <RelativeTime value={a.createdAt} />
                  {a.note ? <span className="block text-slate-600">“<bdi dir="auto">{a.note}</bdi>”</span> : null}
                </li>
              ))}
              {e.resolution === "cleared" ? (
                <li>
                  Cleared by the engine <RelativeTime value={e.resolvedAt} />: <bdi dir="auto">{e.resolutionNote}</bdi>
                </li>
              ) : null}
            </ol>
            {e.quarantined.length ? (
              <div className="mt-2 border-t border-slate-100 pt-2 text-xs">
                <p className="font-medium text-slate-900">Quarantined events</p>
                <ul className="mt-1 space-y-0.5">
                  {e.quarantined.map((q) => (
                    <li key={q.id}>
                      <Link href={`/events/${encodeURIComponent(q.id)}`} className="text-blue-800 underline">
                        {q.source} {q.entityId} v{q.entityVersion}
                      </Link>
                    </li>
                  ))}
                </ul>
              </div>
            ) : null}
          </section>
        </aside>
      </div>
      {field ? <LineagePanel key={`${field.path}@${field.version}`} caseId={e.caseId} path={field.path} version={field.version} onClose={() => setField(null)} /> : null}
    </div>
  );
}
