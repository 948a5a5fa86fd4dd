"use client";

import { useSuspenseQuery } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import { CAUSE_LABEL, CAUSE_ORDER, type Cause } from "../lib/causes";
import { formatAbsolute } from "../../shared/format";
import { CauseChip } from "../ui/badges";
import { button } from "../ui/button";
import { historyCsv, type HistoryRow } from "./field-history-csv";
import { ValueDiff } from "./value-diff";

const selectClass = "h-8 rounded-md border border-slate-300 bg-white px-2 text-sm text-slate-900";

/**
 * Every change of every field across the case's versions, as one table (the field audit trail
 * CRM users know): when, field, before, after, cause, source version and who, with filters and a
 * CSV export of what the filters show. Server: server/records/case-field-history.ts.
 */
export function FieldHistoryView({ caseId, onVersion }: { caseId: string; onVersion: (v: number) => void }) {
  const trpc = useTRPC();
  const { data } = useSuspenseQuery(trpc.records.caseHistory.queryOptions({ caseId }));
  const [field, setField] = useState("");
  const [cause, setCause] = useState("");
  const [source, setSource] = useState("");
  const [currentOnly, setCurrentOnly] = useState(false);
  const sources = useMemo(() => [...new Set(data.rows.map((r) => r.source))].sort(), [data.rows]);
  const causes = CAUSE_ORDER.filter((c) => data.rows.some((r) => r.cause === c));
  const needle = field.trim().toLowerCase();
  const rows = data.rows.filter(
    (r) => (!needle || r.label.toLowerCase().includes(needle)) && (!cause || r.cause === cause) && (!source || r.source === source) && (!currentOnly || r.becameCurrent),
  );
  const exportCsv = () => {
    const blob = new Blob([historyCsv(rows)], { type: "text/csv;charset=utf-8" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = `${caseId}-field-history.csv`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };
  return (
    <section aria-labelledby="history-title" className="space-y-2" data-testid="case-field-history">
      <h2 id="history-title" className="sr-only">
        Field history
      </h2>
      <div className="flex flex-wrap items-end gap-2 text-sm">
        <label className="flex flex-col gap-0.5">
          <span className="text-xs text-slate-700">Field</span>
          <input type="search" value={field} onChange={(e) => setField(e.target.value)} placeholder="e.g. severity" className={`${selectClass} w-44`} />
        </label>
        <label className="flex flex-col gap-0.5">
          <span className="text-xs text-slate-700">Cause</span>
          <select value={cause} onChange={(e) => setCause(e.target.value)} className={selectClass}>
            <option value="">All causes</option>
            {causes.map((c) => (
              <option key={c} value={c}>
                {CAUSE_LABEL[c]}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-0.5">
          <span className="text-xs text-slate-700">Source</span>
          <select value={source} onChange={(e) => setSource(e.target.value)} className={selectClass}>
            <option value="">All sources</option>
            {sources.map((s) => (
              <option key={s} value={s}>
                {s === "manual_override" ? "manual override" : s}
              </option>
            ))}
          </select>
        </label>
        <label className="inline-flex h-8 items-center gap-1.5 text-sm text-slate-800">
          <input type="checkbox" className="h-4 w-4" checked={currentOnly} onChange={(e) => setCurrentOnly(e.target.checked)} />
          Only versions that became current
        </label>
        <span className="ml-auto flex items-center gap-2">
          <span className="text-xs text-slate-600" data-testid="history-count">
            {rows.length.toLocaleString("en-US")} of {data.rows.length.toLocaleString("en-US")} changes{data.truncated ? " (newest 5,000)" : ""}
          </span>
          <button type="button" className={button.secondary} onClick={exportCsv} disabled={!rows.length}>
            Export CSV
          </button>
        </span>
      </div>
      {!rows.length ? (
        <p className="rounded-md border border-slate-200 bg-white px-3 py-4 text-sm text-slate-700">No change matches these filters.</p>
      ) : (
        <>
          <div className="hidden overflow-hidden rounded-lg border border-slate-200 bg-white md:block">
            <table className="w-full table-fixed text-sm">
              <caption className="sr-only">Every change of every field, newest first</caption>
              <thead className="border-b border-slate-200 bg-slate-50 text-left text-xs text-slate-600">
                <tr>
                  <th scope="col" className="w-[7.5rem] px-2 py-2 font-medium">When (UTC)</th>
                  <th scope="col" className="w-[15%] px-2 py-2 font-medium">Field</th>
                  <th scope="col" className="px-2 py-2 font-medium">Before</th>
                  <th scope="col" className="px-2 py-2 font-medium">After</th>
                  <th scope="col" className="w-[7.5rem] px-2 py-2 font-medium">Cause</th>
                  <th scope="col" className="w-[9rem] px-2 py-2 font-medium">Source</th>
                  <th scope="col" className="w-[6rem] px-2 py-2 font-medium">Who</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((r, i) => (
                  <tr key={`${r.version}${r.path}${i}`} className="border-b border-slate-100 align-top last:border-0" data-history-row={r.version}>
                    <td className="px-2 py-1.5 text-xs text-slate-700">
                      <Version row={r} onVersion={onVersion} />
                      <span className="block tabular-nums">{formatAbsolute(r.createdAt).slice(0, 19)}</span>
                    </td>
                    <td className="px-2 py-1.5 font-medium text-slate-900">{r.label}</td>
                    <td className="min-w-0 px-2 py-1.5 text-slate-700">
                      <ValueDiff value={r.before} other={r.after} side="before" fieldKey={r.path.split("/").pop()} />
                    </td>
                    <td className="min-w-0 px-2 py-1.5 text-slate-900">
                      <ValueDiff value={r.after} other={r.before} side="after" fieldKey={r.path.split("/").pop()} />
                    </td>
                    <td className="px-2 py-1.5">
                      <CauseChip cause={r.cause as Cause} />
                    </td>
                    <td className="px-2 py-1.5 text-xs text-slate-700">
                      <SourceCell row={r} />
                    </td>
                    <td className="px-2 py-1.5 text-xs text-slate-800">{r.who ?? <span className="text-slate-500">source</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <ol className="space-y-2 md:hidden" aria-label="Every change of every field, newest first">
            {rows.map((r, i) => (
              <li key={`${r.version}${r.path}${i}`} className="rounded-lg border border-slate-200 bg-white p-2.5 text-sm" data-history-card={r.version}>
                <div className="flex flex-wrap items-center gap-2 text-xs text-slate-700">
                  <Version row={r} onVersion={onVersion} />
                  <span className="tabular-nums">{formatAbsolute(r.createdAt)}</span>
                  <CauseChip cause={r.cause as Cause} />
                </div>
                <p className="mt-1 font-medium text-slate-900">{r.label}</p>
                <dl className="mt-1 grid grid-cols-[3.5rem_1fr] gap-x-2 gap-y-1">
                  <dt className="text-xs text-slate-600">Before</dt>
                  <dd className="min-w-0 text-slate-700">
                    <ValueDiff value={r.before} other={r.after} side="before" fieldKey={r.path.split("/").pop()} />
                  </dd>
                  <dt className="text-xs text-slate-600">After</dt>
                  <dd className="min-w-0 text-slate-900">
                    <ValueDiff value={r.after} other={r.before} side="after" fieldKey={r.path.split("/").pop()} />
                  </dd>
                  <dt className="text-xs text-slate-600">Source</dt>
                  <dd className="text-xs text-slate-700">
                    <SourceCell row={r} />
                    {r.who ? ` · by ${r.who}` : ""}
                  </dd>
                </dl>
              </li>
            ))}
          </ol>
        </>
      )}
    </section>
  );
}

function Version({ row, onVersion }: { row: HistoryRow; onVersion: (v: number) => void }) {
  return (
    <button type="button" className="font-mono font-semibold text-blue-800 hover:underline" onClick={() => onVersion(row.version)} title={row.becameCurrent ? `v${row.version} (${row.status})` : `v${row.version}: candidate, never current`}>
      v{row.version}
      {row.becameCurrent ? null : <span className="ml-1 font-sans font-normal text-amber-900">never current</span>}
    </button>
  );
}

function SourceCell({ row }: { row: HistoryRow }) {
  if (row.source === "manual_override") return <>manual override</>;
  return (
    <>
      {row.source} <span className="font-mono">{row.entityId}</span> v{row.entityVersion}
      {row.occurredAt ? <span className="block text-slate-600">occurred {formatAbsolute(row.occurredAt).slice(0, 19)}</span> : null}
    </>
  );
}
