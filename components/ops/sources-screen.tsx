"use client";

import { useMutation, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { Alert, errorText, Field, inputClass, ShownOnce } from "@/components/auth/admin/parts";
import { Badge } from "@/components/ui/badges";
import { button } from "@/components/ui/button";
import { RelativeTime } from "@/components/ui/relative-time";
import { CellLabel, stack } from "@/components/ui/stack-table";
import { useTRPC } from "@/components/trpc/client";
import type { listSources, OnboardResult } from "@/server/sources/manage-sources";
import { NoteField } from "./note-field";

const KINDS = ["ticketing", "entitlement", "incident", "diagnostics", "environment"] as const;

export function SourcesScreen() {
  const trpc = useTRPC();
  const { data } = useSuspenseQuery(trpc.opsSources.list.queryOptions());
  const [made, setMade] = useState<OnboardResult | null>(null);
  return (
    <div className="space-y-5">
      {made ? <Onboarded made={made} onDone={() => setMade(null)} /> : <OnboardForm canStore={data.canStoreSecrets} onMade={setMade} />}
      <section aria-labelledby="sources-h" className="space-y-2">
        <h2 id="sources-h" className="text-base font-semibold text-slate-900">
          Sources ({data.sources.length})
        </h2>
        <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white">
          <table className={stack.table}>
            <caption className="sr-only">Source systems with traffic, rate limits and review policy</caption>
            <thead className={`bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500 ${stack.thead}`}>
              <tr>
                <th scope="col" className="px-3 py-2 font-medium">Source</th>
                <th scope="col" className="px-3 py-2 font-medium">State</th>
                <th scope="col" className="px-3 py-2 text-right font-medium">Events 24 h</th>
                <th scope="col" className="px-3 py-2 text-right font-medium">Refused 24 h</th>
                <th scope="col" className="px-3 py-2 font-medium">Last event</th>
                <th scope="col" className="px-3 py-2 font-medium">Fields on review</th>
                <th scope="col" className="px-3 py-2 font-medium">Secrets</th>
                <th scope="col" className="px-3 py-2 font-medium">Rate limit</th>
              </tr>
            </thead>
            <tbody className={stack.tbody}>
              {data.sources.map((s) => (
                <SourceRow key={s.id} source={s} />
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </div>
  );
}

function OnboardForm({ canStore, onMade }: { canStore: boolean; onMade: (m: OnboardResult) => void }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [name, setName] = useState("");
  const [kind, setKind] = useState<(typeof KINDS)[number]>("ticketing");
  const [perSec, setPerSec] = useState(1000);
  const [burst, setBurst] = useState(5000);
  const [note, setNote] = useState("");
  const onboard = useMutation(
    trpc.opsSources.onboard.mutationOptions({
      onSuccess: async (m) => {
        onMade(m);
        setName("");
        setNote("");
        await qc.invalidateQueries({ queryKey: trpc.opsSources.list.queryKey() });
        await qc.invalidateQueries({ queryKey: trpc.opsPolicies.list.queryKey() });
      },
    }),
  );
  return (
    <section aria-labelledby="onboard-h" className="rounded-lg border border-slate-200 bg-white p-4">
      <h2 id="onboard-h" className="text-base font-semibold text-slate-900">
        Onboard a source
      </h2>
      <p className="mt-1 max-w-3xl text-sm text-slate-600">
        A new system of an existing kind, such as a second ticketing desk. It can post at once with the secret shown after you add it. Every field it writes starts on
        <strong> review</strong>: its changes open Review required exceptions until you widen its <Link className="text-blue-800 underline" href="/admin/policies">overwrite policy</Link>.
      </p>
      {!canStore ? (
        <div className="mt-3">
          <Alert tone="info">No APP_SECRET_KEY is configured, so the secret cannot be stored here: set WEBHOOK_SECRET_&lt;NAME&gt; for the new source and restart first.</Alert>
        </div>
      ) : null}
      <form
        className="mt-3 grid gap-3 md:grid-cols-[minmax(12rem,1fr)_10rem_8rem_8rem]"
        onSubmit={(e) => {
          e.preventDefault();
          onboard.mutate({ name, kind, rateLimitPerSec: perSec, rateLimitBurst: burst, note });
        }}
      >
        <Field label="Name (the URL segment)" htmlFor="src-name" hint="lower-case letters, digits and hyphens, e.g. ticketing-emea">
          <input id="src-name" required value={name} onChange={(e) => setName(e.target.value.toLowerCase())} pattern="[a-z][a-z0-9]*(-[a-z0-9]+)*" className={`${inputClass} font-mono`} />
        </Field>
        <Field label="Kind" htmlFor="src-kind" hint="decides the events it may send">
          <select id="src-kind" value={kind} onChange={(e) => setKind(e.target.value as (typeof KINDS)[number])} className={inputClass}>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </Field>
        <Field label="Requests / second" htmlFor="src-rate">
          <input id="src-rate" type="number" min={1} max={100000} value={perSec} onChange={(e) => setPerSec(Number(e.target.value))} className={inputClass} />
        </Field>
        <Field label="Burst" htmlFor="src-burst" hint="at least the rate">
          <input id="src-burst" type="number" min={1} max={500000} value={burst} onChange={(e) => setBurst(Number(e.target.value))} className={inputClass} />
        </Field>
        <div className="flex flex-wrap items-end gap-3 md:col-span-4">
          <NoteField id="src-note" value={note} onChange={setNote} placeholder="e.g. the EMEA follow-the-sun desk runs its own ticketing" />
          <button type="submit" className={button.primary} disabled={onboard.isPending || !canStore}>
            {onboard.isPending ? "Adding…" : "Add source"}
          </button>
        </div>
      </form>
      {onboard.error ? (
        <div className="mt-3">
          <Alert tone="error">{errorText(onboard.error)}</Alert>
        </div>
      ) : null}
    </section>
  );
}

function Onboarded({ made, onDone }: { made: OnboardResult; onDone: () => void }) {
  const origin = typeof window === "undefined" ? "" : window.location.origin;
  const details = (
    <dl className="mt-3 grid gap-x-4 gap-y-1 text-sm text-amber-950 sm:grid-cols-[10rem_1fr]">
      <dt className="font-medium">Webhook URL</dt>
      <dd className="font-mono break-all" data-testid="onboarded-url">
        {origin}
        {made.webhookPath}
      </dd>
      <dt className="font-medium">Kind</dt>
      <dd>{made.kind}: the same envelope and data as the built-in {made.kind} source (docs/api.md)</dd>
      <dt className="font-medium">Overwrite policy</dt>
      <dd>
        all {made.reviewFields} fields on review.{" "}
        <Link className="underline" href={`/admin/policies?source=${encodeURIComponent(made.name)}`}>
          Widen fields
        </Link>{" "}
        once its data is trusted.
      </dd>
    </dl>
  );
  if (!made.secret) {
    return (
      <Alert tone="success">
        Source <strong className="font-mono">{made.name}</strong> added; it signs with {made.envVar} from the environment.
        {details}
        <button type="button" className={`${button.secondary} mt-2`} onClick={onDone}>
          Done
        </button>
      </Alert>
    );
  }
  return (
    <ShownOnce title={`Signing secret of ${made.name}`} value={made.secret} onDone={onDone}>
      {details}
    </ShownOnce>
  );
}

type SourceView = Awaited<ReturnType<typeof listSources>>["sources"][number];

function SourceRow({ source: s }: { source: SourceView }) {
  const [editing, setEditing] = useState<"toggle" | "rate" | null>(null);
  return (
    <>
      <tr className={`border-t border-slate-100 align-top ${stack.row}`} data-testid={`source-row-${s.name}`}>
        <th scope="row" className={`${stack.cell} text-left font-normal`}>
          <span className="font-mono font-semibold text-slate-900">{s.name}</span>
          <span className="block text-xs text-slate-600">
            {s.kind}
            {s.builtIn ? " · built in" : <> · added <RelativeTime value={s.createdAt} /></>}
          </span>
        </th>
        <td className={stack.cell}>
          <CellLabel>State</CellLabel>
          <span className="flex flex-col items-start gap-1 max-md:inline-flex max-md:flex-row max-md:items-center max-md:gap-2">
            {s.enabled ? <Badge tone="green">enabled</Badge> : <Badge tone="red">disabled</Badge>}
            <button type="button" className={button.small} onClick={() => setEditing(editing === "toggle" ? null : "toggle")} aria-expanded={editing === "toggle"}>
              {s.enabled ? "Disable…" : "Enable…"}
            </button>
          </span>
        </td>
        <td className={`${stack.inline} ${stack.end} tabular-nums`}>
          <CellLabel>Events 24 h</CellLabel>
          {s.events24h.toLocaleString("en-US")}
          {s.stale24h ? <span className="block text-xs text-slate-500 max-md:ml-1 max-md:inline">{s.stale24h} stale</span> : null}
        </td>
        <td className={`${stack.inline} ${stack.end} tabular-nums`}>
          <CellLabel>Refused 24 h</CellLabel>
          {s.refusals24h ? (
            <Link className="text-red-800 underline" href={`/events?tab=refusals&source=${encodeURIComponent(s.name)}`}>
              {s.refusals24h.toLocaleString("en-US")}
            </Link>
          ) : (
            "0"
          )}
        </td>
        <td className={`${stack.cell} text-slate-700`}>
          <CellLabel>Last event</CellLabel>
          {s.lastEventAt ? <RelativeTime value={s.lastEventAt} /> : <span className="text-slate-500">none in 7 days</span>}
        </td>
        <td className={stack.cell}>
          <CellLabel>Fields on review</CellLabel>
          <Link href={`/admin/policies?source=${encodeURIComponent(s.name)}`} className="hover:underline">
            {s.reviewFields === 0 ? (
              <Badge tone="green">all auto</Badge>
            ) : (
              <Badge tone="amber">
                {s.reviewFields} of {s.totalFields} on review
              </Badge>
            )}
          </Link>
        </td>
        <td className={`${stack.cell} text-slate-700`}>
          <CellLabel>Secrets</CellLabel>
          {s.secretsFrom === "env" ? (
            <span title={`from ${s.envVar}`}>environment</span>
          ) : (
            <Link href="/admin/secrets" className={s.activeSecrets ? "hover:underline" : "font-medium text-red-800 underline"}>
              {s.activeSecrets ? `${s.activeSecrets} active` : "none: cannot post"}
            </Link>
          )}
        </td>
        <td className={`${stack.cell} tabular-nums text-slate-700`}>
          <CellLabel>Rate limit</CellLabel>
          {s.rateLimitPerSec.toLocaleString("en-US")}/s, burst {s.rateLimitBurst.toLocaleString("en-US")}
          <div className="mt-1 max-md:ml-2 max-md:mt-0 max-md:inline-block">
            <button type="button" className={button.small} onClick={() => setEditing(editing === "rate" ? null : "rate")} aria-expanded={editing === "rate"}>
              Change…
            </button>
          </div>
        </td>
      </tr>
      {editing ? (
        <tr className={`bg-slate-50 ${stack.block}`}>
          <td colSpan={8} className={`px-3 py-3 ${stack.block}`}>
            {editing === "toggle" ? <ToggleForm source={s} onDone={() => setEditing(null)} /> : <RateForm source={s} onDone={() => setEditing(null)} />}
          </td>
        </tr>
      ) : null}
    </>
  );
}

function useRefreshSources() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: trpc.opsSources.list.queryKey() });
}

function ToggleForm({ source: s, onDone }: { source: SourceView; onDone: () => void }) {
  const trpc = useTRPC();
  const refresh = useRefreshSources();
  const [note, setNote] = useState("");
  const m = useMutation(trpc.opsSources.setEnabled.mutationOptions({ onSuccess: async () => (await refresh(), onDone()) }));
  return (
    <form
      className="flex flex-wrap items-end gap-3"
      onSubmit={(e) => {
        e.preventDefault();
        m.mutate({ source: s.name, enabled: !s.enabled, note });
      }}
    >
      <p className="w-full text-sm text-slate-700">
        {s.enabled
          ? `Disabling ${s.name} refuses its deliveries (404, listed in the intake log); stored events and records stay.`
          : `Enabling ${s.name} accepts its signed deliveries again at once.`}
      </p>
      <NoteField id={`toggle-note-${s.id}`} value={note} onChange={setNote} placeholder={s.enabled ? "e.g. the desk is migrating to a new system" : "e.g. migration finished"} />
      <button type="submit" className={s.enabled ? button.danger : button.primary} disabled={m.isPending}>
        {s.enabled ? `Disable ${s.name}` : `Enable ${s.name}`}
      </button>
      <button type="button" className={button.secondary} onClick={onDone}>
        Cancel
      </button>
      {m.error ? <Alert tone="error">{errorText(m.error)}</Alert> : null}
    </form>
  );
}

function RateForm({ source: s, onDone }: { source: SourceView; onDone: () => void }) {
  const trpc = useTRPC();
  const refresh = useRefreshSources();
  const [perSec, setPerSec] = useState(s.rateLimitPerSec);
  const [burst, setBurst] = useState(s.rateLimitBurst);
  const [note, setNote] = useState("");
  const m = useMutation(trpc.opsSources.setRateLimit.mutationOptions({ onSuccess: async () => (await refresh(), onDone()) }));
  return (
    <form
      className="flex flex-wrap items-end gap-3"
      onSubmit={(e) => {
        e.preventDefault();
        m.mutate({ source: s.name, perSec, burst, note });
      }}
    >
      <Field label="Requests / second" htmlFor={`rate-${s.id}`}>
        <input id={`rate-${s.id}`} type="number" min={1} max={100000} value={perSec} onChange={(e) => setPerSec(Number(e.target.value))} className={`${inputClass} w-32`} />
      </Field>
      <Field label="Burst" htmlFor={`burst-${s.id}`}>
        <input id={`burst-${s.id}`} type="number" min={1} max={500000} value={burst} onChange={(e) => setBurst(Number(e.target.value))} className={`${inputClass} w-32`} />
      </Field>
      <NoteField id={`rate-note-${s.id}`} value={note} onChange={setNote} placeholder="e.g. the nightly resync sends 3,000 events a second" />
      <button type="submit" className={button.primary} disabled={m.isPending}>
        Save rate limit
      </button>
      <button type="button" className={button.secondary} onClick={onDone}>
        Cancel
      </button>
      {m.error ? <Alert tone="error">{errorText(m.error)}</Alert> : null}
    </form>
  );
}
