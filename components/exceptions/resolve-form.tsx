"use client";

import { useSuspenseQuery } from "@tanstack/react-query";
import { forwardRef, useImperativeHandle, useMemo, useRef, useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import { fieldLabel, fieldToPath, isPlainObject, joinPath, pathLabel } from "../lib/format";
import { button } from "../ui/button";
import { Kbd } from "../ui/kbd";

export type ResolutionKind = "approve" | "reject" | "override";

export interface ResolveFormHandle {
  choose(kind: ResolutionKind): void;
}

const OVERRIDABLE = ["case", "entitlement", "environment", "reproduction"];

/** Single fields a specialist may set: one level inside case, entitlement, environment, reproduction. */
function overridableFields(record: unknown): { path: string; value: unknown }[] {
  if (!isPlainObject(record)) return [];
  const out: { path: string; value: unknown }[] = [];
  for (const section of OVERRIDABLE) {
    const s = record[section];
    if (!isPlainObject(s)) continue;
    for (const [k, v] of Object.entries(s)) {
      if (k === "components" || isPlainObject(v) || Array.isArray(v)) continue;
      out.push({ path: joinPath([section, k]), value: v });
    }
  }
  return out;
}

const KIND_TEXT: Record<ResolutionKind, { title: string; effect: string; submit: string }> = {
  approve: { title: "Approve", effect: "The held candidate becomes the current record; lineage records your approval.", submit: "Approve and make current" },
  reject: { title: "Reject", effect: "The offending source events are quarantined; the current record stays as it is.", submit: "Reject and quarantine" },
  override: { title: "Override a field", effect: "You set the disputed field; the change is recorded with cause manual override.", submit: "Set the field" },
};

export const ResolveForm = forwardRef<ResolveFormHandle, {
  caseId: string;
  version: number;
  defaultField: string | null;
  busy: boolean;
  onResolve: (input: { kind: ResolutionKind; note: string; path?: string; value?: string | number | boolean }) => void;
}>(function ResolveForm({ caseId, version, defaultField, busy, onResolve }, ref) {
  const trpc = useTRPC();
  const { data } = useSuspenseQuery(trpc.records.version.queryOptions({ caseId, version }));
  const fields = useMemo(() => overridableFields(data.record), [data.record]);
  const preferred = defaultField ? fieldToPath(defaultField) : null;
  const [kind, setKind] = useState<ResolutionKind>("approve");
  const [path, setPath] = useState(fields.find((f) => f.path === preferred)?.path ?? fields[0]?.path ?? "");
  const current = fields.find((f) => f.path === path);
  const [value, setValue] = useState(current?.value === undefined || current?.value === null ? "" : String(current.value));
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
    const original = current?.value;
    const typed = typeof original === "number" ? Number(value) : typeof original === "boolean" ? value === "true" : value;
    if (typeof typed === "number" && Number.isNaN(typed)) {
      setProblem(`${pathLabel(path)} takes a number.`);
      return;
    }
    onResolve({ kind, note: note.trim(), path, value: typed });
  };

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
                <span className="block text-xs text-slate-600">{KIND_TEXT[k].effect}</span>
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      {kind === "override" ? (
        <div className="grid gap-2 rounded-md border border-slate-200 bg-slate-50 p-2.5">
          <label className="text-sm">
            <span className="mb-0.5 block font-medium text-slate-800">Field</span>
            <select
              className="h-8 w-full rounded-md border border-slate-300 bg-white px-2 text-sm"
              value={path}
              onChange={(e) => {
                setPath(e.target.value);
                const f = fields.find((x) => x.path === e.target.value);
                setValue(f?.value === undefined || f?.value === null ? "" : String(f.value));
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
            <span className="mb-0.5 block font-medium text-slate-800">Value {current ? <span className="font-normal text-slate-600">(held candidate: {String(current.value)})</span> : null}</span>
            {path === "/case/severity" ? (
              <select className="h-8 w-full rounded-md border border-slate-300 bg-white px-2 text-sm" value={value} onChange={(e) => setValue(e.target.value)}>
                {["S1", "S2", "S3", "S4"].map((s) => (
                  <option key={s}>{s}</option>
                ))}
              </select>
            ) : typeof current?.value === "boolean" ? (
              <select className="h-8 w-full rounded-md border border-slate-300 bg-white px-2 text-sm" value={value} onChange={(e) => setValue(e.target.value)}>
                <option value="true">yes</option>
                <option value="false">no</option>
              </select>
            ) : (
              <input className="h-8 w-full rounded-md border border-slate-300 bg-white px-2 text-sm" value={value} onChange={(e) => setValue(e.target.value)} inputMode={typeof current?.value === "number" ? "numeric" : undefined} />
            )}
          </label>
          <p className="text-xs text-slate-600">{fieldLabel(path.split("/").pop() ?? "")} stays as you set it until its source sends a newer version.</p>
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
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? "resolve-problem" : undefined}
          className="w-full rounded-md border border-slate-300 bg-white px-2 py-1.5 text-sm"
          placeholder="Why this is the right call, for whoever reads the record next"
        />
      </label>
      {problem ? (
        <p id="resolve-problem" role="alert" className="text-sm text-red-800">
          {problem}
        </p>
      ) : null}
      <button type="submit" disabled={busy} className={kind === "reject" ? button.danger : button.primary}>
        {busy ? "Working…" : KIND_TEXT[kind].submit}
      </button>
    </form>
  );
});
