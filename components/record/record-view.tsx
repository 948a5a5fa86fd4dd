"use client";

import { keepPreviousData, useQuery, useSuspenseQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useCallback, useDeferredValue, useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import { fieldToPath } from "../../shared/format";
import { useUrlParams } from "../lib/url-state";
import { CaseStatusBadge, RuleBadge, SeverityBadge, VersionStatusBadge, Badge } from "../ui/badges";
import { button } from "../ui/button";
import { LiveIndicator } from "../ui/live-indicator";
import { QueryBoundary } from "../ui/query-boundary";
import { RelativeTime } from "../ui/relative-time";
import { BlockSkeleton } from "../ui/skeleton";
import type { Lineage } from "@/shared/lineage";
import { type ConflictMark } from "./delta-view";
import { CompareDelta, VersionDelta } from "./version-deltas";
import { AsOfView } from "./as-of-view";
import { FieldHistoryView } from "./field-history-view";
import { LineagePanel } from "./lineage-panel";
import { PackageActions } from "./package-actions";
import { RecordSections } from "./record-sections";
import { Tabs } from "../ui/tabs";
import { VersionTimeline } from "./version-timeline";

export const RECORD_REFRESH_MS = 4_000;
/** Versions the timeline lists at first, and adds per "Show older versions". */
const TIMELINE_STEP = 50;

type Selection = { mode: "version"; version: number } | { mode: "compare"; from: number; to: number };

const positive = (v: string | null) => {
  const n = Number(v);
  return Number.isInteger(n) && n > 0 ? n : null;
};

export function RecordView({ caseId }: { caseId: string }) {
  const trpc = useTRPC();
  const [sp, setParams] = useUrlParams();
  const { data: ov, dataUpdatedAt, isFetching } = useSuspenseQuery(trpc.records.overview.queryOptions({ caseId }, { refetchInterval: RECORD_REFRESH_MS }));
  // The newest versions first; older ones load in steps, so a case with 1,000 versions opens as fast as any.
  const [shown, setShown] = useState(TIMELINE_STEP);
  const { data: tl } = useQuery({
    ...trpc.records.timeline.queryOptions(shown === TIMELINE_STEP ? { caseId } : { caseId, limit: shown }, { refetchInterval: RECORD_REFRESH_MS }),
    placeholderData: keepPreviousData,
  });
  const { data: first } = useSuspenseQuery(trpc.records.timeline.queryOptions({ caseId }, { refetchInterval: RECORD_REFRESH_MS }));
  const timeline = (tl ?? first).versions;
  const totalVersions = (tl ?? first).total;

  const latest = ov.current?.version ?? timeline[0]!.version;
  // Versions in the URL that the case does not have (?from=99) are named and set aside, never
  // fetched: the page shows the default view with a clear message instead of an error.
  const exists = (n: number | null) => n === null || n <= totalVersions;
  const asked = { from: positive(sp.get("from")), to: positive(sp.get("to")), v: positive(sp.get("v")) };
  const missing = (["from", "to", "v"] as const).map((k) => asked[k]).filter((n): n is number => n !== null && !exists(n));
  const from = exists(asked.from) ? asked.from : null;
  const to = exists(asked.to) ? asked.to : null;
  const pinned = exists(asked.v) ? asked.v : null;
  const selection: Selection = from && to && from !== to ? { mode: "compare", from: Math.min(from, to), to: Math.max(from, to) } : { mode: "version", version: pinned ?? (from && to ? to : latest) };
  const asOf = sp.get("asOf");
  const tabParam = sp.get("tab");
  const tab = tabParam === "record" || tabParam === "history" ? tabParam : tabParam === "asof" || (asOf && !tabParam) ? "asof" : "changes";
  const field = sp.get("field");
  const fieldVersion = positive(sp.get("fv")) ?? (selection.mode === "version" ? selection.version : selection.to);

  const set = useCallback((changes: Record<string, string | null>, mode: "push" | "replace" = "push") => setParams(changes, mode), [setParams]);
  const openField = useCallback((path: string, version: number) => set({ field: path, fv: String(version) }), [set]);
  const closeField = useCallback(() => set({ field: null, fv: null }), [set]);

  const exceptionOf = (version: number) => ov.openExceptions.find((e) => e.candidateVersion === version);
  const conflictsFor = (version: number): ConflictMark[] =>
    ov.openExceptions
      .filter((e) => e.candidateVersion === version && e.field)
      .map((e) => ({ prefix: fieldToPath(e.field!), exceptionId: e.id, rule: e.rule, message: e.message }));
  const heldCandidates = [...new Set(ov.openExceptions.map((e) => e.candidateVersion).filter((v): v is number => v !== null && v !== ov.current?.version))];

  return (
    <div className="space-y-3">
      <header className="space-y-2">
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div className="min-w-0">
            <p className="text-xs text-slate-600">
              <Link href="/records" className="text-blue-800 underline">
                Records
              </Link>{" "}
              / <span className="font-mono">{caseId}</span>
            </p>
            <h1 className="mt-0.5 text-xl font-semibold tracking-tight text-slate-900">
              <span className="font-mono">{caseId}</span>
              {ov.case.subject ? (
                <span className="font-normal text-slate-700">
                  {" — "}
                  <bdi dir="auto">{ov.case.subject}</bdi>
                </span>
              ) : null}
            </h1>
            <div className="mt-1.5 flex flex-wrap items-center gap-2 text-sm text-slate-700">
              <SeverityBadge severity={ov.case.severity} />
              <CaseStatusBadge status={ov.case.status} />
              <bdi dir="auto">{ov.case.customerName ?? "—"}</bdi>
              <span className="font-mono text-xs text-slate-600">{ov.case.accountId}</span>
              <span aria-hidden="true" className="text-slate-300">
                |
              </span>
              <span>{ov.case.productName ?? ov.case.productCode ?? "no product"}</span>
              <span aria-hidden="true" className="text-slate-300">
                |
              </span>
              <span>
                {ov.case.tierName ?? ov.case.tier ?? "no tier"}
                {ov.case.slaMinutes ? <span className="text-slate-600"> · SLA {ov.case.slaMinutes} min</span> : null}
              </span>
            </div>
          </div>
          <div className="text-right text-sm">
            {ov.current ? (
              <p data-testid="current-version">
                Current <span className="font-mono font-semibold">v{ov.current.version}</span> · refreshed <RelativeTime value={ov.current.refreshedAt} />
              </p>
            ) : (
              <p className="font-medium text-amber-900">No current version yet</p>
            )}
            <LiveIndicator updatedAt={dataUpdatedAt} fetching={isFetching} />
            {ov.current ? (
              <div className="mt-1.5">
                <PackageActions
                  pkg={{
                    caseId,
                    subject: ov.case.subject,
                    customerName: ov.case.customerName,
                    version: ov.current.version,
                    refreshedAt: ov.current.refreshedAt,
                    summary: ov.current.summary,
                    record: ov.current.record,
                    lineage: ov.current.lineage,
                    openExceptions: ov.openExceptions,
                  }}
                  onPrint={() => {
                    // The package is the current record: show it, then print once it has rendered.
                    set({ tab: "record", v: null, from: null, to: null }, "replace");
                    setTimeout(() => window.print(), 300);
                  }}
                />
              </div>
            ) : null}
          </div>
        </div>
        {ov.openExceptions.length ? (
          <ul className="space-y-1.5" aria-label="Open exceptions" data-testid="open-exceptions">
            {ov.openExceptions.map((e) => (
              <li key={e.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-950">
                <RuleBadge rule={e.rule} />
                <span className="min-w-[14rem] flex-1">{e.message}</span>
                {e.candidateVersion ? (
                  <span>
                    held candidate <span className="font-mono font-semibold">v{e.candidateVersion}</span>
                  </span>
                ) : null}
                {e.claimedBy ? <Badge tone="blue">claimed by {e.claimedBy.name}</Badge> : <Badge tone="amber">unclaimed</Badge>}
                {e.candidateVersion && ov.current && e.candidateVersion !== ov.current.version ? (
                  <button
                    type="button"
                    className={button.small}
                    onClick={() => set({ from: String(ov.current!.version), to: String(e.candidateVersion), v: null, tab: null })}
                  >
                    Compare v{e.candidateVersion} with current
                  </button>
                ) : null}
                <Link href={`/exceptions/${encodeURIComponent(e.id)}`} className="font-medium text-blue-800 underline">
                  Open exception
                </Link>
              </li>
            ))}
          </ul>
        ) : null}
      </header>

      {missing.length ? (
        <p role="alert" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-950" data-testid="bad-version">
          This case has no version {[...new Set(missing)].map((n) => `v${n}`).join(" or ")}: it has v1 to v{totalVersions}. Showing{" "}
          {selection.mode === "version" ? `v${selection.version}` : `v${selection.from} → v${selection.to}`} instead.
        </p>
      ) : null}
      {/* The field history is a wide table: it takes the full width and the timeline goes below it. */}
      <div className={`grid gap-3 ${tab === "history" ? "" : "lg:grid-cols-[minmax(0,1fr)_20rem] xl:grid-cols-[minmax(0,1fr)_22rem]"}`}>
        <div className="min-w-0">
          <Tabs
            label="Record views"
            value={tab}
            onChange={(t) => set({ tab: t === "changes" ? null : t }, "replace")}
            tabs={[
              { id: "changes", label: "What changed" },
              { id: "record", label: ov.current ? `Current record (v${ov.current.version})` : "Record" },
              { id: "history", label: "Field history" },
              { id: "asof", label: "As of a moment" },
            ]}
          >
            {/* The panels' own headings (cause groups, record sections) are h3s: name the panel for the outline (the field history names itself). */}
            {tab !== "history" ? <h2 className="sr-only">{tab === "changes" ? "What changed" : tab === "asof" ? "The record as of a moment" : "Current record"}</h2> : null}
            {tab === "changes" ? (
              <ChangesPanel
                caseId={caseId}
                selection={selection}
                versions={timeline.map((t) => ({ version: t.version, status: t.status }))}
                currentVersion={ov.current?.version ?? null}
                heldCandidates={heldCandidates}
                conflictsFor={conflictsFor}
                onSelect={(s) => set(s.mode === "compare" ? { from: String(s.from), to: String(s.to), v: null } : { v: String(s.version), from: null, to: null })}
                onField={openField}
              />
            ) : tab === "history" ? (
              <QueryBoundary what="the field history" fallback={<BlockSkeleton lines={10} label="Loading field history" />}>
                <FieldHistoryView caseId={caseId} onVersion={(v) => set({ v: String(v), from: null, to: null, tab: null })} />
              </QueryBoundary>
            ) : tab === "asof" ? (
              <AsOfView key={asOf ?? ""} caseId={caseId} asOf={asOf} onAsOf={(iso) => set({ asOf: iso, tab: "asof" })} onField={openField} />
            ) : ov.current ? (
              <RecordSections record={ov.current.record} lineage={ov.current.lineage as Record<string, Lineage>} onField={(p) => openField(p, ov.current!.version)} />
            ) : (
              <HeldFirstVersion caseId={caseId} version={latest} onField={openField} />
            )}
          </Tabs>
        </div>
        <aside className="min-w-0 print:hidden">
          <VersionTimeline
            versions={timeline}
            total={totalVersions}
            onMore={timeline.length < totalVersions ? () => setShown((n) => n + TIMELINE_STEP) : undefined}
            selected={selection.mode === "version" ? selection.version : null}
            exceptionOf={exceptionOf}
            onSelect={(v) => set({ v: String(v), from: null, to: null, tab: null })}
          />
        </aside>
      </div>
      {field ? <LineagePanel key={`${field}@${fieldVersion}`} caseId={caseId} path={field} version={fieldVersion} onClose={closeField} /> : null}
    </div>
  );
}

function ChangesPanel({
  caseId,
  selection,
  versions,
  currentVersion,
  heldCandidates,
  conflictsFor,
  onSelect,
  onField,
}: {
  caseId: string;
  selection: Selection;
  versions: { version: number; status: string }[];
  currentVersion: number | null;
  heldCandidates: number[];
  conflictsFor: (v: number) => ConflictMark[];
  onSelect: (s: Selection) => void;
  onField: (path: string, version: number) => void;
}) {
  // Switching versions keeps the old delta on screen until the new one has loaded.
  const shown = useDeferredValue(selection);
  const key = shown.mode === "version" ? `v${shown.version}` : `c${shown.from}-${shown.to}`;
  const fromDefault =
    selection.mode === "compare" ? selection.from : (versions.find((v) => v.version < (selection.version ?? 0))?.version ?? Math.max(1, selection.version - 1));
  const toDefault = selection.mode === "compare" ? selection.to : selection.version;
  // The loaded versions, plus the chosen ones when they are older than what the timeline shows.
  const options = [...versions];
  for (const n of [fromDefault, toDefault]) if (!options.some((v) => v.version === n)) options.push({ version: n, status: "" });
  options.sort((a, b) => b.version - a.version);
  return (
    <div className="space-y-3">
      <form
        className="flex flex-wrap items-center gap-2 text-sm text-slate-700"
        aria-label="Choose versions to compare"
        onSubmit={(e) => {
          e.preventDefault();
          const f = new FormData(e.currentTarget);
          const a = Number(f.get("from"));
          const b = Number(f.get("to"));
          onSelect(a === b ? { mode: "version", version: b } : { mode: "compare", from: Math.min(a, b), to: Math.max(a, b) });
        }}
      >
        {selection.mode === "version" ? (
          <span>
            <span className="font-mono font-semibold text-slate-900">v{selection.version}</span> against the record before it
            {selection.version === currentVersion ? " (current)" : ""}
          </span>
        ) : (
          <span>
            Comparing <span className="font-mono font-semibold text-slate-900">v{selection.from}</span> → <span className="font-mono font-semibold text-slate-900">v{selection.to}</span>
          </span>
        )}
        <span className="ml-auto flex flex-wrap items-center gap-1.5">
          <label className="sr-only" htmlFor="cmp-from">
            Compare from version
          </label>
          <select key={`f${fromDefault}`} id="cmp-from" name="from" defaultValue={fromDefault} className="h-8 rounded-md border border-slate-300 bg-white px-1.5 text-sm">
            {options.map((v) => (
              <option key={v.version} value={v.version}>
                v{v.version}
                {v.status ? ` (${v.status})` : ""}
              </option>
            ))}
          </select>
          <span aria-hidden="true">→</span>
          <label className="sr-only" htmlFor="cmp-to">
            Compare to version
          </label>
          <select key={`t${toDefault}`} id="cmp-to" name="to" defaultValue={toDefault} className="h-8 rounded-md border border-slate-300 bg-white px-1.5 text-sm">
            {options.map((v) => (
              <option key={v.version} value={v.version}>
                v{v.version}
                {v.status ? ` (${v.status})` : ""}
              </option>
            ))}
          </select>
          <button type="submit" className={button.secondary}>
            Compare
          </button>
          {selection.mode === "compare" ? (
            <button type="button" className={button.ghost} onClick={() => onSelect({ mode: "version", version: selection.to })}>
              Single version
            </button>
          ) : null}
          {currentVersion && heldCandidates.length && !(selection.mode === "compare" && selection.from === currentVersion && heldCandidates.includes(selection.to)) ? (
            <button type="button" className={button.secondary} onClick={() => onSelect({ mode: "compare", from: currentVersion, to: heldCandidates[0]! })}>
              Held v{heldCandidates[0]} vs current
            </button>
          ) : null}
        </span>
      </form>
      <div className={shown !== selection ? "opacity-60 transition-opacity" : ""} aria-busy={shown !== selection}>
        <QueryBoundary key={key} what="the delta" fallback={<BlockSkeleton lines={10} label="Loading changes" />}>
          {shown.mode === "version" ? (
            <VersionDelta caseId={caseId} version={shown.version} conflicts={conflictsFor(shown.version)} onField={onField} />
          ) : (
            <CompareDelta caseId={caseId} from={shown.from} to={shown.to} conflicts={conflictsFor(shown.to)} onField={onField} />
          )}
        </QueryBoundary>
      </div>
    </div>
  );
}

function HeldFirstVersion({ caseId, version, onField }: { caseId: string; version: number; onField: (p: string, v: number) => void }) {
  const trpc = useTRPC();
  const { data } = useSuspenseQuery(trpc.records.version.queryOptions({ caseId, version }));
  return (
    <div className="space-y-3">
      <p className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-950">
        This case has no current record yet: its first version (v{version}) is <VersionStatusBadge status={data.status} /> behind an exception. Below is that candidate, not a reviewed record.
      </p>
      <RecordSections record={data.record as Record<string, unknown>} lineage={data.lineage as unknown as Record<string, Lineage>} onField={(p) => onField(p, version)} />
    </div>
  );
}
