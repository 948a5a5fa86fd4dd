"use client";

import { useId, useState } from "react";
import { Field, inputClass } from "@/components/auth/admin/parts";
import { button } from "@/components/ui/button";
import { CAUSE_LABEL, CAUSE_ORDER } from "@/components/lib/causes";

export interface EndpointFormValue {
  url: string;
  description: string;
  causes: string[];
  caseIdPrefix: string;
}

/** The fields of an endpoint, for registering one and for editing it. */
export function EndpointForm({ initial, submitLabel, pending, onSubmit, onCancel }: { initial: EndpointFormValue; submitLabel: string; pending: boolean; onSubmit: (v: EndpointFormValue) => void; onCancel?: () => void }) {
  const id = useId();
  const [v, setV] = useState(initial);
  const set = (patch: Partial<EndpointFormValue>) => setV((old) => ({ ...old, ...patch }));
  return (
    <form
      className="space-y-3"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit(v);
      }}
    >
      <div className="grid gap-3 md:grid-cols-2">
        <Field label="Endpoint URL" htmlFor={`${id}-url`} hint="https:// required; http:// only to localhost for development.">
          <input id={`${id}-url`} type="url" required maxLength={2000} inputMode="url" placeholder="https://tools.example.com/hooks/escalations" className={inputClass} value={v.url} onChange={(e) => set({ url: e.target.value })} />
        </Field>
        <Field label="Description" htmlFor={`${id}-desc`} hint="Who owns it and what it feeds.">
          <input id={`${id}-desc`} maxLength={500} className={inputClass} value={v.description} onChange={(e) => set({ description: e.target.value })} />
        </Field>
      </div>
      <fieldset>
        <legend className="text-xs font-medium text-slate-700">Only changes with these causes (none ticked: every change)</legend>
        <div className="mt-1 flex flex-wrap gap-x-4 gap-y-1">
          {CAUSE_ORDER.map((c) => (
            <label key={c} className="inline-flex items-center gap-1.5 text-sm text-slate-800">
              <input type="checkbox" checked={v.causes.includes(c)} onChange={(e) => set({ causes: e.target.checked ? [...v.causes, c] : v.causes.filter((x) => x !== c) })} />
              {CAUSE_LABEL[c]}
            </label>
          ))}
        </div>
      </fieldset>
      <div className="max-w-xs">
        <Field label="Only cases whose id starts with (optional)" htmlFor={`${id}-prefix`}>
          <input id={`${id}-prefix`} maxLength={100} className={inputClass} value={v.caseIdPrefix} onChange={(e) => set({ caseIdPrefix: e.target.value })} />
        </Field>
      </div>
      <div className="flex flex-wrap gap-2">
        <button type="submit" className={button.primary} disabled={pending || !v.url.trim()}>
          {pending ? "Saving…" : submitLabel}
        </button>
        {onCancel ? (
          <button type="button" className={button.secondary} onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
    </form>
  );
}
