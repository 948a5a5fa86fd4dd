"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import { formatAbsolute } from "../../shared/format";
import { RuleBadge, VersionStatusBadge } from "../ui/badges";
import { button } from "../ui/button";
import { errorMessage } from "../ui/query-boundary";
import { BlockSkeleton } from "../ui/skeleton";
import type { Lineage } from "@/shared/lineage";
import { RecordSections } from "./record-sections";

/** "2026-11-27T14:05:09.000Z" → "2026-11-27T14:05:09" for a datetime-local input read as UTC. */
const toInput = (iso: string) => iso.slice(0, 19);

/**
 * The record as it was at a moment (`?asOf=` on the record page): the version whose
 * becoming-current time is the latest at or before the moment (docs/api.md, "The record at a
 * moment"), the same answer as the read API's `GET /api/v1/cases/{caseId}/record?asOf=`.
 */
export function AsOfView({ caseId, asOf, onAsOf, onField }: { caseId: string; asOf: string | null; onAsOf: (iso: string) => void; onField: (path: string, version: number) => void }) {
  const trpc = useTRPC();
  const [text, setText] = useState(asOf ? toInput(asOf) : "");
  const [problem, setProblem] = useState<string | null>(null);
  const q = useQuery({ ...trpc.records.asOf.queryOptions({ caseId, asOf: asOf ?? "" }), enabled: !!asOf, retry: false });
  return (
    <div className="space-y-3" data-testid="as-of-view">
      <form
        className="flex flex-wrap items-end gap-2 text-sm"
        aria-label="Show the record at a moment"
        onSubmit={(e) => {
          e.preventDefault();
          const d = new Date(`${text}Z`);
          if (!text || Number.isNaN(d.getTime())) {
            setProblem("Enter a date and time (UTC).");
            return;
          }
          setProblem(null);
          onAsOf(d.toISOString());
        }}
      >
        <label className="flex flex-col gap-0.5">
          <span className="text-xs text-slate-700">Moment (UTC)</span>
          <input
            type="datetime-local"
            step={1}
            value={text}
            onChange={(e) => setText(e.target.value)}
            aria-describedby={problem ? "as-of-problem" : undefined}
            className="h-8 rounded-md border border-slate-300 bg-white px-2 text-sm"
          />
        </label>
        <button type="submit" className={button.secondary}>
          Show record then
        </button>
        {problem ? (
          <p id="as-of-problem" className="w-full text-sm text-red-800">
            {problem}
          </p>
        ) : null}
      </form>
      {!asOf ? (
        <p className="text-sm text-slate-700">Choose a moment to see the record as the package stood then: the version that was current at that time, with the exceptions open then.</p>
      ) : q.isLoading ? (
        <BlockSkeleton lines={8} label="Loading the record at that moment" />
      ) : q.error ? (
        <p role="alert" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-950" data-testid="as-of-problem">
          {errorMessage(q.error)}
        </p>
      ) : q.data ? (
        <>
          <p className="rounded-md border border-blue-200 bg-blue-50 px-3 py-2 text-sm text-slate-900" data-testid="as-of-summary">
            At <time dateTime={q.data.asOf}>{formatAbsolute(q.data.asOf)}</time> the current record was{" "}
            <span className="font-mono font-semibold" data-testid="as-of-version">
              v{q.data.version}
            </span>
            , current since <time dateTime={q.data.becameCurrentAt}>{formatAbsolute(q.data.becameCurrentAt)}</time>. Now: <VersionStatusBadge status={q.data.status} />
            {q.data.openExceptions.length ? (
              <span className="mt-1 flex flex-wrap items-center gap-1.5">
                Open then:{" "}
                {q.data.openExceptions.map((e) => (
                  <RuleBadge key={e.id} rule={e.rule} />
                ))}
              </span>
            ) : (
              <span className="block text-slate-700">No exception was open then.</span>
            )}
          </p>
          <RecordSections record={q.data.record as Record<string, unknown>} lineage={q.data.lineage as unknown as Record<string, Lineage>} onField={(p) => onField(p, q.data.version)} />
        </>
      ) : null}
    </div>
  );
}
