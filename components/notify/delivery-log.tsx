"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Fragment, useState } from "react";
import { Alert, errorText } from "@/components/auth/admin/parts";
import { useTRPC } from "@/components/trpc/client";
import { button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { RelativeTime } from "@/components/ui/relative-time";
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
        <div className="relative overflow-x-auto rounded-lg border border-slate-200 bg-white">
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
                      <span className="font-medium text-slate-900">{d.eventType}</span>
                      {d.caseId ? <span className="block font-mono text-xs text-slate-700">{d.caseId}</span> : null}
                      <span className="block font-mono text-[11px] text-slate-500">{d.id}</span>
                    </td>
                    <td className="px-3 py-2">
                      <DeliveryStatusBadge status={d.status} attempts={d.attempts} />
                      {d.status === "pending" && d.nextAttemptAt ? (
                        <span className="block text-xs text-slate-600">
                          next <RelativeTime value={d.nextAttemptAt} />
                        </span>
                      ) : null}
                    </td>
                    <td className="px-3 py-2 tabular-nums">
                      {d.attemptLog.length ? (
                        <button type="button" className="text-blue-800 underline-offset-2 hover:underline" aria-expanded={open === d.id} onClick={() => setOpen(open === d.id ? null : d.id)}>
                          {d.attempts} {d.attempts === 1 ? "attempt" : "attempts"}
                        </button>
                      ) : (
                        "0"
                      )}
                    </td>
                    <td className="px-3 py-2 text-slate-800">{d.lastStatusCode ? `HTTP ${d.lastStatusCode}` : (d.lastError ?? "—")}</td>
                    <td className="px-3 py-2 text-slate-700">
                      <RelativeTime value={d.createdAt} />
                    </td>
                    <td className="px-3 py-2 text-right">
                      <button type="button" className={button.small} disabled={redeliver.isPending} onClick={() => redeliver.mutate({ id: d.id })}>
                        {d.status === "pending" ? "Retry now" : "Redeliver"}
                      </button>
                    </td>
                  </tr>
                  {open === d.id ? (
                    <tr className="bg-slate-50">
                      <td colSpan={6} className="px-3 py-2">
                        <ol className="space-y-1 text-xs" aria-label={`Attempts of ${d.id}`}>
                          {d.attemptLog.map((a) => (
                            <li key={a.id} className="flex flex-wrap gap-x-3">
                              <span className="font-medium text-slate-900">#{a.number}</span>
                              <RelativeTime value={a.at} />
                              <span className={a.statusCode && a.statusCode < 300 ? "text-emerald-800" : "text-red-800"}>{a.statusCode ? `HTTP ${a.statusCode}` : a.error}</span>
                              <span className="tabular-nums text-slate-600">{a.durationMs} ms</span>
                              {a.manual ? <span className="text-slate-600">manual</span> : null}
                              {a.responseSnippet ? <code className="min-w-0 break-all text-slate-600">{a.responseSnippet.slice(0, 200)}</code> : null}
                            </li>
                          ))}
                        </ol>
                      </td>
                    </tr>
                  ) : null}
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
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
