"use client";

import { useMutation, useQueryClient, useSuspenseQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { Alert, errorText, ShownOnce } from "@/components/auth/admin/parts";
import { useTRPC } from "@/components/trpc/client";
import { button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { RelativeTime } from "@/components/ui/relative-time";
import { EndpointForm } from "./endpoint-form";
import { EndpointStateBadge, FilterSummary, NextAttempt } from "./endpoint-parts";

const EMPTY = { url: "", description: "", causes: [] as string[], caseIdPrefix: "" };

/** Admin › Outbound notifications: the endpoints, their health, and registering a new one. */
export function OutboundScreen() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const { data } = useSuspenseQuery(trpc.adminOutbound.list.queryOptions(undefined, { refetchInterval: 10_000 }));
  const [adding, setAdding] = useState(data.endpoints.length === 0);
  const [shown, setShown] = useState<{ id: string; url: string; secret: string } | null>(null);
  const create = useMutation(
    trpc.adminOutbound.create.mutationOptions({
      onSuccess: (made) => {
        setShown(made);
        setAdding(false);
        return qc.invalidateQueries({ queryKey: trpc.adminOutbound.list.queryKey() });
      },
    }),
  );

  return (
    <div className="space-y-4">
      <p className="max-w-3xl text-sm text-slate-700">
        Each endpoint receives every change of a case&rsquo;s current version as a signed POST (Standard Webhooks), in feed order, retried with
        backoff for hours while it fails. An endpoint failing for a day is disabled and admins are told. See the change-feed documentation for the payload and how to verify signatures.
      </p>
      {!data.canStore ? <Alert tone="error">Set APP_SECRET_KEY on the server to register endpoints: their signing secrets are stored encrypted with it.</Alert> : null}
      {shown ? (
        <ShownOnce title={`Signing secret for ${shown.url}`} value={shown.secret} onDone={() => setShown(null)}>
          <p className="mt-2 text-sm text-amber-950">
            Give it to the receiver to verify <code className="font-mono">webhook-signature</code>.{" "}
            <Link className="font-medium underline" href={`/admin/outbound/${shown.id}`}>
              Open the endpoint to send a test event
            </Link>
            .
          </p>
        </ShownOnce>
      ) : null}
      {adding ? (
        <section aria-labelledby="add-endpoint" className="rounded-lg border border-slate-200 bg-white p-4">
          <h2 id="add-endpoint" className="mb-3 text-base font-semibold text-slate-900">
            Add an endpoint
          </h2>
          <EndpointForm
            initial={EMPTY}
            submitLabel="Add endpoint"
            pending={create.isPending}
            onSubmit={(v) => create.mutate({ url: v.url, description: v.description, causes: v.causes as never, caseIdPrefix: v.caseIdPrefix })}
            onCancel={data.endpoints.length ? () => setAdding(false) : undefined}
          />
          {create.error ? (
            <div className="mt-3">
              <Alert tone="error">{errorText(create.error)}</Alert>
            </div>
          ) : null}
        </section>
      ) : (
        <button type="button" className={button.primary} onClick={() => setAdding(true)} disabled={!data.canStore}>
          Add endpoint
        </button>
      )}

      {data.endpoints.length === 0 ? (
        <EmptyState title="No endpoints yet">Add the URL of a downstream tool to notify it of every record change.</EmptyState>
      ) : (
        <ul className="space-y-2" aria-label="Outbound endpoints">
          {data.endpoints.map((e) => (
            <li key={e.id} className="rounded-lg border border-slate-200 bg-white p-3" data-testid="outbound-endpoint">
              <div className="flex flex-wrap items-start justify-between gap-2">
                <div className="min-w-0">
                  <Link href={`/admin/outbound/${e.id}`} className="break-all font-mono text-sm font-medium text-blue-800 hover:underline">
                    {e.url}
                  </Link>
                  <p className="text-sm text-slate-700">{e.description || <span className="text-slate-500">No description</span>}</p>
                </div>
                <EndpointStateBadge state={e.state} failures={e.consecutiveFailures} />
              </div>
              <dl className="mt-2 grid grid-cols-2 gap-x-4 gap-y-1 text-xs sm:grid-cols-4">
                <div>
                  <dt className="text-slate-500">Last success</dt>
                  <dd className="text-slate-800">{e.lastSuccessAt ? <RelativeTime value={e.lastSuccessAt} /> : "never"}</dd>
                </div>
                <div>
                  <dt className="text-slate-500">Waiting</dt>
                  <dd className="tabular-nums text-slate-800">{(e.pending + e.notYetQueued).toLocaleString("en-US")} changes</dd>
                </div>
                <div>
                  <dt className="text-slate-500">Next attempt</dt>
                  <dd className="text-slate-800"><NextAttempt state={e.state} at={e.nextAttemptAt} /></dd>
                </div>
                <div>
                  <dt className="text-slate-500">Sends</dt>
                  <dd>
                    <FilterSummary causes={e.causes} caseIdPrefix={e.caseIdPrefix} />
                  </dd>
                </div>
              </dl>
              {e.disabledReason ? <p className="mt-2 text-xs text-red-800">{e.disabledReason}</p> : null}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
