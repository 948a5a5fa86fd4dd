"use client";

import { useMutation, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import { Badge, type Tone } from "@/components/ui/badges";
import { button } from "@/components/ui/button";
import { RelativeTime } from "@/components/ui/relative-time";
import { CellLabel, stack } from "@/components/ui/stack-table";
import { Alert, ConfirmButton, errorText, ShownOnce } from "./parts";

const OVERLAPS = [
  { hours: 0, label: "none: old secrets stop at once" },
  { hours: 1, label: "1 hour" },
  { hours: 24, label: "24 hours" },
  { hours: 72, label: "3 days" },
  { hours: 168, label: "7 days" },
];
const STATE_TONE: Record<string, Tone> = { active: "green", expiring: "amber", expired: "slate", revoked: "red" };

export function SecretsScreen() {
  const trpc = useTRPC();
  const { data } = useSuspenseQuery(trpc.adminSecrets.list.queryOptions());
  const [shown, setShown] = useState<{ source: string; secret: string; oldExpireAt: string | null } | null>(null);
  return (
    <div className="space-y-4">
      <p className="max-w-3xl text-sm text-slate-700">
        Sources sign every webhook with one of their secrets. Rotating adds a new secret and keeps the old ones valid for the overlap you choose, so the source can switch
        without refused deliveries. Secrets are encrypted at rest and shown only once, when created.
      </p>
      {!data.canStore ? <Alert tone="info">No APP_SECRET_KEY is configured, so secrets cannot be stored here; set WEBHOOK_SECRET_&lt;SOURCE&gt; in the environment.</Alert> : null}
      {shown ? (
        <ShownOnce title={`New ${shown.source} secret`} value={shown.secret} onDone={() => setShown(null)}>
          <p className="mt-2 text-sm text-amber-950">
            {shown.oldExpireAt ? (
              <>
                The previous secrets keep working until <RelativeTime value={shown.oldExpireAt} /> ({new Date(shown.oldExpireAt).toISOString().replace("T", " ").slice(0, 16)} UTC).
              </>
            ) : (
              "No other secret of this source is valid any more."
            )}
          </p>
        </ShownOnce>
      ) : null}
      <div className="space-y-4">
        {data.sources.map((s) => (
          <SourceSecrets key={s.id} source={s} canStore={data.canStore} onRotated={setShown} />
        ))}
      </div>
    </div>
  );
}

type SourceRow = {
  id: string;
  name: string;
  enabled: boolean;
  fromEnv: boolean;
  secrets: { id: string; label: string; hint: string; createdAt: Date; expiresAt: Date | null; revokedAt: Date | null; state: string }[];
};

function SourceSecrets({ source, canStore, onRotated }: { source: SourceRow; canStore: boolean; onRotated: (s: { source: string; secret: string; oldExpireAt: string | null }) => void }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [overlap, setOverlap] = useState(24);
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.adminSecrets.list.queryKey() });
  const rotate = useMutation(
    trpc.adminSecrets.rotate.mutationOptions({
      onSuccess: (r) => {
        onRotated(r);
        return refresh();
      },
    }),
  );
  const revoke = useMutation(trpc.adminSecrets.revoke.mutationOptions({ onSuccess: refresh }));
  const live = source.secrets.filter((x) => x.state === "active" || x.state === "expiring");
  const past = source.secrets.filter((x) => x.state !== "active" && x.state !== "expiring");
  return (
    <section aria-labelledby={`src-${source.id}`} className="rounded-lg border border-slate-200 bg-white" data-testid={`source-${source.name}`}>
      <header className="flex flex-wrap items-center justify-between gap-2 border-b border-slate-100 px-4 py-3">
        <h2 id={`src-${source.id}`} className="font-mono text-sm font-semibold text-slate-900">
          {source.name} {source.enabled ? null : <Badge tone="slate">disabled</Badge>}
        </h2>
        {source.fromEnv ? (
          <p className="text-xs text-slate-600">Secrets come from WEBHOOK_SECRET_{source.name.toUpperCase().replace(/-/g, "_")}; rotate them in the environment.</p>
        ) : (
          <form
            className="flex flex-wrap items-center gap-2"
            onSubmit={(e) => {
              e.preventDefault();
              rotate.mutate({ source: source.name, overlapHours: overlap });
            }}
          >
            <label htmlFor={`overlap-${source.id}`} className="text-xs text-slate-700">
              Keep old secrets valid for
            </label>
            <select id={`overlap-${source.id}`} value={overlap} onChange={(e) => setOverlap(Number(e.target.value))} className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm">
              {OVERLAPS.map((o) => (
                <option key={o.hours} value={o.hours}>
                  {o.label}
                </option>
              ))}
            </select>
            <button type="submit" className={button.primary} disabled={!canStore || rotate.isPending}>
              {rotate.isPending ? "Rotating…" : "Rotate secret"}
            </button>
          </form>
        )}
      </header>
      {rotate.error ? <div className="px-4 pt-3"><Alert tone="error">{errorText(rotate.error)}</Alert></div> : null}
      {revoke.error ? <div className="px-4 pt-3"><Alert tone="error">{errorText(revoke.error)}</Alert></div> : null}
      {source.fromEnv ? null : (
        // Cards below 768 px (components/ui/stack-table.tsx): nothing scrolls sideways on a phone.
        <table className={stack.table}>
          <caption className="sr-only">Secrets of {source.name}</caption>
          <thead className={`text-left text-xs uppercase tracking-wide text-slate-500 ${stack.thead}`}>
            <tr>
              <th scope="col" className="px-4 py-2 font-medium">Label</th>
              <th scope="col" className="px-4 py-2 font-medium">Ends with</th>
              <th scope="col" className="px-4 py-2 font-medium">Created</th>
              <th scope="col" className="px-4 py-2 font-medium">Valid until</th>
              <th scope="col" className="px-4 py-2 font-medium">State</th>
              <th scope="col" className="px-4 py-2 font-medium"><span className="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody className={stack.tbody}>
            {[...live, ...past.slice(0, 3)].map((x) => (
              <tr key={x.id} className={`border-t border-slate-100 ${stack.row}`}>
                <td className={`${stack.cell} px-4 font-medium text-slate-900`}>{x.label}</td>
                <td className={`${stack.cell} px-4 text-slate-700`}>
                  <CellLabel>Ends with</CellLabel>
                  <span className="font-mono text-xs">{x.hint}</span>
                </td>
                <td className={`${stack.cell} px-4 text-slate-700`}>
                  <CellLabel>Created</CellLabel>
                  <RelativeTime value={x.createdAt} />
                </td>
                <td className={`${stack.cell} px-4 text-slate-700`}>
                  <CellLabel>Valid until</CellLabel>
                  {x.revokedAt ? "revoked" : x.expiresAt ? <RelativeTime value={x.expiresAt} /> : "until rotated"}
                </td>
                <td className={`${stack.cell} px-4`}>
                  <CellLabel>State</CellLabel>
                  <Badge tone={STATE_TONE[x.state] ?? "slate"}>{x.state}</Badge>
                </td>
                <td className={`${stack.cell} ${stack.end} px-4`}>
                  {x.state === "active" || x.state === "expiring" ? (
                    <ConfirmButton label="Revoke" confirmLabel="Revoke now" disabled={live.length < 2} disabledReason="The last valid secret cannot be revoked; rotate first." onConfirm={() => revoke.mutate({ id: x.id })} />
                  ) : null}
                </td>
              </tr>
            ))}
            {source.secrets.length === 0 ? (
              <tr className={stack.row}>
                <td colSpan={6} className={`px-4 py-3 text-slate-600 ${stack.block}`}>No secret yet: this source cannot deliver webhooks until you rotate one in.</td>
              </tr>
            ) : null}
          </tbody>
        </table>
      )}
    </section>
  );
}
