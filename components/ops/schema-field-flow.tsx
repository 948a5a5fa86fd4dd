"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useId, useState } from "react";
import { Alert, ConfirmButton, errorText, Field, inputClass } from "@/components/auth/admin/parts";
import { Badge } from "@/components/ui/badges";
import { button } from "@/components/ui/button";
import { useTRPC } from "@/components/trpc/client";
import { fieldToPath, pathLabel } from "@/shared/format";

/**
 * The guided flow for a field the record never had (docs/domain.md, escalation schema): define it, check
 * it against the current records (from the stored events, before anything changes), add it to the
 * draft; the draft's review then lists it and publishing re-materialises every record.
 */
export interface AddedField {
  path: string;
  required: boolean;
  type?: string;
  values?: string[];
  source?: string;
  pointer?: string;
}
export interface FieldSource {
  name: string;
  kind: string;
  builtIn: boolean;
  sections: string[];
}
export interface FieldPreview {
  field: AddedField;
  currentRecords: number;
  filled: number;
  samples: { caseId: string; value: unknown }[];
  lacking: number;
  lackingCases: { caseId: string; why: string }[];
  invalid: number;
  invalidCases: { caseId: string; reason: string }[];
}

const TYPES = [
  { value: "string", label: "Text" },
  { value: "number", label: "Number" },
  { value: "boolean", label: "True / false" },
  { value: "enum", label: "One of given values" },
  { value: "date", label: "Date or date-time" },
] as const;
const typeLabel = (f: AddedField) => (f.type === "enum" ? `one of ${f.values?.join(", ")}` : (TYPES.find((t) => t.value === f.type)?.label.toLowerCase() ?? f.type));

/** A schema field ("case.customerImpact") for people: "Case › Customer impact". */
export const fieldName = (field: string) => pathLabel(field.startsWith("/") ? field : fieldToPath(field));

/**
 * A schema field as the policies screen shows one: its label, with the identifier the API and the
 * audit log use small beside it, for admins who script against them.
 */
export function FieldName({ field, className = "" }: { field: string; className?: string }) {
  return (
    <span className={className} data-field={field}>
      {fieldName(field)}{" "}
      <span className="ml-0.5 break-all font-mono text-xs font-normal text-slate-500">{field}</span>
    </span>
  );
}

export function FieldSummary({ field }: { field: AddedField }) {
  return (
    <span className="text-sm text-slate-700">
      <FieldName field={field.path} className="font-semibold text-slate-900" /> · {typeLabel(field)} · from <span className="font-mono">{field.source}</span>{" "}
      <span className="font-mono">{field.pointer}</span> · {field.required ? <strong>required</strong> : "optional"}
    </span>
  );
}

/** The first few cases of a group (the server sends up to 20; eight keep the three groups side by side readable). */
const SHOWN = 8;

function CaseList({ items, total, render }: { items: { caseId: string }[]; total: number; render?: (i: number) => string }) {
  const shown = items.slice(0, SHOWN);
  return (
    <ul className="mt-1 space-y-0.5 text-xs">
      {shown.map((c, i) => (
        <li key={c.caseId}>
          <Link className="font-mono text-blue-800 underline" href={`/records/${encodeURIComponent(c.caseId)}`}>
            {c.caseId}
          </Link>
          {render ? <span className="text-slate-600"> · {render(i)}</span> : null}
        </li>
      ))}
      {total > shown.length ? <li className="text-slate-600">and {total - shown.length} more</li> : null}
    </ul>
  );
}

/** What publishing the field would do to the current records. */
export function PreviewResult({ preview, required }: { preview: FieldPreview; required: boolean }) {
  const p = preview;
  return (
    <div className="grid gap-3 sm:grid-cols-3" data-testid="field-preview">
      <div className="rounded-md border border-emerald-200 bg-emerald-50 p-2">
        <p className="text-sm font-semibold text-emerald-900">
          {p.filled} of {p.currentRecords} would have it
        </p>
        <CaseList items={p.samples} total={p.samples.length} render={(i) => JSON.stringify(p.samples[i]!.value)} />
      </div>
      <div className={`rounded-md border p-2 ${p.lacking && required ? "border-amber-300 bg-amber-50" : "border-slate-200 bg-white"}`}>
        <p className={`text-sm font-semibold ${p.lacking && required ? "text-amber-900" : "text-slate-900"}`}>
          {p.lacking} lack it{p.lacking ? (required ? ": held with Schema invalid until their source sends it" : ": they simply will not have it") : ""}
        </p>
        <CaseList items={p.lackingCases} total={p.lacking} render={(i) => p.lackingCases[i]!.why} />
      </div>
      <div className={`rounded-md border p-2 ${p.invalid ? "border-red-200 bg-red-50" : "border-slate-200 bg-white"}`}>
        <p className={`text-sm font-semibold ${p.invalid ? "text-red-900" : "text-slate-900"}`}>
          {p.invalid} have a value that does not fit{p.invalid ? ": held with Schema invalid" : ""}
        </p>
        <CaseList items={p.invalidCases} total={p.invalid} render={(i) => p.invalidCases[i]!.reason} />
      </div>
    </div>
  );
}

interface Draft {
  source: string;
  section: string;
  name: string;
  type: string;
  values: string;
  pointer: string;
  required: boolean;
}

const definitionOf = (d: Draft) => ({
  name: `${d.section}.${d.name.trim()}`,
  type: d.type,
  ...(d.type === "enum" ? { values: d.values.split(",").map((v) => v.trim()).filter(Boolean) } : {}),
  source: d.source,
  pointer: d.pointer.trim(),
  required: d.required,
});

function useInvalidateSchema() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  return async () => {
    await qc.invalidateQueries({ queryKey: trpc.opsSchema.list.queryKey() });
    await qc.invalidateQueries({ queryKey: trpc.opsSchema.diff.queryKey() });
  };
}

/** The draft's added fields, and the three steps to add one. */
export function AddedFields({ version, added, activeAdded, sources }: { version: number; added: AddedField[]; activeAdded: AddedField[]; sources: FieldSource[] }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateSchema();
  const remove = useMutation(trpc.opsSchema.removeField.mutationOptions({ onSuccess: invalidate }));
  const [adding, setAdding] = useState(false);
  const inActive = new Map(activeAdded.map((f) => [f.path, JSON.stringify(f)]));
  return (
    <section aria-labelledby="added-h" className="space-y-3 border-t border-slate-200 pt-4">
      <header className="flex flex-wrap items-center justify-between gap-2">
        <div>
          <h3 id="added-h" className="text-sm font-medium text-slate-900">
            Fields this schema adds to the record
          </h3>
          <p className="text-xs text-slate-600">Values sources send beyond the standard event shape, mapped into the record with their lineage.</p>
        </div>
        {!adding ? (
          <button type="button" className={button.secondary} onClick={() => setAdding(true)}>
            Add a field…
          </button>
        ) : null}
      </header>
      {added.length ? (
        <ul className="space-y-1" data-testid="added-fields">
          {added.map((f) => {
            const state = !inActive.has(f.path) ? "new in this draft" : inActive.get(f.path) !== JSON.stringify(f) ? "changed in this draft" : null;
            return (
              <li key={f.path} className="flex flex-wrap items-center justify-between gap-2 rounded border border-slate-200 px-2 py-1">
                <span>
                  <FieldSummary field={f} /> {state ? <Badge tone="blue">{state}</Badge> : null}
                </span>
                <ConfirmButton label="Remove" confirmLabel={`Remove ${fieldName(f.path)}`} onConfirm={() => remove.mutate({ version, name: f.path })} />
              </li>
            );
          })}
        </ul>
      ) : (
        <p className="text-sm text-slate-600">None yet.</p>
      )}
      {remove.error ? <Alert tone="error">{errorText(remove.error)}</Alert> : null}
      {adding ? <AddFieldFlow version={version} sources={sources} onDone={() => setAdding(false)} /> : null}
    </section>
  );
}

function AddFieldFlow({ version, sources, onDone }: { version: number; sources: FieldSource[]; onDone: () => void }) {
  const trpc = useTRPC();
  const invalidate = useInvalidateSchema();
  const id = useId();
  const first = sources.find((s) => s.kind === "ticketing") ?? sources[0];
  const [d, setD] = useState<Draft>({ source: first?.name ?? "", section: first?.sections[0] ?? "case", name: "", type: "string", values: "", pointer: "/", required: false });
  const [checked, setChecked] = useState<ReturnType<typeof definitionOf> | null>(null);
  const definition = definitionOf(d);
  const current = checked !== null && JSON.stringify(checked) === JSON.stringify(definition);
  const preview = useQuery({ ...trpc.opsSchema.previewField.queryOptions({ field: checked }), enabled: checked !== null, retry: false });
  const define = useMutation(
    trpc.opsSchema.defineField.mutationOptions({
      onSuccess: async () => {
        await invalidate();
        onDone();
      },
    }),
  );
  const set = (patch: Partial<Draft>) => setD((x) => ({ ...x, ...patch }));
  const source = sources.find((s) => s.name === d.source);
  return (
    <div className="space-y-4 rounded-md border border-blue-200 bg-blue-50/40 p-3" role="group" aria-labelledby={`${id}-h`} data-testid="add-field-flow">
      <h4 id={`${id}-h`} className="text-sm font-semibold text-slate-900">
        Add a field the record never had
      </h4>
      <ol className="space-y-4">
        <li>
          <p className="text-xs font-semibold uppercase tracking-wide text-slate-500">1 · Define it</p>
          <div className="mt-2 grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
            <Field label="Comes from source" htmlFor={`${id}-source`} hint="Only sources with one entity per case: a ticket, an account, an environment. A case has several incidents and bundles, so they cannot feed a single field.">
              <select
                id={`${id}-source`}
                className={inputClass}
                value={d.source}
                onChange={(e) => {
                  const s = sources.find((x) => x.name === e.target.value);
                  set({ source: e.target.value, section: s?.sections.includes(d.section) ? d.section : (s?.sections[0] ?? d.section) });
                }}
              >
                {sources.map((s) => (
                  <option key={s.name} value={s.name}>
                    {s.name} ({s.kind}{s.builtIn ? "" : ", onboarded"})
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Path in that source's data" htmlFor={`${id}-pointer`} hint="A JSON Pointer, e.g. /customerImpact or /flags/vip. Events already received count.">
              <input id={`${id}-pointer`} className={`${inputClass} font-mono`} value={d.pointer} onChange={(e) => set({ pointer: e.target.value })} placeholder="/customerImpact" />
            </Field>
            <Field label="Field name in the record" htmlFor={`${id}-name`} hint="Letters, digits and _; never a built-in field. It goes into the section its source feeds.">
              <div className="flex items-center gap-1">
                <select aria-label="Section" className={`${inputClass} w-auto`} value={d.section} onChange={(e) => set({ section: e.target.value })}>
                  {(source?.sections ?? ["case"]).map((s) => (
                    <option key={s} value={s}>
                      {s}.
                    </option>
                  ))}
                </select>
                <input id={`${id}-name`} className={`${inputClass} font-mono`} value={d.name} onChange={(e) => set({ name: e.target.value })} placeholder="customerImpact" />
              </div>
            </Field>
            <Field label="Type" htmlFor={`${id}-type`} hint="Values are normalised like source data (numerals become numbers, enum values match whatever their letter case); a value that does not fit holds the case with Schema invalid.">
              <select id={`${id}-type`} className={inputClass} value={d.type} onChange={(e) => set({ type: e.target.value })}>
                {TYPES.map((t) => (
                  <option key={t.value} value={t.value}>
                    {t.label}
                  </option>
                ))}
              </select>
            </Field>
            {d.type === "enum" ? (
              <Field label="Allowed values" htmlFor={`${id}-values`} hint="Separated by commas.">
                <input id={`${id}-values`} className={inputClass} value={d.values} onChange={(e) => set({ values: e.target.value })} placeholder="low, medium, high" />
              </Field>
            ) : null}
            <div className="flex items-end">
              <label className="flex items-start gap-2 text-sm text-slate-800">
                <input type="checkbox" className="mt-1" checked={d.required} onChange={(e) => set({ required: e.target.checked })} />
                <span>
                  Required
                  <span className="block text-xs text-slate-600">A record whose source does not provide it is held with Schema invalid until it does.</span>
                </span>
              </label>
            </div>
          </div>
        </li>
        <li>
          <p className="text-xs font-semibold uppercase tracking-wide text-slate-500">2 · Check it against the current records</p>
          <div className="mt-2 flex flex-wrap items-center gap-3">
            <button type="button" className={button.secondary} onClick={() => setChecked(definition)} disabled={current && preview.isFetching}>
              {current && preview.isFetching ? "Checking…" : "Check current records"}
            </button>
            <span className="text-xs text-slate-600">Reads the newest accepted event of each record&apos;s source; nothing changes yet.</span>
          </div>
          <div className="mt-2">
            {checked && !current ? <p className="text-sm text-amber-800">The definition changed since the check: check again.</p> : null}
            {current && preview.error ? <Alert tone="error">{errorText(preview.error)}</Alert> : null}
            {current && preview.data ? <PreviewResult preview={preview.data as FieldPreview} required={definition.required} /> : null}
          </div>
        </li>
        <li>
          <p className="text-xs font-semibold uppercase tracking-wide text-slate-500">3 · Add it to draft version {version}</p>
          <div className="mt-2 flex flex-wrap items-center gap-2">
            <button type="button" className={button.primary} disabled={!current || !preview.data || define.isPending} onClick={() => define.mutate({ version, field: definition })}>
              {define.isPending ? "Adding…" : `Add ${fieldName(definition.name)} to the draft`}
            </button>
            <button type="button" className={button.ghost} onClick={onDone}>
              Cancel
            </button>
            {!current || !preview.data ? <span className="text-xs text-slate-600">Check the current records first.</span> : null}
          </div>
          {define.error ? (
            <div className="mt-2">
              <Alert tone="error">{errorText(define.error)}</Alert>
            </div>
          ) : null}
        </li>
      </ol>
    </div>
  );
}

/** The review's part about added fields: each with what publishing does to the current records. */
export function AddedFieldsReview({ added, removed }: { added: (FieldPreview & { change: string })[]; removed: AddedField[] }) {
  if (!added.length && !removed.length) return null;
  return (
    <div className="mt-3 space-y-3" data-testid="added-fields-review">
      {added.map((f) => (
        <div key={f.field.path} className="space-y-1">
          <p className="flex flex-wrap items-baseline gap-2">
            <span className="text-sm font-semibold text-emerald-800">
              + <FieldName field={f.field.path} />
            </span>
            <span className="text-sm text-slate-700">{f.change === "added" ? "new field" : "definition changed"} ·</span>
            <FieldSummary field={f.field} />
          </p>
          <PreviewResult preview={f} required={f.field.required} />
        </div>
      ))}
      {removed.map((f) => (
        <p key={f.path} className="flex flex-wrap items-baseline gap-2 text-sm">
          <span className="font-semibold text-red-800">
            − <FieldName field={f.path} />
          </span>
          <span className="text-slate-700">field removed: records lose it on re-materialisation (a schema change)</span>
        </p>
      ))}
    </div>
  );
}
