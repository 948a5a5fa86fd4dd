"use client";

import { useMutation, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { useState } from "react";
import { Alert, errorText } from "@/components/auth/admin/parts";
import { withParam, writeSearch } from "@/components/lib/url-state";
import { Badge } from "@/components/ui/badges";
import { button } from "@/components/ui/button";
import { RelativeTime } from "@/components/ui/relative-time";
import { CellLabel, stack } from "@/components/ui/stack-table";
import { useTRPC } from "@/components/trpc/client";
import { fieldToPath, pathLabel } from "@/shared/format";
import type { listPolicies } from "@/server/ops/governance/manage-policies";
import { JobList, Outcomes } from "./job-progress";
import { NoteField } from "./note-field";

type Mode = "auto" | "review";

/** A policy field ("case.severity") by the tables' label ("Case › Severity"). */
const label = (field: string) => pathLabel(fieldToPath(field));

function ModeBadge({ mode }: { mode: Mode }) {
  return mode === "auto" ? <Badge tone="green">auto</Badge> : <Badge tone="amber">review</Badge>;
}

export function PoliciesScreen() {
  const trpc = useTRPC();
  const sp = useSearchParams();
  const { data } = useSuspenseQuery(trpc.opsPolicies.list.queryOptions());
  const selected = data.find((s) => s.name === sp.get("source")) ?? data.find((s) => !s.builtIn) ?? data[0];
  if (!selected) return <p className="text-sm text-slate-600">No sources yet.</p>;
  return (
    <div className="grid gap-4 lg:grid-cols-[16rem_1fr]">
      <nav aria-label="Sources" className="space-y-1">
        {data.map((s) => (
          <button
            key={s.id}
            type="button"
            aria-current={s.id === selected.id ? "true" : undefined}
            onClick={() => writeSearch(withParam(sp, { source: s.name }), "push")}
            className={`flex w-full items-center justify-between gap-2 rounded-md border px-3 py-2 text-left text-sm ${s.id === selected.id ? "border-blue-300 bg-blue-50" : "border-slate-200 bg-white hover:bg-slate-50"}`}
          >
            <span className="min-w-0">
              <span className="block truncate font-mono font-semibold text-slate-900">{s.name}</span>
              <span className="text-xs text-slate-600">
                {s.kind}
                {s.enabled ? "" : " · disabled"}
              </span>
            </span>
            {s.reviewCount ? <Badge tone="amber">{s.reviewCount} review</Badge> : <Badge tone="green">auto</Badge>}
          </button>
        ))}
      </nav>
      <div className="min-w-0 space-y-4">
        <SourcePolicies key={selected.id} source={selected} />
        <section aria-labelledby="pol-jobs-h" className="space-y-2">
          <h2 id="pol-jobs-h" className="text-base font-semibold text-slate-900">
            Re-evaluations after widened policies
          </h2>
          <JobList kinds={["policy_change"]} empty="No policy has been widened yet." limit={5}>
            {(job) => {
              const r = (job.result ?? {}) as { cases?: number; settled?: number; outcomes?: Record<string, number> };
              return (
                <p className="text-sm text-slate-700">
                  {r.cases ?? 0} case{r.cases === 1 ? "" : "s"} with an open review exception re-evaluated, {r.settled ?? 0} settled: <Outcomes outcomes={r.outcomes} />
                </p>
              );
            }}
          </JobList>
        </section>
      </div>
    </div>
  );
}

type SourcePolicyView = Awaited<ReturnType<typeof listPolicies>>[number];

function SourcePolicies({ source }: { source: SourcePolicyView }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [note, setNote] = useState("");
  const [done, setDone] = useState<string | null>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.opsPolicies.list.queryKey() });
  const setFields = useMutation(
    trpc.opsPolicies.setFields.mutationOptions({
      onSuccess: async (r) => {
        setDone(
          r.changed.length
            ? `${r.changed.map((c) => label(c.field)).join(", ")} now ${r.changed[0]!.after} for ${r.source}.${r.unchanged.length ? ` Already so: ${r.unchanged.map(label).join(", ")}.` : ""}${
                r.jobId ? " Open review exceptions it may settle are being re-evaluated (below)." : ""
              }`
            : `Nothing changed: ${r.unchanged.map(label).join(", ")} already had that policy.`,
        );
        setPicked(new Set());
        setNote("");
        await refresh();
      },
    }),
  );
  const toggle = (f: string) => setPicked((p) => (p.has(f) ? new Set([...p].filter((x) => x !== f)) : new Set([...p, f])));
  const all = source.fields.map((f) => f.field);
  const apply = (mode: Mode) => setFields.mutate({ source: source.name, fields: [...picked], mode, note });
  return (
    <section aria-labelledby="pol-h" className="min-w-0 space-y-4">
      <div className="rounded-lg border border-slate-200 bg-white">
        <header className="flex flex-wrap items-center justify-between gap-2 border-b border-slate-100 px-4 py-3">
          <div>
            <h2 id="pol-h" className="text-base font-semibold text-slate-900">
              <span className="font-mono">{source.name}</span> <span className="text-sm font-normal text-slate-600">({source.kind})</span>
            </h2>
            <p className="text-sm text-slate-600">
              <strong>auto</strong>: its changes to the field apply when no other rule fires. <strong>review</strong>: each change opens a Review required exception for a specialist.
            </p>
          </div>
          <Link className={button.secondary} href={`/exceptions?rule=REVIEW_REQUIRED&source=${encodeURIComponent(source.name)}`}>
            Its open review exceptions
          </Link>
        </header>
        <form
          onSubmit={(e) => {
            e.preventDefault();
          }}
        >
          {/* Stacked below 768 px, the table's header (and its select-all box) is for screen readers only: this one shows instead. */}
          <label className="flex items-center gap-2 border-b border-slate-100 px-3 py-2 text-sm text-slate-700 md:hidden">
            <input type="checkbox" checked={picked.size === all.length && all.length > 0} onChange={(e) => setPicked(e.target.checked ? new Set(all) : new Set())} />
            Select every field
          </label>
          <div className="relative overflow-x-auto">
          <table className={stack.table}>
            <caption className="sr-only">Overwrite policy of each field {source.name} writes</caption>
            <thead className={`bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500 ${stack.thead}`}>
              <tr>
                <th scope="col" className="w-10 px-4 py-2">
                  <span className="sr-only">Select</span>
                  <input
                    type="checkbox"
                    className="max-md:hidden"
                    aria-label="Select every field"
                    checked={picked.size === all.length && all.length > 0}
                    onChange={(e) => setPicked(e.target.checked ? new Set(all) : new Set())}
                  />
                </th>
                <th scope="col" className="px-2 py-2 font-medium">Field</th>
                <th scope="col" className="px-2 py-2 font-medium">Policy</th>
                <th scope="col" className="px-2 py-2 font-medium">Set by</th>
              </tr>
            </thead>
            <tbody className={stack.tbody}>
              {source.fields.map((f) => (
                <tr key={f.field} className={`border-t border-slate-100 ${stack.row} ${picked.has(f.field) ? "bg-blue-50/60" : ""}`} data-testid={`policy-row-${f.field}`}>
                  <td className="px-4 py-1.5 max-md:float-left max-md:px-3 max-md:py-1">
                    <input type="checkbox" aria-label={`Select ${label(f.field)}`} checked={picked.has(f.field)} onChange={() => toggle(f.field)} />
                  </td>
                  <td className="px-2 py-1.5 text-slate-900 max-md:block max-md:py-1">
                    {label(f.field)}
                    {/* The identifier the API and the audit log use, for admins who script it. */}
                    <span className="ml-2 break-all font-mono text-xs text-slate-500">{f.field}</span>
                  </td>
                  <td className="px-2 py-1.5 max-md:block max-md:py-1 max-md:pl-10">
                    <CellLabel>Policy</CellLabel>
                    <ModeBadge mode={f.mode} />
                  </td>
                  <td className="px-2 py-1.5 text-slate-600 max-md:block max-md:py-1 max-md:pl-10">
                    <CellLabel>Set by</CellLabel>
                    {f.explicit ? (
                      <>
                        its own setting{f.updatedAt ? <>, <RelativeTime value={f.updatedAt} /></> : null}
                      </>
                    ) : (
                      "source default"
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          </div>
          <div className="flex flex-wrap items-end gap-3 border-t border-slate-200 bg-slate-50 px-4 py-3">
            <p className="w-full text-sm text-slate-700" aria-live="polite">
              {picked.size ? `${picked.size} field${picked.size === 1 ? "" : "s"} selected.` : "Select the fields to change."}
            </p>
            <NoteField id="pol-note" value={note} onChange={setNote} />
            <button type="button" className={button.primary} disabled={!picked.size || setFields.isPending || note.trim().length < 3} onClick={() => apply("auto")}>
              Set to auto
            </button>
            <button type="button" className={button.secondary} disabled={!picked.size || setFields.isPending || note.trim().length < 3} onClick={() => apply("review")}>
              Set to review
            </button>
          </div>
        </form>
        <div className="space-y-2 px-4 pb-3 empty:hidden">
          {setFields.error ? <Alert tone="error">{errorText(setFields.error)}</Alert> : null}
          {done ? <Alert tone="success">{done}</Alert> : null}
        </div>
      </div>
      <DefaultPolicy source={source} onChanged={refresh} />
      <History source={source} />
    </section>
  );
}

function DefaultPolicy({ source, onChanged }: { source: SourcePolicyView; onChanged: () => Promise<unknown> }) {
  const trpc = useTRPC();
  const [note, setNote] = useState("");
  const other: Mode = source.defaultPolicy === "auto" ? "review" : "auto";
  const m = useMutation(trpc.opsPolicies.setDefault.mutationOptions({ onSuccess: async () => (setNote(""), await onChanged()) }));
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4">
      <h3 className="text-sm font-semibold text-slate-900">Default for fields without their own setting</h3>
      <p className="mt-1 text-sm text-slate-700">
        Now <ModeBadge mode={source.defaultPolicy} />. It also covers fields the engine may write in future. {source.builtIn ? "Built-in sources start on auto." : "Onboarded sources start on review."}
      </p>
      <form
        className="mt-2 flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          m.mutate({ source: source.name, mode: other, note });
        }}
      >
        <NoteField id="default-note" value={note} onChange={setNote} />
        <button type="submit" className={button.secondary} disabled={m.isPending}>
          Make the default {other}
        </button>
      </form>
      {m.error ? (
        <div className="mt-2">
          <Alert tone="error">{errorText(m.error)}</Alert>
        </div>
      ) : null}
    </div>
  );
}

function History({ source }: { source: SourcePolicyView }) {
  if (!source.history.length) return null;
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-4">
      <h3 className="text-sm font-semibold text-slate-900">Recent policy changes</h3>
      <ul className="mt-2 divide-y divide-slate-100 text-sm">
        {source.history.map((h) => {
          const before = h.before as { field?: string; mode?: Mode; defaultPolicy?: Mode } | null;
          const after = h.after as { field?: string; mode?: Mode; defaultPolicy?: Mode } | null;
          return (
            <li key={h.id} className="py-2">
              <bdi dir="auto" className="font-medium text-slate-900">{h.actorLabel}</bdi>{" "}
              {h.action === "policy.default" ? (
                <>
                  changed the default {before?.defaultPolicy} → {after?.defaultPolicy}
                </>
              ) : (
                <>
                  set {after?.field ? label(after.field) : null} {before?.mode} → {after?.mode}
                </>
              )}{" "}
              · <RelativeTime value={h.createdAt} />
              {h.note ? <p className="text-slate-600">“<bdi dir="auto">{h.note}</bdi>”</p> : null}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
