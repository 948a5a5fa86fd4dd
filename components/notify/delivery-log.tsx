"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Fragment, useState } from "react";
import { Alert, errorText } from "@/components/auth/admin/parts";
import { useTRPC } from "@/components/trpc/client";
import { button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { RelativeTime } from "@/components/ui/relative-time";
import type { listDeliveries } from "@/server/notify/delivery-log";
import { DeliveryStatusBadge } from "./endpoint-parts";

/**
 * An endpoint's delivery log, newest first, a keyset page at a time: each delivery's status,
 * attempts (status code or error, duration, response start), next retry, and redelivery.
 */
export function DeliveryLog({ endpointId }: { endpointId: string }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const [page, setPage] = useState<{ after?: string; before?: string }>({});
  const [open, setOpen] = useState<string | null>(null);
  const toggle = (id: string) => setOpen(open === id ? null : id);
  const q = useQuery(trpc.adminOutbound.deliveries.queryOptions({ endpointId, ...page }, { refetchInterval: 5_000 }));
  const redeliver = useMutation(
    trpc.adminOutbound.redeliver.mutationOptions({
      onSettled: () => qc.invalidateQueries({ queryKey: trpc.adminOutbound.deliveries.queryKey() }),
    }),
  );

  if (q.isPending) return <p className="text-sm text-slate-600">Loading deliveries…</p>;
  if (q.error) return <Alert tone="error">{errorText(q.error)}</Alert>;
  const data = q.data;
  return (
    <div className="space-y-2">
      {redeliver.error ? <Alert tone="error">{errorText(redeliver.error)}</Alert> : null}
      {redeliver.data ? (
        <Alert tone={redeliver.data.queued || redeliver.data.ok ? "success" : "error"}>
          {redeliver.data.queued ? "Queued: it is sent next, in order." : redeliver.data.ok ? `Redelivered: HTTP ${redeliver.data.statusCode}.` : `Redelivery failed: ${redeliver.data.error}`}
        </Alert>
      ) : null}
      {data.rows.length === 0 ? (
        <EmptyState title="No deliveries yet">Changes made from now on appear here; send a test event to try the endpoint.</EmptyState>
      ) : (
        <>
          <div className="relative hidden overflow-x-auto rounded-lg border border-slate-200 bg-white md:block">
            <table className="min-w-full text-sm" data-testid="delivery-log">
              <caption className="sr-only">Deliveries to this endpoint, newest first</caption>
              <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-600">
                <tr>
                  <th scope="col" className="px-3 py-2 font-medium">Event</th>
                  <th scope="col" className="px-3 py-2 font-medium">Status</th>
                  <th scope="col" className="px-3 py-2 font-medium">Attempts</th>
                  <th scope="col" className="px-3 py-2 font-medium">Last answer</th>
                  <th scope="col" className="px-3 py-2 font-medium">Created</th>
                  <th scope="col" className="px-3 py-2 font-medium">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.rows.map((d) => (
                  <Fragment key={d.id}>
                    <tr className="border-t border-slate-100 align-top" data-testid="delivery-row">
                      <td className="px-3 py-2">
                        <EventCell d={d} />
                      </td>
                      <td className="px-3 py-2">
                        <StatusCell d={d} />
                      </td>
                      <td className="px-3 py-2 tabular-nums">
                        <AttemptsToggle d={d} open={open === d.id} onToggle={toggle} />
                      </td>
                      <td className="px-3 py-2 text-slate-800">{lastAnswer(d)}</td>
                      <td className="px-3 py-2 text-slate-700">
                        <RelativeTime value={d.createdAt} />
                      </td>
                      <td className="px-3 py-2 text-right">
                        <RedeliverButton d={d} pending={redeliver.isPending} onClick={() => redeliver.mutate({ id: d.id })} />
                      </td>
                    </tr>
                    {open === d.id ? (
                      <tr className="bg-slate-50">
                        <td colSpan={6} className="px-3 py-2">
                          <AttemptList d={d} />
                        </td>
                      </tr>
                    ) : null}
                  </Fragment>
                ))}
              </tbody>
            </table>
          </div>
          {/* Below 768 px every delivery is a card, as in the other lists: nothing scrolls sideways. */}
          <ul className="space-y-2 md:hidden" aria-label="Deliveries to this endpoint, newest first" data-testid="delivery-log-cards">
            {data.rows.map((d) => (
              <li key={d.id} className="min-w-0 rounded-lg border border-slate-200 bg-white p-3 text-sm" data-testid="delivery-row">
                <div className="flex items-start justify-between gap-2">
                  <div className="min-w-0">
                    <EventCell d={d} />
                  </div>
                  <div className="shrink-0 text-right">
                    <StatusCell d={d} />
                  </div>
                </div>
                <p className="mt-1.5 flex flex-wrap items-center gap-x-3 gap-y-1 text-xs text-slate-700">
                  <span>
                    Last answer: <span className="text-slate-900">{lastAnswer(d)}</span>
                  </span>
                  <span>
                    created <RelativeTime value={d.createdAt} />
                  </span>
                </p>
                <div className="mt-2 flex items-center justify-between gap-2">
                  <AttemptsToggle d={d} open={open === d.id} onToggle={toggle} />
                  <RedeliverButton d={d} pending={redeliver.isPending} onClick={() => redeliver.mutate({ id: d.id })} />
                </div>
                {open === d.id ? (
                  <div className="mt-2 rounded-md bg-slate-50 p-2">
                    <AttemptList d={d} />
                  </div>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      )}
      <nav aria-label="Delivery log pages" className="flex gap-2">
        <button type="button" className={button.secondary} disabled={!data.prev} onClick={() => setPage({ before: data.prev! })}>
          Newer
        </button>
        <button type="button" className={button.secondary} disabled={!data.next} onClick={() => setPage({ after: data.next! })}>
          Older
        </button>
      </nav>
    </div>
  );
}

type Delivery = Awaited<ReturnType<typeof listDeliveries>>["rows"][number];

function EventCell({ d }: { d: Delivery }) {
  return (
    <>
      <span className="font-medium text-slate-900">{d.eventType}</span>
      {d.caseId ? <span className="block font-mono text-xs text-slate-700">{d.caseId}</span> : null}
      <span className="block break-all font-mono text-[11px] text-slate-500">{d.id}</span>
    </>
  );
}

function StatusCell({ d }: { d: Delivery }) {
  return (
    <>
      <DeliveryStatusBadge status={d.status} attempts={d.attempts} />
      {d.status === "pending" && d.nextAttemptAt ? (
        <span className="block text-xs text-slate-600">
          next <RelativeTime value={d.nextAttemptAt} />
        </span>
      ) : null}
    </>
  );
}

const lastAnswer = (d: Delivery) => (d.lastStatusCode ? `HTTP ${d.lastStatusCode}` : (d.lastError ?? "—"));

function AttemptsToggle({ d, open, onToggle }: { d: Delivery; open: boolean; onToggle: (id: string) => void }) {
  if (!d.attemptLog.length) return <span className="text-xs text-slate-600">0 attempts</span>;
  return (
    <button type="button" className="text-blue-800 underline-offset-2 hover:underline" aria-expanded={open} onClick={() => onToggle(d.id)}>
      {d.attempts} {d.attempts === 1 ? "attempt" : "attempts"}
    </button>
  );
}

function RedeliverButton({ d, pending, onClick }: { d: Delivery; pending: boolean; onClick: () => void }) {
  return (
    <button type="button" className={button.small} disabled={pending} onClick={onClick}>
      {d.status === "pending" ? "Retry now" : "Redeliver"}
    </button>
  );
}

function AttemptList({ d }: { d: Delivery }) {
  return (
    <ol className="space-y-1 text-xs" aria-label={`Attempts of ${d.id}`}>
      {d.attemptLog.map((a) => (
        <li key={a.id} className="flex flex-wrap gap-x-3">
          <span className="font-medium text-slate-900">Attempt {a.number}</span>
          <RelativeTime value={a.at} />
          <span className={a.statusCode && a.statusCode < 300 ? "text-emerald-800" : "text-red-800"}>{a.statusCode ? `HTTP ${a.statusCode}` : a.error}</span>
          <span className="tabular-nums text-slate-600">{a.durationMs} ms</span>
          {a.manual ? <span className="text-slate-600">manual</span> : null}
          {a.responseSnippet ? <code className="min-w-0 break-all text-slate-600">{a.responseSnippet.slice(0, 200)}</code> : null}
        </li>
      ))}
    </ol>
  );
}
