"use client";

import { useMutation, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Alert, ConfirmButton, errorText, ShownOnce } from "@/components/auth/admin/parts";
import { useTRPC } from "@/components/trpc/client";
import { button } from "@/components/ui/button";
import { RelativeTime } from "@/components/ui/relative-time";
import { DeliveryLog } from "./delivery-log";
import { EndpointForm } from "./endpoint-form";
import { EndpointStateBadge, FilterSummary, NextAttempt } from "./endpoint-parts";

/** One endpoint: health, settings, secret rotation, test event, enable/disable/delete, delivery log. */
export function EndpointScreen({ id }: { id: string }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const router = useRouter();
  const { data: e } = useSuspenseQuery(trpc.adminOutbound.get.queryOptions({ id }, { refetchInterval: 5_000 }));
  const [editing, setEditing] = useState(false);
  const [secret, setSecret] = useState<{ secret: string; previousValidUntil: string } | null>(null);
  const refresh = () =>
    Promise.all([
      qc.invalidateQueries({ queryKey: trpc.adminOutbound.get.queryKey({ id }) }),
      qc.invalidateQueries({ queryKey: trpc.adminOutbound.deliveries.queryKey() }),
      qc.invalidateQueries({ queryKey: trpc.adminOutbound.notices.queryKey() }),
    ]);
  const update = useMutation(trpc.adminOutbound.update.mutationOptions({ onSuccess: () => (setEditing(false), refresh()) }));
  const setEnabled = useMutation(trpc.adminOutbound.setEnabled.mutationOptions({ onSuccess: refresh }));
  const rotate = useMutation(trpc.adminOutbound.rotateSecret.mutationOptions({ onSuccess: (r) => (setSecret(r), refresh()) }));
  const test = useMutation(trpc.adminOutbound.sendTest.mutationOptions({ onSettled: refresh }));
  const remove = useMutation(trpc.adminOutbound.delete.mutationOptions({ onSuccess: () => router.push("/admin/outbound") }));
  const error = update.error ?? setEnabled.error ?? rotate.error ?? test.error ?? remove.error;

  return (
    <div className="space-y-4">
      <section aria-labelledby="ep-health" className="rounded-lg border border-slate-200 bg-white p-4">
        <div className="flex flex-wrap items-start justify-between gap-2">
          <h2 id="ep-health" className="break-all font-mono text-sm font-semibold text-slate-900">
            {e.url}
          </h2>
          <EndpointStateBadge state={e.state} failures={e.consecutiveFailures} />
        </div>
        {e.description ? <p className="mt-1 text-sm text-slate-700">{e.description}</p> : null}
        {e.disabledReason ? (
          <p className="mt-2 text-sm text-red-800" role={e.state === "auto_disabled" ? "alert" : undefined}>
            {e.disabledReason}
          </p>
        ) : null}
        <dl className="mt-3 grid grid-cols-2 gap-x-4 gap-y-2 text-sm sm:grid-cols-3 lg:grid-cols-6">
          <Item label="Last success">{e.lastSuccessAt ? <RelativeTime value={e.lastSuccessAt} /> : "never"}</Item>
          <Item label="Last failure">{e.lastFailureAt ? <RelativeTime value={e.lastFailureAt} /> : "never"}</Item>
          <Item label="Failures in a row">{e.consecutiveFailures}</Item>
          <Item label="Next attempt"><NextAttempt state={e.state} at={e.nextAttemptAt} /></Item>
          <Item label="Waiting">{(e.pending + e.notYetQueued).toLocaleString("en-US")} changes</Item>
          <Item label="Secret">
            <span className="font-mono">{e.secretHint}</span>
          </Item>
        </dl>
        {e.lastError && e.state !== "healthy" ? <p className="mt-2 text-xs text-slate-700">Last error: {e.lastError}</p> : null}
        <p className="mt-2 text-sm">
          Sends: <FilterSummary causes={e.causes} caseIdPrefix={e.caseIdPrefix} />
        </p>
        <div className="mt-3 flex flex-wrap gap-2">
          <button type="button" className={button.primary} disabled={test.isPending} onClick={() => test.mutate({ id })}>
            {test.isPending ? "Sending…" : "Send test event"}
          </button>
          {e.state === "disabled" || e.state === "auto_disabled" ? (
            <button type="button" className={button.secondary} disabled={setEnabled.isPending} onClick={() => setEnabled.mutate({ id, enabled: true })}>
              Enable and resume
            </button>
          ) : (
            <ConfirmButton label="Disable" confirmLabel="Disable: changes wait" tone="secondary" onConfirm={() => setEnabled.mutate({ id, enabled: false })} />
          )}
          <button type="button" className={button.small} onClick={() => setEditing(!editing)} aria-expanded={editing}>
            Edit
          </button>
          <ConfirmButton label="Rotate secret" confirmLabel="Make a new secret" tone="secondary" onConfirm={() => rotate.mutate({ id })} />
          <ConfirmButton label="Delete" confirmLabel="Delete endpoint and its log" onConfirm={() => remove.mutate({ id })} />
        </div>
        {test.data ? (
          <div className="mt-3">
            <Alert tone={test.data.ok ? "success" : "error"}>
              {test.data.ok ? `Test event delivered: HTTP ${test.data.statusCode} in ${test.data.durationMs} ms.` : `Test event failed: ${test.data.error}`}
            </Alert>
          </div>
        ) : null}
        {error ? (
          <div className="mt-3">
            <Alert tone="error">{errorText(error)}</Alert>
          </div>
        ) : null}
      </section>
      {secret ? (
        <ShownOnce title="New signing secret" value={secret.secret} onDone={() => setSecret(null)}>
          <p className="mt-2 text-sm text-amber-950">
            The previous secret keeps signing beside it until <RelativeTime value={secret.previousValidUntil} />: update the receiver before then.
          </p>
        </ShownOnce>
      ) : null}
      {editing ? (
        <section aria-labelledby="ep-edit" className="rounded-lg border border-slate-200 bg-white p-4">
          <h2 id="ep-edit" className="mb-3 text-base font-semibold text-slate-900">
            Edit endpoint
          </h2>
          <EndpointForm
            initial={{ url: e.url, description: e.description, causes: e.causes ?? [], caseIdPrefix: e.caseIdPrefix ?? "" }}
            submitLabel="Save"
            pending={update.isPending}
            onSubmit={(v) => update.mutate({ id, url: v.url, description: v.description, causes: v.causes as never, caseIdPrefix: v.caseIdPrefix || null })}
            onCancel={() => setEditing(false)}
          />
        </section>
      ) : null}
      <section aria-labelledby="ep-log" className="space-y-2">
        <h2 id="ep-log" className="text-base font-semibold text-slate-900">
          Delivery log
        </h2>
        <DeliveryLog endpointId={id} />
      </section>
    </div>
  );
}

function Item({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className="text-slate-900">{children}</dd>
    </div>
  );
}
