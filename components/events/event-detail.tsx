"use client";

import { useSuspenseQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/components/trpc/client";
import { formatAbsolute } from "../../shared/format";
import { ValueView } from "../record/value-view";
import { EventStatusBadge } from "../ui/badges";
import { RelativeTime } from "../ui/relative-time";
import { EVENTS_REFRESH_MS } from "./events-view";

export function EventDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const { data: e } = useSuspenseQuery(trpc.events.get.queryOptions({ id }, { refetchInterval: (q) => (q.state.data?.status === "received" ? EVENTS_REFRESH_MS : false) }));
  const rows: [string, React.ReactNode][] = [
    ["Webhook id", <span key="w" className="break-all font-mono text-xs" data-testid="event-webhook-id">{e.webhookId}</span>],
    ["Event id", <span key="i" className="break-all font-mono text-xs">{e.id}</span>],
    ["Sequence", <span key="s" className="font-mono text-xs">{e.seq}</span>],
    ["Type", e.type],
    ["Entity", <span key="e">{e.entityKind} <span className="font-mono">{e.entityId}</span></span>],
    ["Entity version", <span key="v" className="font-mono" data-testid="event-entity-version">{e.entityVersion}</span>],
    ["Case", e.caseId === "*" ? "every case of the account" : <Link key="c" href={`/records/${encodeURIComponent(e.caseId)}`} className="font-mono text-blue-800 underline">{e.caseId}</Link>],
    ["Occurred", <span key="o">{formatAbsolute(e.occurredAt)} · <RelativeTime value={e.occurredAt} /></span>],
    ["Received", <span key="r">{formatAbsolute(e.receivedAt)} · <RelativeTime value={e.receivedAt} /></span>],
    ["Processed", e.processedAt ? <span key="p">{formatAbsolute(e.processedAt)} · <RelativeTime value={e.processedAt} /></span> : "not yet"],
    ["Attempts", String(e.attempts)],
  ];
  return (
    <div className="space-y-4">
      <header>
        <p className="text-xs text-slate-600">
          <Link href="/events" className="text-blue-800 underline">
            Events
          </Link>{" "}
          / <span className="font-mono">{e.id}</span>
        </p>
        <h1 className="mt-0.5 flex flex-wrap items-center gap-2 text-xl font-semibold tracking-tight text-slate-900">
          <span>{e.source}</span>
          <span className="font-mono font-normal text-slate-700">
            {e.entityId} v{e.entityVersion}
          </span>
          <EventStatusBadge status={e.status} />
        </h1>
      </header>
      <div className="grid gap-4 lg:grid-cols-[minmax(0,26rem)_minmax(0,1fr)]">
        <div className="space-y-4">
          <section aria-labelledby="ev-facts" className="rounded-lg border border-slate-200 bg-white p-3">
            <h2 id="ev-facts" className="mb-2 text-sm font-semibold text-slate-900">
              Delivery
            </h2>
            <dl className="grid grid-cols-[7.5rem_1fr] gap-x-3 gap-y-1.5 text-sm">
              {rows.map(([k, v]) => (
                <div key={k} className="contents">
                  <dt className="text-slate-600">{k}</dt>
                  <dd className="min-w-0">{v}</dd>
                </div>
              ))}
            </dl>
            {e.lastError ? <p className="mt-2 rounded bg-red-50 px-2 py-1.5 text-sm text-red-900">{e.lastError}</p> : null}
            {e.quarantine ? (
              <p className="mt-2 rounded border border-red-200 bg-red-50 px-2 py-1.5 text-sm text-red-950">
                Quarantined <RelativeTime value={e.quarantine.createdAt} /> by a rejection:{" "}
                <Link href={`/exceptions/${encodeURIComponent(e.quarantine.exceptionId)}`} className="font-medium text-blue-800 underline">
                  exception
                </Link>
                . “<bdi dir="auto">{e.quarantine.note}</bdi>”
              </p>
            ) : null}
          </section>
          <section aria-labelledby="ev-cases" className="rounded-lg border border-slate-200 bg-white p-3">
            <h2 id="ev-cases" className="mb-2 text-sm font-semibold text-slate-900">
              What it did
            </h2>
            {e.cases.length ? (
              <ul className="space-y-1 text-sm" data-testid="event-cases">
                {e.cases.map((c) => (
                  <li key={c.caseId} className="flex flex-wrap items-center gap-2">
                    <Link href={`/records/${encodeURIComponent(c.caseId)}${c.recordVersion ? `?v=${c.recordVersion}` : ""}`} className="font-mono text-blue-800 underline">
                      {c.caseId}
                      {c.recordVersion ? ` v${c.recordVersion}` : ""}
                    </Link>
                    <EventStatusBadge status={c.outcome} />
                  </li>
                ))}
              </ul>
            ) : (
              <p className="text-sm text-slate-600">{e.status === "stale" ? "Stale: a newer version of this entity was already accepted, so it was kept but not applied." : e.status === "received" ? "Waiting for the refresh worker." : "It touched no case."}</p>
            )}
          </section>
        </div>
        <section aria-labelledby="ev-data" className="min-w-0 rounded-lg border border-slate-200 bg-white">
          <h2 id="ev-data" className="border-b border-slate-200 px-3 py-2 text-sm font-semibold text-slate-900">
            Entity state (verified body)
          </h2>
          {/* Readable first (labels, items, sizes and times formatted); the exact JSON one click away. */}
          <div className="px-3 py-2 text-sm" data-testid="event-data">
            <ValueView value={e.data} />
          </div>
          <details className="border-t border-slate-200">
            <summary className="cursor-pointer px-3 py-2 text-xs font-medium text-slate-700 hover:bg-slate-50">Raw JSON, as verified</summary>
            <pre className="max-h-[70vh] overflow-auto px-3 py-2 font-mono text-xs leading-relaxed text-slate-800" tabIndex={0}>
              {JSON.stringify(e.data, null, 2)}
            </pre>
          </details>
        </section>
      </div>
    </div>
  );
}
