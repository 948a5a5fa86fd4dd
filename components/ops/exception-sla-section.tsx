"use client";

import { useMutation, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Alert, errorText, Field, inputClass } from "@/components/auth/admin/parts";
import { button } from "@/components/ui/button";
import { useTRPC } from "@/components/trpc/client";
import { formatMinutes } from "@/shared/format";
import { ruleLabel } from "../lib/rules";
import { NoteField } from "./note-field";

/**
 * The exception SLA (docs/domain.md "Exception SLA"): how long specialists have to resolve an
 * exception, a default and, for any kind that needs it, minutes of its own. The queue and the
 * exception page measure every exception against it; the tiers' response SLA above is the customer's.
 */
export function ExceptionSlaSection() {
  const trpc = useTRPC();
  const data = useSuspenseQuery(trpc.opsReference.exceptionSlas.queryOptions()).data;
  const [editing, setEditing] = useState<string | null>(null);
  const rows = [{ kind: "default", label: "Default (every kind without its own)", minutes: data.defaultMinutes, own: true }, ...data.kinds.map((k) => ({ kind: k.kind as string, label: ruleLabel(k.kind), minutes: k.minutes, own: k.ownMinutes !== null }))];
  return (
    <section aria-labelledby="exc-sla-h" className="space-y-2">
      <h2 id="exc-sla-h" className="text-base font-semibold text-slate-900">
        Exception SLA
      </h2>
      <p className="max-w-3xl text-sm text-slate-700">
        How long specialists have to resolve an exception, from the moment it opens. Each kind uses the default unless it has minutes of its own. This is not the customer&apos;s
        response SLA of the tiers above; the exception queue and each exception&apos;s page measure against these minutes.
      </p>
      <ul className="divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white" aria-label="Exception SLA per kind" data-testid="exception-sla">
        {rows.map((r) => (
          <li key={r.kind} className="px-3 py-2 text-sm" data-testid={`exception-sla-${r.kind}`}>
            <div className="flex flex-wrap items-center justify-between gap-2">
              <span className={r.kind === "default" ? "font-semibold text-slate-900" : "text-slate-900"}>{r.label}</span>
              <span className="flex items-center gap-3">
                <span className="tabular-nums text-slate-800">
                  {formatMinutes(r.minutes)}{" "}
                  <span className="text-xs text-slate-600">{r.kind === "default" ? `(${r.minutes} min)` : r.own ? `(${r.minutes} min, its own)` : "(the default)"}</span>
                </span>
                <button type="button" className={button.small} aria-expanded={editing === r.kind} onClick={() => setEditing(editing === r.kind ? null : r.kind)}>
                  Edit<span className="sr-only"> the SLA of {r.label}</span>…
                </button>
              </span>
            </div>
            {editing === r.kind ? <SlaForm kind={r.kind} label={r.label} minutes={r.minutes} own={r.own} onDone={() => setEditing(null)} /> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

function SlaForm({ kind, label, minutes, own, onDone }: { kind: string; label: string; minutes: number; own: boolean; onDone: () => void }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [value, setValue] = useState(minutes);
  const [useDefault, setUseDefault] = useState(!own);
  const [note, setNote] = useState("");
  const m = useMutation(
    trpc.opsReference.setExceptionSla.mutationOptions({
      onSuccess: async () => {
        await qc.invalidateQueries({ queryKey: trpc.opsReference.exceptionSlas.queryKey() });
        onDone();
      },
    }),
  );
  const id = `exc-sla-${kind}`;
  return (
    <form
      className="mt-2 flex flex-wrap items-end gap-3 rounded-md bg-slate-50 p-3"
      aria-label={`Exception SLA of ${label}`}
      onSubmit={(e) => {
        e.preventDefault();
        m.mutate({ kind: kind as "default", minutes: kind !== "default" && useDefault ? null : value, note });
      }}
    >
      {kind !== "default" ? (
        <label className="flex items-center gap-2 text-sm text-slate-800">
          <input type="checkbox" checked={useDefault} onChange={(e) => setUseDefault(e.target.checked)} />
          Use the default
        </label>
      ) : null}
      <Field label="Minutes to resolve" htmlFor={id}>
        <input id={id} type="number" min={1} max={43200} required disabled={kind !== "default" && useDefault} value={value} onChange={(e) => setValue(Number(e.target.value))} className={`${inputClass} w-28`} />
      </Field>
      <NoteField id={`${id}-note`} value={note} onChange={setNote} placeholder="e.g. severity conflicts must be settled within the hour" />
      <button type="submit" className={button.primary} disabled={m.isPending}>
        {m.isPending ? "Saving…" : "Save"}
      </button>
      <button type="button" className={button.secondary} onClick={onDone}>
        Cancel
      </button>
      {m.error ? (
        <div className="w-full">
          <Alert tone="error">{errorText(m.error)}</Alert>
        </div>
      ) : null}
    </form>
  );
}
