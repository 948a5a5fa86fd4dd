"use client";

import { useSuspenseQuery } from "@tanstack/react-query";
import { forwardRef, useImperativeHandle, useRef, useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import { fieldLabel, fieldToPath, pathLabel } from "../../shared/format";
import { button } from "../ui/button";
import { Kbd } from "../ui/kbd";

export type ResolutionKind = "approve" | "reject" | "override";

export interface ResolveFormHandle {
  choose(kind: ResolutionKind): void;
}

const KIND_TEXT: Record<ResolutionKind, { title: string; effect: string; submit: string }> = {
  approve: { title: "Approve", effect: "The held candidate becomes the current record; lineage records your approval.", submit: "Approve and make current" },
  reject: { title: "Reject", effect: "The offending source events are quarantined; the current record stays as it is.", submit: "Reject and quarantine" },
  override: { title: "Override a field", effect: "You set a disputed field; the change is recorded with cause manual override.", submit: "Set the field" },
};

export const ResolveForm = forwardRef<ResolveFormHandle, {
  exceptionId: string;
  defaultField: string | null;
  busy: boolean;
  /** The server's refusal of the last attempt (a 400 names the problem), shown in the form. */
  serverError: string | null;
  onResolve: (input: { kind: ResolutionKind; note: string; path?: string; value?: string }) => void;
}>(function ResolveForm({ exceptionId, defaultField, busy, serverError, onResolve }, ref) {
  const trpc = useTRPC();
  // Only the fields this exception disputes: the server refuses any other.
  const { data: fields } = useSuspenseQuery(trpc.exceptions.overrideFields.queryOptions({ id: exceptionId }));
  const preferred = defaultField ? fieldToPath(defaultField) : null;
  const [kind, setKind] = useState<ResolutionKind>("approve");
  const [path, setPath] = useState(fields.find((f) => f.path === preferred)?.path ?? fields[0]?.path ?? "");
  const current = fields.find((f) => f.path === path);
  const initial = (f: typeof current) => (f?.value === null || f?.value === undefined ? (f?.options[0]?.value ?? "") : String(f.value));
  const [value, setValue] = useState(initial(current));
  const [note, setNote] = useState("");
  const [problem, setProblem] = useState<string | null>(null);
  const noteRef = useRef<HTMLTextAreaElement>(null);
  useImperativeHandle(ref, () => ({
    choose(k) {
      setKind(k);
      noteRef.current?.focus();
    },
  }));

  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    if (note.trim().length < 3) {
      setProblem("Write a note of at least 3 characters: why this resolution is right.");
      noteRef.current?.focus();
      return;
    }
    setProblem(null);
    if (kind !== "override") return onResolve({ kind, note: note.trim() });
    if (!current) {
      setProblem("This exception disputes no single field: approve or reject it.");
      return;
    }
    onResolve({ kind, note: note.trim(), path, value });
  };
  const shown = problem ?? serverError;

  return (
    <form onSubmit={submit} className="space-y-3" aria-label="Resolve exception" noValidate>
      <fieldset>
        <legend className="mb-1.5 text-sm font-semibold text-slate-900">Resolution</legend>
        <div className="space-y-1.5">
          {(Object.keys(KIND_TEXT) as ResolutionKind[]).map((k) => (
            <label key={k} className={`flex cursor-pointer gap-2 rounded-md border px-2.5 py-2 text-sm ${kind === k ? "border-blue-600 bg-blue-50" : "border-slate-200 hover:bg-slate-50"}`}>
              <input type="radio" name="kind" value={k} checked={kind === k} onChange={() => setKind(k)} className="mt-0.5 h-4 w-4" />
              <span>
                <span className="font-medium text-slate-900">{KIND_TEXT[k].title}</span> <Kbd>{k === "approve" ? "a" : k === "reject" ? "r" : "o"}</Kbd>
                <span className="block text-xs text-slate-600">{k === "override" && !fields.length ? "This exception disputes no single field, so there is nothing to override." : KIND_TEXT[k].effect}</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      {kind === "override" && current ? (
        <div className="grid gap-2 rounded-md border border-slate-200 bg-slate-50 p-2.5">
          <label className="text-sm">
            <span className="mb-0.5 block font-medium text-slate-800">Field</span>
            <select
              className="h-8 w-full rounded-md border border-slate-300 bg-white px-2 text-sm"
              value={path}
              onChange={(e) => {
                setPath(e.target.value);
                setValue(initial(fields.find((x) => x.path === e.target.value)));
              }}
            >
              {fields.map((f) => (
                <option key={f.path} value={f.path}>
                  {pathLabel(f.path)}
                </option>
              ))}
            </select>
          </label>
          <label className="text-sm">
            <span className="mb-0.5 block font-medium text-slate-800">Value {current.value !== null ? <span className="font-normal text-slate-600">(held candidate: {String(current.value)})</span> : null}</span>
            {current.kind === "text" ? (
              <input className="h-8 w-full rounded-md border border-slate-300 bg-white px-2 text-sm" value={value} onChange={(e) => setValue(e.target.value)} />
            ) : (
              <select className="h-8 w-full rounded-md border border-slate-300 bg-white px-2 text-sm" value={value} onChange={(e) => setValue(e.target.value)}>
                {current.options.some((o) => o.value === value) ? null : <option value={value}>{value}</option>}
                {current.options.map((o) => (
                  <option key={o.value} value={o.value}>
                    {o.label}
                  </option>
                ))}
              </select>
            )}
          </label>
          <p className="text-xs text-slate-600">
            {fieldLabel(path.split("/").pop() ?? "")} stays as you set it while its source keeps giving the value it gives now; when the source changes it, the override lapses and the rules judge the new value.
          </p>
        </div>
      ) : null}
      <label className="block text-sm">
        <span className="mb-0.5 block font-medium text-slate-800">
          Note <span className="font-normal text-slate-600">(required, kept in the audit log)</span>
        </span>
        <textarea
          ref={noteRef}
          value={note}
          onChange={(e) => setNote(e.target.value)}
          rows={3}
          required
          minLength={3}
          aria-invalid={shown ? true : undefined}
          aria-describedby={shown ? "resolve-problem" : undefined}
          className="w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm"
          placeholder="Why this is the right call, for whoever reads the record next"
        />
      </label>
      {shown ? (
        <p id="resolve-problem" role="alert" className="text-sm text-red-800">
          {shown}
        </p>
      ) : null}
      <button type="submit" disabled={busy} className={kind === "reject" ? button.danger : button.primary}>
        {busy ? "Working…" : KIND_TEXT[kind].submit}
      </button>
    </form>
  );
});
