"use client";

import { useMutation, useQuery, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { Alert, ConfirmButton, errorText } from "@/components/auth/admin/parts";
import { Badge } from "@/components/ui/badges";
import { button } from "@/components/ui/button";
import { RelativeTime } from "@/components/ui/relative-time";
import { CellLabel, stack } from "@/components/ui/stack-table";
import { useTRPC } from "@/components/trpc/client";
import { JobList, Outcomes } from "./job-progress";
import { AddedFields, AddedFieldsReview, FieldName, fieldName, FieldSummary } from "./schema-field-flow";
import { NoteField } from "./note-field";

function useSchema() {
  const trpc = useTRPC();
  return useSuspenseQuery(trpc.opsSchema.list.queryOptions()).data;
}
type Versions = ReturnType<typeof useSchema>;

function useInvalidate() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  return async () => {
    await qc.invalidateQueries({ queryKey: trpc.opsSchema.list.queryKey() });
    await qc.invalidateQueries({ queryKey: trpc.opsSchema.diff.queryKey() });
    await qc.invalidateQueries({ queryKey: trpc.opsJobs.list.queryKey() });
  };
}

export function SchemaScreen() {
  const data = useSchema();
  const active = data.versions.find((v) => v.active);
  const draft = data.versions.find((v) => v.status === "draft");
  return (
    <div className="space-y-5">
      <section aria-labelledby="publish-jobs-h" className="space-y-2">
        <h2 id="publish-jobs-h" className="text-base font-semibold text-slate-900">
          Re-materialisation after publishing
        </h2>
        <JobList kinds={["schema_publish"]} empty="No version published from this screen yet." limit={3}>
          {(job) => {
            const r = (job.result ?? {}) as { cases?: number; outcomes?: Record<string, number>; opened?: number; openedCases?: string[]; cleared?: number; clearedCases?: string[]; schemaInvalid?: number };
            return (
              <div className="space-y-1 text-sm text-slate-700" data-testid="publish-result">
                <p>
                  {r.cases ?? 0} records re-checked: <Outcomes outcomes={r.outcomes} />.
                </p>
                <p>
                  {r.opened ? (
                    <strong className="text-amber-800">
                      {r.opened} record{r.opened === 1 ? "" : "s"} newly fail the schema and opened Schema invalid: <CaseLinks ids={r.openedCases ?? []} total={r.opened} />.
                    </strong>
                  ) : (
                    "No record newly fails the schema."
                  )}{" "}
                  {r.cleared ? (
                    <>
                      {r.cleared} no longer fail it: <CaseLinks ids={r.clearedCases ?? []} total={r.cleared} />.
                    </>
                  ) : null}{" "}
                  {r.schemaInvalid ? (
                    <Link className="text-blue-800 underline" href="/exceptions?rule=SCHEMA_INVALID">
                      {r.schemaInvalid} open Schema invalid exception{r.schemaInvalid === 1 ? "" : "s"} in all
                    </Link>
                  ) : null}
                </p>
              </div>
            );
          }}
        </JobList>
      </section>
      <div className="grid gap-4 xl:grid-cols-[1fr_22rem]">
        {draft ? (
          <DraftEditor
            key={`${draft.version}:${draft.required.filter((f) => (data.recordFields as string[]).includes(f)).join(",")}`}
            draft={draft}
            active={active}
            fields={data.recordFields}
            sources={data.fieldSources}
          />
        ) : (
          <StartDraft active={active} />
        )}
        <ActiveSummary active={active} />
      </div>
      <History versions={data.versions} />
    </div>
  );
}

function CaseLinks({ ids, total }: { ids: string[]; total: number }) {
  return (
    <>
      {ids.map((c, i) => (
        <span key={c}>
          {i ? ", " : ""}
          <Link className="font-mono text-blue-800 underline" href={`/records/${encodeURIComponent(c)}`}>
            {c}
          </Link>
        </span>
      ))}
      {total > ids.length ? ` and ${total - ids.length} more` : ""}
    </>
  );
}

function ActiveSummary({ active }: { active: Versions["versions"][number] | undefined }) {
  return (
    <aside className="rounded-lg border border-slate-200 bg-white p-4" aria-labelledby="active-h">
      <h2 id="active-h" className="text-sm font-semibold text-slate-900">
        Active: version {active?.version ?? "none"}
      </h2>
      {active ? (
        <>
          <p className="mt-1 text-xs text-slate-600">
            Published {active.publishedAt ? <RelativeTime value={active.publishedAt} /> : "—"} by <bdi dir="auto">{active.publishedBy ?? "system"}</bdi>
            {active.note ? (
              <>
                {" "}
                · “<bdi dir="auto">{active.note}</bdi>”
              </>
            ) : null}
          </p>
          <p className="mt-3 text-xs font-medium uppercase tracking-wide text-slate-500">Required fields ({active.required.length})</p>
          <ul className="mt-1 space-y-0.5 text-sm text-slate-900">
            {active.required.map((p) => (
              <li key={p}>
                <FieldName field={p} />
              </li>
            ))}
          </ul>
          <p className="mt-3 text-xs font-medium uppercase tracking-wide text-slate-500">Added fields ({active.added.length})</p>
          {active.added.length ? (
            <ul className="mt-1 space-y-1">
              {active.added.map((f) => (
                <li key={f.path}>
                  <FieldSummary field={f} />
                </li>
              ))}
            </ul>
          ) : (
            <p className="mt-1 text-sm text-slate-600">None: the record has only its built-in fields.</p>
          )}
        </>
      ) : null}
    </aside>
  );
}

function StartDraft({ active }: { active: Versions["versions"][number] | undefined }) {
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const m = useMutation(trpc.opsSchema.createDraft.mutationOptions({ onSuccess: invalidate }));
  return (
    <section className="rounded-lg border border-dashed border-slate-300 bg-white p-4">
      <h2 className="text-base font-semibold text-slate-900">No draft open</h2>
      <p className="mt-1 text-sm text-slate-700">
        A draft starts as a copy of version {active?.version ?? 1}. Change which fields are required, or add a field the record never had from a value its sources send; review the
        difference and its impact, then publish: every record is re-materialised against the new version, and records that miss a required field open Schema invalid.
      </p>
      <button type="button" className={`${button.primary} mt-3`} onClick={() => m.mutate()} disabled={m.isPending}>
        Start a draft
      </button>
      {m.error ? (
        <div className="mt-2">
          <Alert tone="error">{errorText(m.error)}</Alert>
        </div>
      ) : null}
    </section>
  );
}

function DraftEditor({ draft, active, fields, sources }: { draft: Versions["versions"][number]; active: Versions["versions"][number] | undefined; fields: string[]; sources: Versions["fieldSources"] }) {
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  // The checkboxes cover the built-in fields; an added field carries its own required flag.
  const builtInRequired = draft.required.filter((f) => fields.includes(f));
  const [required, setRequired] = useState(() => new Set(builtInRequired));
  const [note, setNote] = useState("");
  const dirty = required.size !== builtInRequired.length || builtInRequired.some((p) => !required.has(p));
  const save = useMutation(trpc.opsSchema.saveDraft.mutationOptions({ onSuccess: invalidate }));
  const publish = useMutation(trpc.opsSchema.publish.mutationOptions({ onSuccess: invalidate }));
  const discard = useMutation(trpc.opsSchema.discardDraft.mutationOptions({ onSuccess: invalidate }));
  const activeRequired = new Set(active?.required ?? []);
  const sections = [...new Set(fields.map((f) => f.split(".")[0]!))];
  return (
    <section aria-labelledby="draft-h" className="space-y-4 rounded-lg border border-blue-200 bg-white p-4">
      <header className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="draft-h" className="text-base font-semibold text-slate-900">
          Draft version {draft.version} <Badge tone="blue">draft</Badge>
        </h2>
        <ConfirmButton label="Discard draft" confirmLabel={`Discard version ${draft.version}`} onConfirm={() => discard.mutate({ version: draft.version })} />
      </header>
      <fieldset>
        <legend className="text-sm font-medium text-slate-900">Required fields</legend>
        <div className="mt-2 grid gap-x-6 gap-y-3 sm:grid-cols-2 lg:grid-cols-3">
          {sections.map((s) => (
            <div key={s}>
              <p className="text-xs font-semibold uppercase tracking-wide text-slate-500">{s}</p>
              {fields
                .filter((f) => f.split(".")[0] === s)
                .map((f) => {
                  const changed = required.has(f) !== activeRequired.has(f);
                  return (
                    <label key={f} className={`mt-1 flex items-center gap-2 rounded px-1 text-sm ${changed ? "bg-amber-50" : ""}`}>
                      <input
                        type="checkbox"
                        checked={required.has(f)}
                        onChange={(e) => setRequired((r) => (e.target.checked ? new Set([...r, f]) : new Set([...r].filter((x) => x !== f))))}
                      />
                      <FieldName field={f} />
                      {changed ? <span className="text-xs text-amber-800">{required.has(f) ? "newly required" : "no longer required"}</span> : null}
                    </label>
                  );
                })}
            </div>
          ))}
        </div>
      </fieldset>
      <div className="flex flex-wrap items-center gap-3">
        <button type="button" className={button.secondary} disabled={!dirty || save.isPending} onClick={() => save.mutate({ version: draft.version, required: [...required] as never })}>
          {save.isPending ? "Saving…" : dirty ? "Save draft" : "Draft saved"}
        </button>
        {dirty ? <span className="text-sm text-amber-800">Unsaved changes: save the draft to review and publish it.</span> : null}
      </div>
      {save.error ? <Alert tone="error">{errorText(save.error)}</Alert> : null}
      {discard.error ? <Alert tone="error">{errorText(discard.error)}</Alert> : null}
      <AddedFields version={draft.version} added={draft.added} activeAdded={active?.added ?? []} sources={sources} />
      <Review version={draft.version} />
      <form
        className="flex flex-wrap items-end gap-3 border-t border-slate-200 pt-4"
        onSubmit={(e) => {
          e.preventDefault();
          publish.mutate({ version: draft.version, note });
        }}
      >
        <NoteField id="publish-note" value={note} onChange={setNote} placeholder="e.g. duty managers need the environment on every record" />
        <button type="submit" className={button.primary} disabled={dirty || publish.isPending}>
          {publish.isPending ? "Publishing…" : `Publish version ${draft.version}`}
        </button>
      </form>
      {publish.error ? <Alert tone="error">{errorText(publish.error)}</Alert> : null}
    </section>
  );
}

function Review({ version }: { version: number }) {
  const trpc = useTRPC();
  const { data, error } = useQuery(trpc.opsSchema.diff.queryOptions({ version }));
  if (error) return <Alert tone="error">{errorText(error)}</Alert>;
  if (!data) return <p className="text-sm text-slate-600">Comparing with the active version…</p>;
  const none = !data.newlyRequired.length && !data.noLongerRequired.length && !data.addedFields.length && !data.removedFields.length;
  return (
    <div className="rounded-md border border-slate-200 bg-slate-50 p-3" aria-labelledby="review-h" role="region" data-testid="schema-review">
      <h3 id="review-h" className="text-sm font-semibold text-slate-900">
        Review: version {data.version} against active version {data.against ?? "—"}
      </h3>
      {none ? <p className="mt-1 text-sm text-slate-700">No change in required or added fields: publishing would change nothing.</p> : null}
      <ul className="mt-2 space-y-1 text-sm">
        {data.newlyRequired.map((f) => (
          <li key={f.path} className="flex flex-wrap items-baseline gap-2">
            <span className="font-semibold text-emerald-800">
              + <FieldName field={f.path} />
            </span>
            <span className="text-slate-700">
              newly required ·{" "}
              {f.missingIn ? (
                <strong className="text-amber-800">
                  {f.missingIn} of {data.currentRecords} current records lack it and will open Schema invalid
                </strong>
              ) : (
                `every one of the ${data.currentRecords} current records has it`
              )}
            </span>
          </li>
        ))}
        {data.noLongerRequired.map((p) => (
          <li key={p} className="flex flex-wrap items-baseline gap-2">
            <span className="font-semibold text-red-800">
              − <FieldName field={p} />
            </span>
            <span className="text-slate-700">no longer required: Schema invalid exceptions about it clear on re-materialisation</span>
          </li>
        ))}
      </ul>
      <AddedFieldsReview added={data.addedFields} removed={data.removedFields} />
      <p className="mt-2 text-xs text-slate-600">Unchanged required: {data.unchangedRequired.join(", ") || "none"}</p>
    </div>
  );
}

function History({ versions }: { versions: Versions["versions"] }) {
  return (
    <section aria-labelledby="history-h" className="space-y-2">
      <h2 id="history-h" className="text-base font-semibold text-slate-900">
        Versions
      </h2>
      <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white">
        <table className={stack.table}>
          <caption className="sr-only">Every escalation schema version</caption>
          <thead className={`bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500 ${stack.thead}`}>
            <tr>
              <th scope="col" className="px-3 py-2 font-medium">Version</th>
              <th scope="col" className="px-3 py-2 font-medium">Status</th>
              <th scope="col" className="px-3 py-2 font-medium">Required</th>
              <th scope="col" className="px-3 py-2 font-medium">Added fields</th>
              <th scope="col" className="px-3 py-2 font-medium">Published</th>
              <th scope="col" className="px-3 py-2 font-medium">Note</th>
            </tr>
          </thead>
          <tbody className={stack.tbody}>
            {versions.map((v) => (
              <tr key={v.version} className={`border-t border-slate-100 align-top ${stack.row}`}>
                <td className={`${stack.cell} font-semibold tabular-nums`}>
                  <CellLabel>Version</CellLabel>
                  {v.version}
                </td>
                <td className={stack.cell}>
                  <CellLabel>Status</CellLabel>
                  <Badge tone={v.active ? "green" : v.status === "draft" ? "blue" : "slate"}>{v.active ? "active" : v.status}</Badge>
                </td>
                <td className={`${stack.cell} text-xs text-slate-700`}>
                  <CellLabel>Required</CellLabel>
                  {/* Labels for people; the identifiers on hover. */}
                  <span title={v.required.join(", ")}>{v.required.map(fieldName).join(", ")}</span>
                </td>
                <td className={`${stack.cell} text-xs text-slate-700`}>
                  <CellLabel>Added fields</CellLabel>
                  <span title={v.added.map((f) => f.path).join(", ")}>{v.added.map((f) => `${fieldName(f.path)} (${f.type})`).join(", ") || "—"}</span>
                </td>
                <td className={`${stack.cell} text-slate-700`}>
                  <CellLabel>Published</CellLabel>
                  {v.publishedAt ? <><RelativeTime value={v.publishedAt} /> · <bdi dir="auto">{v.publishedBy}</bdi></> : "—"}</td>
                <td className={`${stack.cell} text-slate-700 max-md:empty:hidden`}>
                  {v.note ? <CellLabel>Note</CellLabel> : null}
                  <bdi dir="auto">{v.note ?? ""}</bdi>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
