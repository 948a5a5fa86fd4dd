"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { Alert, errorText, Field, inputClass } from "@/components/auth/admin/parts";
import { button } from "@/components/ui/button";
import { CellLabel, stack } from "@/components/ui/stack-table";
import { describePath } from "@/shared/format";
import { useTRPC } from "@/components/trpc/client";
import type { JobView } from "@/server/ops/jobs/jobs";
import { JobList } from "./job-progress";

const PRESETS = [
  { label: "Last hour", hours: 1 },
  { label: "Last 24 h", hours: 24 },
  { label: "Last 7 days", hours: 168 },
];

/** datetime-local values are read and written as UTC, as every time on these screens is. */
const toInput = (d: Date) => d.toISOString().slice(0, 16);
const fromInput = (v: string) => new Date(`${v}:00.000Z`);

export function ReplayScreen() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [caseId, setCaseId] = useState("");
  const [to, setTo] = useState(() => toInput(new Date(Date.now() + 60_000)));
  const [from, setFrom] = useState(() => toInput(new Date(Date.now() - 3_600_000)));
  const replay = useMutation(trpc.opsJobs.replay.mutationOptions({ onSuccess: () => qc.invalidateQueries({ queryKey: trpc.opsJobs.list.queryKey() }) }));
  return (
    <div className="space-y-5">
      <p className="max-w-3xl text-sm text-slate-700">
        Re-materialise records from the stored events: the source entities are derived again from the event log (stale and quarantined events honoured), then each case refreshes.
        The report says whether each record came out the same, and for any that did not, exactly which fields differed.
      </p>
      <div className="grid gap-4 lg:grid-cols-3">
        <form
          className="space-y-3 rounded-lg border border-slate-200 bg-white p-4"
          onSubmit={(e) => {
            e.preventDefault();
            replay.mutate({ scope: "case", caseId });
          }}
        >
          <h2 className="text-sm font-semibold text-slate-900">One case</h2>
          <Field label="Case id" htmlFor="replay-case">
            <input id="replay-case" required value={caseId} onChange={(e) => setCaseId(e.target.value.trim())} placeholder="CASE-1042" className={`${inputClass} font-mono`} />
          </Field>
          <button type="submit" className={button.primary} disabled={replay.isPending}>
            Replay case
          </button>
        </form>
        <form
          className="space-y-3 rounded-lg border border-slate-200 bg-white p-4"
          onSubmit={(e) => {
            e.preventDefault();
            replay.mutate({ scope: "window", from: fromInput(from), to: fromInput(to) });
          }}
        >
          <h2 className="text-sm font-semibold text-slate-900">Cases with events received in a window (UTC)</h2>
          <div className="flex flex-wrap gap-1">
            {PRESETS.map((p) => (
              <button
                key={p.hours}
                type="button"
                className={button.small}
                onClick={() => {
                  const now = Date.now();
                  setFrom(toInput(new Date(now - p.hours * 3_600_000)));
                  setTo(toInput(new Date(now + 60_000)));
                }}
              >
                {p.label}
              </button>
            ))}
          </div>
          <div className="grid grid-cols-2 gap-2">
            <Field label="From" htmlFor="replay-from">
              <input id="replay-from" type="datetime-local" required value={from} onChange={(e) => setFrom(e.target.value)} className={inputClass} />
            </Field>
            <Field label="Until" htmlFor="replay-to">
              <input id="replay-to" type="datetime-local" required value={to} onChange={(e) => setTo(e.target.value)} className={inputClass} />
            </Field>
          </div>
          <button type="submit" className={button.primary} disabled={replay.isPending}>
            Replay window
          </button>
        </form>
        <form
          className="space-y-3 rounded-lg border border-slate-200 bg-white p-4"
          onSubmit={(e) => {
            e.preventDefault();
            replay.mutate({ scope: "all" });
          }}
        >
          <h2 className="text-sm font-semibold text-slate-900">Every case</h2>
          <p className="text-sm text-slate-600">Every entity from the whole event log, then every case. Runs in the background; the page can be closed.</p>
          <button type="submit" className={button.secondary} disabled={replay.isPending}>
            Replay everything
          </button>
        </form>
      </div>
      {replay.error ? <Alert tone="error">{errorText(replay.error)}</Alert> : null}
      <section aria-labelledby="replay-jobs-h" className="space-y-2">
        <h2 id="replay-jobs-h" className="text-base font-semibold text-slate-900">
          Replays
        </h2>
        <JobList kinds={["replay_case", "replay_window", "replay_all"]} empty="No replay yet." limit={10}>
          {(job) => <ReplayReport job={job} />}
        </JobList>
      </section>
    </div>
  );
}

interface Report {
  cases: number;
  matched: number;
  differedCount: number;
  heldCases?: number;
  outcomes?: Record<string, number>;
  differed: { caseId: string; outcome: string; version: number | null; differenceCount: number; differences: { record: "current" | "held"; path: string; label?: string; before: unknown; after: unknown }[] }[];
}

const show = (v: unknown) => (v === null || v === undefined ? "—" : typeof v === "string" ? v : JSON.stringify(v));

function ReplayReport({ job }: { job: JobView }) {
  const r = job.result as unknown as Report | null;
  if (!r) return null;
  if (!r.cases) return <p className="text-sm text-slate-700">No case to replay in this scope.</p>;
  return (
    <div className="space-y-2 text-sm" data-testid="replay-report">
      {r.differedCount === 0 ? (
        <p className="font-medium text-emerald-800">
          {r.cases === 1
            ? "The record matched: re-materialised from stored events, it came out exactly as it was."
            : `All ${r.cases} records matched: re-materialised from stored events, each came out exactly as it was.`}
        </p>
      ) : (
        <p className="font-medium text-amber-800">
          {r.matched} of {r.cases} matched; {r.differedCount} differed from what was stored.
        </p>
      )}
      {r.heldCases ? (
        <p className="text-slate-600">
          {r.heldCases === 1 && r.cases === 1
            ? "This case has a change held back by an open exception"
            : r.heldCases === 1
              ? "1 of these cases has a change held back by an open exception"
              : `${r.heldCases} of these cases have a change held back by an open exception`}
          ; the comparison covers both the current record and the held candidate.
        </p>
      ) : null}
      {r.differed.map((c) => (
        <details key={c.caseId} className="rounded border border-amber-200 bg-amber-50/60 px-3 py-2" open={r.differed.length <= 3}>
          <summary className="cursor-pointer">
            <Link href={`/records/${encodeURIComponent(c.caseId)}`} className="font-mono font-medium text-blue-800 hover:underline">
              {c.caseId}
            </Link>{" "}
            — {c.differenceCount} field{c.differenceCount === 1 ? "" : "s"} differed{c.version ? ` · stored as version ${c.version}${c.outcome === "held" ? " (held)" : ""}` : ""}
          </summary>
          {c.differences.length ? (
            // Cards below 768 px (components/ui/stack-table.tsx): nothing scrolls sideways on a phone.
            <table className="mt-2 w-full text-xs max-md:block">
              <caption className="sr-only">Fields of {c.caseId} that differed</caption>
              <thead className={`text-left text-slate-600 ${stack.thead}`}>
                <tr>
                  <th scope="col" className="py-1 pr-3 font-medium">In</th>
                  <th scope="col" className="py-1 pr-3 font-medium">Field</th>
                  <th scope="col" className="py-1 pr-3 font-medium">Stored record</th>
                  <th scope="col" className="py-1 font-medium">From the events</th>
                </tr>
              </thead>
              <tbody className={stack.tbody}>
                {c.differences.map((d) => (
                  <tr key={`${d.record}${d.path}`} className={`border-t border-amber-200 align-top ${stack.row}`} data-testid="replay-difference">
                    <td className="py-1 pr-3 max-md:block">{d.record === "held" ? "held candidate" : "current record"}</td>
                    {/* The field's name as the tables say it; the path (what the API reports) on hover. */}
                    <td className="py-1 pr-3 font-medium text-slate-900 max-md:block" title={d.path} data-path={d.path}>
                      {d.label ?? describePath(d.path)}
                    </td>
                    <td className="py-1 pr-3 break-all font-mono text-red-900 max-md:block">
                      <CellLabel>Stored</CellLabel>
                      {show(d.before)}
                    </td>
                    <td className="py-1 break-all font-mono text-emerald-900 max-md:block">
                      <CellLabel>From events</CellLabel>
                      {show(d.after)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </details>
      ))}
      {r.differedCount > r.differed.length ? <p className="text-slate-600">…and {r.differedCount - r.differed.length} more.</p> : null}
    </div>
  );
}
