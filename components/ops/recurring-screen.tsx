"use client";

import { useMutation, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { Fragment, useState } from "react";
import { Alert, errorText } from "@/components/auth/admin/parts";
import { ruleLabel } from "@/components/lib/rules";
import { withParam, writeSearch } from "@/components/lib/url-state";
import { Badge } from "@/components/ui/badges";
import { button } from "@/components/ui/button";
import { CellLabel, stack } from "@/components/ui/stack-table";
import { RelativeTime } from "@/components/ui/relative-time";
import { useTRPC } from "@/components/trpc/client";
import type { RecurringGroup } from "@/server/exceptions/recurring";
import { NoteField } from "./note-field";
import { WindowPicker } from "./window-picker";
import { windowOf, type WindowKey } from "@/shared/windows";
import { capitalise, fieldPhrase, fieldToPath, pathLabel } from "@/shared/format";

const keyOf = (g: RecurringGroup) => `${g.source}|${g.field}|${g.rule}`;

export function RecurringScreen() {
  const trpc = useTRPC();
  const sp = useSearchParams();
  const win = windowOf(sp.get("window"));
  const { data } = useSuspenseQuery(trpc.opsPolicies.recurring.queryOptions({ window: win }));
  const [open, setOpen] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <WindowPicker value={win} onChange={(w) => writeSearch(withParam(sp, { window: w === "24h" ? null : w }))} />
        <p className="text-sm text-slate-600">
          {data.exceptions.toLocaleString("en-US")} exception{data.exceptions === 1 ? "" : "s"} opened since <RelativeTime value={data.since} />, in {data.groups.length} groups. One that holds
          several fields for review counts under each.
        </p>
      </div>
      {done ? <Alert tone="success">{done}</Alert> : null}
      {data.groups.length === 0 ? (
        <p className="rounded-lg border border-dashed border-slate-300 bg-white px-4 py-8 text-center text-sm text-slate-600">No exception was opened in this window.</p>
      ) : (
        <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className={stack.table}>
            <caption className="sr-only">Exceptions grouped by source, field and rule, with how they ended</caption>
            <thead className={`bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500 ${stack.thead}`}>
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">Source</th>
                <th scope="col" className="px-3 py-2 font-medium">Field</th>
                <th scope="col" className="px-3 py-2 font-medium">Rule</th>
                <th scope="col" className="px-3 py-2 text-right font-medium">Opened</th>
                <th scope="col" className="px-3 py-2 text-right font-medium">Cases</th>
                <th scope="col" className="px-3 py-2 text-right font-medium">Still open</th>
                <th scope="col" className="px-3 py-2 text-right font-medium">Approved</th>
                <th scope="col" className="px-3 py-2 text-right font-medium">Rejected</th>
                <th scope="col" className="px-3 py-2 text-right font-medium">Overridden</th>
                <th scope="col" className="px-3 py-2 text-right font-medium">Cleared</th>
                <th scope="col" className="px-3 py-2 font-medium">Policy now</th>
                <th scope="col" className="px-3 py-2 font-medium"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody className={`tabular-nums ${stack.tbody}`}>
              {data.groups.map((g) => {
                const k = keyOf(g);
                return (
                  <Fragment key={k}>
                    <tr className={`border-t border-slate-100 ${stack.row}`} data-testid="recurring-row" data-source={g.source ?? ""} data-field={g.field ?? ""} data-rule={g.rule}>
                      <td className={`${stack.cell} font-mono text-slate-900`}>
                        <CellLabel>Source</CellLabel>
                        {g.source ?? <span className="font-sans text-slate-500">no source</span>}</td>
                      <td className={`${stack.cell} text-slate-900`} title={g.field ?? undefined}>
                        <CellLabel>Field</CellLabel>
                        {g.field ? pathLabel(fieldToPath(g.field)) : "—"}</td>
                      <td className={stack.cell}>
                        <CellLabel>Rule</CellLabel>
                        <Link className="text-blue-800 hover:underline" href={`/exceptions?rule=${g.rule}${g.source ? `&source=${encodeURIComponent(g.source)}` : ""}`}>
                          {ruleLabel(g.rule)}
                        </Link>
                      </td>
                      <td className={`${stack.inline} ${stack.end} font-semibold`}>
                        <CellLabel>Opened</CellLabel>
                        {g.total}</td>
                      <td className={`${stack.inline} ${stack.end}`}>
                        <CellLabel>Cases</CellLabel>
                        {g.cases}</td>
                      <td className={`${stack.inline} ${stack.end}`}>
                        <CellLabel>Still open</CellLabel>
                        {g.open + g.claimed ? <span className="font-medium text-amber-800">{g.open + g.claimed}</span> : 0}</td>
                      <td className={`${stack.inline} ${stack.end}`}>
                        <CellLabel>Approved</CellLabel>
                        {g.approve}</td>
                      <td className={`${stack.inline} ${stack.end}`}>
                        <CellLabel>Rejected</CellLabel>
                        {g.reject}</td>
                      <td className={`${stack.inline} ${stack.end}`}>
                        <CellLabel>Overridden</CellLabel>
                        {g.override}</td>
                      <td className={`${stack.inline} ${stack.end}`}>
                        <CellLabel>Cleared</CellLabel>
                        {g.cleared}</td>
                      <td className={stack.cell}>
                        <CellLabel>Policy now</CellLabel>
                        {g.policy ? <Badge tone={g.policy === "auto" ? "green" : "amber"}>{g.policy}</Badge> : "—"}</td>
                      <td className={`${stack.cell} ${stack.end} empty:hidden`}>
                        {g.canWiden ? (
                          <button type="button" className={button.small} aria-expanded={open === k} onClick={() => setOpen(open === k ? null : k)}>
                            Move to auto…
                          </button>
                        ) : null}
                      </td>
                    </tr>
                    {open === k ? (
                      <tr className={`bg-slate-50 ${stack.block}`}>
                        <td colSpan={12} className={`px-3 py-3 ${stack.block}`}>
                          <WidenForm
                            group={g}
                            window={win}
                            onDone={(msg) => {
                              setOpen(null);
                              setDone(msg);
                            }}
                          />
                        </td>
                      </tr>
                    ) : null}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function WidenForm({ group, window, onDone }: { group: RecurringGroup; window: WindowKey; onDone: (msg: string) => void }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [note, setNote] = useState("");
  const approvedShare = group.total ? Math.round((group.approve / group.total) * 100) : 0;
  const m = useMutation(
    trpc.opsPolicies.widen.mutationOptions({
      onSuccess: async () => {
        await qc.invalidateQueries({ queryKey: trpc.opsPolicies.recurring.queryKey() });
        await qc.invalidateQueries({ queryKey: trpc.opsPolicies.list.queryKey() });
        onDone(`${capitalise(fieldPhrase(group.field!))} of ${group.source} is now auto: its next changes apply without review. Exceptions already open stay open for a specialist.`);
      },
    }),
  );
  return (
    <form
      className="flex flex-wrap items-end gap-3"
      onSubmit={(e) => {
        e.preventDefault();
        m.mutate({ source: group.source!, field: group.field!, window, note });
      }}
    >
      <p className="w-full text-sm text-slate-700">
        Move <span className="font-medium">{pathLabel(fieldToPath(group.field!))}</span> of <span className="font-mono font-medium">{group.source}</span> to <strong>auto</strong>. In this window{" "}
        {group.total} exception{group.total === 1 ? "" : "s"} opened for it; {group.approve} ({approvedShare}%) were approved, {group.reject} rejected, {group.override} overridden.
      </p>
      <NoteField id={`widen-${keyOf(group)}`} value={note} onChange={setNote} placeholder="e.g. every EMEA severity change was approved for two weeks" />
      <button type="submit" className={button.primary} disabled={m.isPending}>
        Move to auto
      </button>
      {m.error ? <Alert tone="error">{errorText(m.error)}</Alert> : null}
    </form>
  );
}
