"use client";

import { evidenceLabel, fieldToPath, pathLabel } from "../../shared/format";
import Link from "next/link";
import type { Lineage } from "@/shared/lineage";
import { ValueView } from "../record/value-view";
import { RelativeTime } from "../ui/relative-time";


export interface EvidenceItem {
  label: string;
  value: unknown;
  lineage: Lineage | null;
}

/** The conflicting evidence side by side, each item with where it came from. */
export function EvidenceGrid({ hits, eventHref }: { hits: { rule: string; message: string; field: string; evidence: unknown[] }[]; eventHref: (l: Lineage) => string }) {
  return (
    <div className="space-y-3">
      {hits.map((h, i) => (
        <div key={i} className="rounded-lg border border-slate-200 bg-white">
          <p className="border-b border-slate-200 px-3 py-2 text-sm text-slate-800">
            <span className="text-xs font-medium text-slate-700">{pathLabel(fieldToPath(h.field))}</span> — {h.message}
          </p>
          <ul className={`grid gap-px bg-slate-200 ${h.evidence.length > 1 ? "sm:grid-cols-2" : ""} ${h.evidence.length > 2 ? "xl:grid-cols-3" : ""}`} data-testid="evidence">
            {(h.evidence as EvidenceItem[]).map((e, j) => (
              <li key={j} className="bg-white px-3 py-2.5">
                <p className="text-xs font-semibold uppercase tracking-wide text-slate-600" title={e.label.startsWith("/") ? e.label : undefined}>
                  {evidenceLabel(e)}
                </p>
                <div className="mt-1 text-base font-semibold text-slate-900">
                  <ValueView value={e.value} />
                </div>
                {e.lineage ? (
                  <dl className="mt-2 grid grid-cols-[6.5rem_1fr] gap-x-2 gap-y-0.5 text-xs text-slate-700">
                    <dt className="text-slate-600">Source</dt>
                    <dd className="font-medium">{e.lineage.source}</dd>
                    <dt className="text-slate-600">Entity</dt>
                    <dd>
                      {e.lineage.entityKind} <span className="font-mono">{e.lineage.entityId}</span> v{e.lineage.entityVersion}
                    </dd>
                    <dt className="text-slate-600">Webhook id</dt>
                    <dd className="break-all font-mono">{e.lineage.webhookId}</dd>
                    <dt className="text-slate-600">Occurred</dt>
                    <dd>
                      <RelativeTime value={e.lineage.occurredAt} />
                    </dd>
                    <dt className="text-slate-600">Received</dt>
                    <dd>
                      <RelativeTime value={e.lineage.receivedAt} />
                    </dd>
                    <dt className="sr-only">Event</dt>
                    <dd className="col-span-2 pt-0.5">
                      <Link href={eventHref(e.lineage)} className="font-medium text-blue-800 underline">
                        Find the event
                      </Link>
                    </dd>
                  </dl>
                ) : (
                  <p className="mt-2 text-xs text-slate-600">No source: the field is missing.</p>
                )}
              </li>
            ))}
          </ul>
        </div>
      ))}
    </div>
  );
}
