"use client";

import { useMutation, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import Link from "next/link";
import { Fragment, useState } from "react";
import { Alert, errorText, Field, inputClass } from "@/components/auth/admin/parts";
import { button } from "@/components/ui/button";
import { CellLabel, stack } from "@/components/ui/stack-table";
import { formatMinutes } from "@/shared/format";
import { useTRPC } from "@/components/trpc/client";
import { JobList, Outcomes } from "./job-progress";
import { ExceptionSlaSection } from "./exception-sla-section";
import { NoteField } from "./note-field";

type Kind = "product" | "tier";
type Panel = { kind: Kind; code: string; action: "edit" | "alias" } | { kind: Kind; code: string; action: "remove"; alias: string } | null;

function useReference() {
  const trpc = useTRPC();
  return useSuspenseQuery(trpc.opsReference.list.queryOptions()).data;
}

/** After an edit: the lists, and the job list that shows the re-materialisation. */
function useAfterEdit() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  return async () => {
    await qc.invalidateQueries({ queryKey: trpc.opsReference.list.queryKey() });
    await qc.invalidateQueries({ queryKey: trpc.opsJobs.list.queryKey() });
  };
}

export function ReferenceScreen() {
  const data = useReference();
  const [panel, setPanel] = useState<Panel>(null);
  const [creating, setCreating] = useState<Kind | null>(null);
  return (
    <div className="space-y-6">
      <p className="max-w-3xl text-sm text-slate-700">
        Normalisation tables. Every change re-materialises the records it can affect (shown below as a job with progress); a value that can no longer be normalised opens
        Schema invalid, a tier that stops matching opens Entitlement inconsistent.
      </p>
      <section aria-labelledby="products-h" className="space-y-2">
        <div className="flex items-center justify-between">
          <h2 id="products-h" className="text-base font-semibold text-slate-900">
            Product taxonomy ({data.products.length})
          </h2>
          <button type="button" className={button.secondary} onClick={() => setCreating(creating === "product" ? null : "product")} aria-expanded={creating === "product"}>
            Add product…
          </button>
        </div>
        {creating === "product" ? <CreateForm kind="product" onDone={() => setCreating(null)} /> : null}
        <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className={stack.table}>
            <caption className="sr-only">Products with the texts that normalise to them</caption>
            <thead className={`bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500 ${stack.thead}`}>
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">Code</th>
                <th scope="col" className="px-3 py-2 font-medium">Name</th>
                <th scope="col" className="px-3 py-2 font-medium">Recognised texts</th>
                <th scope="col" className="px-3 py-2 text-right font-medium">Records</th>
                <th scope="col" className="px-3 py-2 font-medium"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody className={stack.tbody}>
              {data.products.map((p) => (
                <Fragment key={p.code}>
                  <EntryRow kind="product" code={p.code} name={p.name} aliases={p.aliases} records={p.records} onPanel={setPanel} />
                  {panel && panel.kind === "product" && panel.code === p.code ? <PanelRow panel={panel} name={p.name} onClose={() => setPanel(null)} colSpan={5} /> : null}
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section aria-labelledby="tiers-h" className="space-y-2">
        <div className="flex items-center justify-between">
          <h2 id="tiers-h" className="text-base font-semibold text-slate-900">
            Service-tier registry ({data.tiers.length})
          </h2>
          <button type="button" className={button.secondary} onClick={() => setCreating(creating === "tier" ? null : "tier")} aria-expanded={creating === "tier"}>
            Add tier…
          </button>
        </div>
        {creating === "tier" ? <CreateForm kind="tier" onDone={() => setCreating(null)} /> : null}
        <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className={stack.table}>
            <caption className="sr-only">Service tiers with SLA minutes and the texts that normalise to them</caption>
            <thead className={`bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500 ${stack.thead}`}>
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">Code</th>
                <th scope="col" className="px-3 py-2 font-medium">Name</th>
                <th scope="col" className="px-3 py-2 font-medium">Customer response SLA</th>
                <th scope="col" className="px-3 py-2 font-medium">Recognised texts</th>
                <th scope="col" className="px-3 py-2 text-right font-medium">Records</th>
                <th scope="col" className="px-3 py-2 font-medium"><span className="sr-only">Actions</span></th>
              </tr>
            </thead>
            <tbody className={stack.tbody}>
              {data.tiers.map((t) => (
                <Fragment key={t.code}>
                  <EntryRow kind="tier" code={t.code} name={t.name} slaMinutes={t.slaMinutes} aliases={t.aliases} records={t.records} onPanel={setPanel} />
                  {panel && panel.kind === "tier" && panel.code === t.code ? <PanelRow panel={panel} name={t.name} slaMinutes={t.slaMinutes} onClose={() => setPanel(null)} colSpan={6} /> : null}
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <ExceptionSlaSection />
      <section aria-labelledby="ref-jobs-h" className="space-y-2">
        <h2 id="ref-jobs-h" className="text-base font-semibold text-slate-900">
          Re-materialisations after reference changes
        </h2>
        <JobList kinds={["reference_change"]} empty="No reference change yet." limit={8}>
          {(job) => {
            const r = (job.result ?? {}) as { cases?: number; outcomes?: Record<string, number>; caseIds?: string[] };
            return (
              <p className="text-sm text-slate-700">
                {r.cases ?? 0} affected record{r.cases === 1 ? "" : "s"}: <Outcomes outcomes={r.outcomes} />
                {r.caseIds?.length ? (
                  <>
                    {" "}
                    ·{" "}
                    {r.caseIds.slice(0, 8).map((c, i) => (
                      <Fragment key={c}>
                        {i ? ", " : ""}
                        <Link className="font-mono text-blue-800 hover:underline" href={`/records/${encodeURIComponent(c)}`}>
                          {c}
                        </Link>
                      </Fragment>
                    ))}
                    {r.caseIds.length > 8 ? " …" : ""}
                  </>
                ) : null}
              </p>
            );
          }}
        </JobList>
      </section>
    </div>
  );
}

function EntryRow({
  kind,
  code,
  name,
  slaMinutes,
  aliases,
  records,
  onPanel,
}: {
  kind: Kind;
  code: string;
  name: string;
  slaMinutes?: number;
  aliases: { id: string; alias: string }[];
  records: number;
  onPanel: (p: Panel) => void;
}) {
  return (
    <tr className={`border-t border-slate-100 align-top ${stack.row}`} data-testid={`${kind}-row-${code}`}>
      <td className={`${stack.cell} font-mono font-semibold text-slate-900`}>
        <CellLabel>Code</CellLabel>
        {code}
      </td>
      <td className={`${stack.cell} text-slate-900`}>
        <CellLabel>Name</CellLabel>
        {name}
      </td>
      {kind === "tier" ? (
        <td className={`${stack.cell} tabular-nums text-slate-900`}>
          <CellLabel>Customer response SLA</CellLabel>
          {formatMinutes(slaMinutes!)} <span className="text-xs text-slate-500">({slaMinutes} min)</span>
        </td>
      ) : null}
      <td className={stack.cell}>
        <CellLabel>Recognised texts</CellLabel>
        <ul className="flex flex-wrap gap-1">
          {aliases.map((a) => (
            <li key={a.id} className="inline-flex items-center rounded bg-slate-100 text-xs text-slate-800 ring-1 ring-inset ring-slate-200">
              <span className="px-1.5 py-0.5 font-mono">{a.alias}</span>
              {a.alias !== code ? (
                <button
                  type="button"
                  className="rounded-r px-1 py-0.5 text-slate-500 hover:bg-red-100 hover:text-red-800"
                  aria-label={`Remove alias ${a.alias}`}
                  onClick={() => onPanel({ kind, code, action: "remove", alias: a.alias })}
                >
                  ×
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      </td>
      <td className={`${stack.cell} ${stack.end} tabular-nums`}>
        <CellLabel>Records</CellLabel>
        <Link className="hover:underline" href={kind === "product" ? `/records?product=${encodeURIComponent(code)}` : `/records?tier=${encodeURIComponent(code)}`}>
          {records.toLocaleString("en-US")}
        </Link>
      </td>
      <td className={`${stack.cell} ${stack.end} space-x-1 whitespace-nowrap`}>
        <button type="button" className={button.small} onClick={() => onPanel({ kind, code, action: "alias" })}>
          Add alias…
        </button>
        <button type="button" className={button.small} onClick={() => onPanel({ kind, code, action: "edit" })}>
          {kind === "tier" ? "Edit name / SLA…" : "Rename…"}
        </button>
      </td>
    </tr>
  );
}

function PanelRow({ panel, name, slaMinutes, onClose, colSpan }: { panel: NonNullable<Panel>; name: string; slaMinutes?: number; onClose: () => void; colSpan: number }) {
  return (
    <tr className={`bg-slate-50 ${stack.block}`}>
      <td colSpan={colSpan} className={`px-3 py-3 ${stack.block}`}>
        {panel.action === "remove" ? (
          <RemoveAliasForm kind={panel.kind} code={panel.code} alias={panel.alias} onDone={onClose} />
        ) : panel.action === "alias" ? (
          <AddAliasForm kind={panel.kind} code={panel.code} onDone={onClose} />
        ) : (
          <EditForm kind={panel.kind} code={panel.code} name={name} slaMinutes={slaMinutes} onDone={onClose} />
        )}
      </td>
    </tr>
  );
}

function Actions({ pending, label, onCancel, error }: { pending: boolean; label: string; onCancel: () => void; error: unknown }) {
  return (
    <>
      <button type="submit" className={button.primary} disabled={pending}>
        {pending ? "Saving…" : label}
      </button>
      <button type="button" className={button.secondary} onClick={onCancel}>
        Cancel
      </button>
      {error ? (
        <div className="w-full">
          <Alert tone="error">{errorText(error)}</Alert>
        </div>
      ) : null}
    </>
  );
}

function EditForm({ kind, code, name, slaMinutes, onDone }: { kind: Kind; code: string; name: string; slaMinutes?: number; onDone: () => void }) {
  const trpc = useTRPC();
  const after = useAfterEdit();
  const [newName, setNewName] = useState(name);
  const [sla, setSla] = useState(slaMinutes ?? 60);
  const [note, setNote] = useState("");
  const opts = { onSuccess: async () => (await after(), onDone()) };
  const product = useMutation(trpc.opsReference.updateProduct.mutationOptions(opts));
  const tier = useMutation(trpc.opsReference.updateTier.mutationOptions(opts));
  const m = kind === "product" ? product : tier;
  return (
    <form
      className="flex flex-wrap items-end gap-3"
      onSubmit={(e) => {
        e.preventDefault();
        if (kind === "product") product.mutate({ code, name: newName, note });
        else tier.mutate({ code, name: newName, slaMinutes: sla, note });
      }}
    >
      <Field label="Name" htmlFor={`name-${kind}-${code}`}>
        <input id={`name-${kind}-${code}`} required value={newName} onChange={(e) => setNewName(e.target.value)} className={`${inputClass} w-56`} />
      </Field>
      {kind === "tier" ? (
        <Field label="SLA response (minutes)" htmlFor={`sla-${code}`}>
          <input id={`sla-${code}`} type="number" min={1} max={43200} required value={sla} onChange={(e) => setSla(Number(e.target.value))} className={`${inputClass} w-32`} />
        </Field>
      ) : null}
      <NoteField id={`edit-note-${kind}-${code}`} value={note} onChange={setNote} placeholder="e.g. contract renegotiated for 2027" />
      <Actions pending={m.isPending} label="Save and re-materialise" onCancel={onDone} error={m.error} />
    </form>
  );
}

function AddAliasForm({ kind, code, onDone }: { kind: Kind; code: string; onDone: () => void }) {
  const trpc = useTRPC();
  const after = useAfterEdit();
  const [alias, setAlias] = useState("");
  const [note, setNote] = useState("");
  const [result, setResult] = useState<string | null>(null);
  const m = useMutation(
    trpc.opsReference.addAlias.mutationOptions({
      onSuccess: async (r) => {
        setResult(`"${r.alias}" now normalises to ${r.code}; ${r.affectedCases.length} record${r.affectedCases.length === 1 ? "" : "s"} re-materialise in the job below.`);
        setAlias("");
        setNote("");
        await after();
      },
    }),
  );
  return (
    <form
      className="flex flex-wrap items-end gap-3"
      onSubmit={(e) => {
        e.preventDefault();
        m.mutate({ kind, alias, code, note });
      }}
    >
      <Field label={`Text that means ${code}`} htmlFor={`alias-${kind}-${code}`} hint="matched case- and space-insensitively">
        <input id={`alias-${kind}-${code}`} required value={alias} onChange={(e) => setAlias(e.target.value)} className={`${inputClass} w-64`} />
      </Field>
      <NoteField id={`alias-note-${kind}-${code}`} value={note} onChange={setNote} placeholder="e.g. customers call Data Export schedules Scheduled reports" />
      <Actions pending={m.isPending} label="Add alias" onCancel={onDone} error={m.error} />
      {result ? (
        <div className="w-full">
          <Alert tone="success">{result}</Alert>
        </div>
      ) : null}
    </form>
  );
}

function RemoveAliasForm({ kind, code, alias, onDone }: { kind: Kind; code: string; alias: string; onDone: () => void }) {
  const trpc = useTRPC();
  const after = useAfterEdit();
  const [note, setNote] = useState("");
  const m = useMutation(trpc.opsReference.removeAlias.mutationOptions({ onSuccess: async () => (await after(), onDone()) }));
  return (
    <form
      className="flex flex-wrap items-end gap-3"
      onSubmit={(e) => {
        e.preventDefault();
        m.mutate({ kind, alias, note });
      }}
    >
      <p className="w-full text-sm text-slate-700">
        Remove <span className="font-mono font-medium">{alias}</span> from {code}. Records whose sources use this text re-materialise; unless another entry matches it, they open{" "}
        {kind === "product" ? "Schema invalid" : "Entitlement inconsistent"}.
      </p>
      <NoteField id={`remove-note-${kind}-${alias}`} value={note} onChange={setNote} placeholder="e.g. ambiguous since the product split" />
      <Actions pending={m.isPending} label="Remove alias" onCancel={onDone} error={m.error} />
    </form>
  );
}

function CreateForm({ kind, onDone }: { kind: Kind; onDone: () => void }) {
  const trpc = useTRPC();
  const after = useAfterEdit();
  const [code, setCode] = useState("");
  const [name, setName] = useState("");
  const [sla, setSla] = useState(240);
  const [aliases, setAliases] = useState("");
  const [note, setNote] = useState("");
  const opts = { onSuccess: async () => (await after(), onDone()) };
  const product = useMutation(trpc.opsReference.createProduct.mutationOptions(opts));
  const tier = useMutation(trpc.opsReference.createTier.mutationOptions(opts));
  const m = kind === "product" ? product : tier;
  const list = aliases.split(",").map((a) => a.trim()).filter(Boolean);
  return (
    <form
      className="flex flex-wrap items-end gap-3 rounded-lg border border-slate-200 bg-white p-4"
      onSubmit={(e) => {
        e.preventDefault();
        if (kind === "product") product.mutate({ code, name, aliases: list, note });
        else tier.mutate({ code, name, slaMinutes: sla, aliases: list, note });
      }}
    >
      <Field label="Code" htmlFor={`new-${kind}-code`} hint="lower-case, e.g. fraud-shield">
        <input id={`new-${kind}-code`} required value={code} onChange={(e) => setCode(e.target.value.toLowerCase())} className={`${inputClass} w-44 font-mono`} />
      </Field>
      <Field label="Name" htmlFor={`new-${kind}-name`}>
        <input id={`new-${kind}-name`} required value={name} onChange={(e) => setName(e.target.value)} className={`${inputClass} w-52`} />
      </Field>
      {kind === "tier" ? (
        <Field label="SLA (minutes)" htmlFor="new-tier-sla">
          <input id="new-tier-sla" type="number" min={1} max={43200} value={sla} onChange={(e) => setSla(Number(e.target.value))} className={`${inputClass} w-28`} />
        </Field>
      ) : null}
      <Field label="Other texts (comma-separated)" htmlFor={`new-${kind}-aliases`} hint="the code and name are recognised anyway">
        <input id={`new-${kind}-aliases`} value={aliases} onChange={(e) => setAliases(e.target.value)} className={`${inputClass} w-64`} />
      </Field>
      <NoteField id={`new-${kind}-note`} value={note} onChange={setNote} />
      <Actions pending={m.isPending} label={`Add ${kind}`} onCancel={onDone} error={m.error} />
    </form>
  );
}
