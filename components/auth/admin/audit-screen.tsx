"use client";

import { useSuspenseQuery } from "@tanstack/react-query";
import { useDeferredValue, useId, useState } from "react";
import Link from "next/link";
import { useTRPC } from "@/components/trpc/client";
import { button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { formatAbsolute } from "@/shared/format";
import { inputClass } from "./parts";

export interface AuditFilters {
  action?: string;
  actor?: string;
  targetType?: string;
  targetId?: string;
}

const PAGE = 50;

export function AuditScreen({ initial }: { initial: AuditFilters }) {
  const trpc = useTRPC();
  const id = useId();
  const { data: facets } = useSuspenseQuery(trpc.adminAudit.facets.queryOptions());
  const [filters, setFilters] = useState<AuditFilters>(initial);
  const [cursors, setCursors] = useState<string[]>([]);
  const deferred = useDeferredValue(filters);
  const set = (k: keyof AuditFilters, v: string) => {
    setCursors([]);
    setFilters((f) => ({ ...f, [k]: v || undefined }));
  };
  return (
    <div className="space-y-3">
      <form className="grid gap-3 rounded-lg border border-slate-200 bg-white p-3 sm:grid-cols-2 lg:grid-cols-4" aria-label="Filter the audit log" onSubmit={(e) => e.preventDefault()}>
        <div>
          <label htmlFor={`${id}-action`} className="block text-xs font-medium text-slate-700">Action</label>
          <select id={`${id}-action`} className={`${inputClass} mt-1`} value={filters.action ?? ""} onChange={(e) => set("action", e.target.value)}>
            <option value="">Any action</option>
            {[...new Set(facets.actions.map((a) => `${a.split(".")[0]}.*`))].map((p) => (
              <option key={p} value={p}>
                {p.replace(".*", "")}: all
              </option>
            ))}
            {facets.actions.map((a) => (
              <option key={a} value={a}>{a}</option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor={`${id}-actor`} className="block text-xs font-medium text-slate-700">Who</label>
          <input id={`${id}-actor`} className={`${inputClass} mt-1`} placeholder="Name or user id" value={filters.actor ?? ""} onChange={(e) => set("actor", e.target.value)} />
        </div>
        <div>
          <label htmlFor={`${id}-type`} className="block text-xs font-medium text-slate-700">Target type</label>
          <select id={`${id}-type`} className={`${inputClass} mt-1`} value={filters.targetType ?? ""} onChange={(e) => set("targetType", e.target.value)}>
            <option value="">Any target</option>
            {facets.targetTypes.map((t) => (
              <option key={t} value={t}>{t}</option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor={`${id}-target`} className="block text-xs font-medium text-slate-700">Target id</label>
          <input id={`${id}-target`} className={`${inputClass} mt-1`} placeholder="e.g. a case or exception id" value={filters.targetId ?? ""} onChange={(e) => set("targetId", e.target.value.trim())} />
        </div>
      </form>
      <AuditTable
        filters={deferred}
        cursor={cursors[cursors.length - 1]}
        page={cursors.length + 1}
        onOlder={(c) => setCursors((cs) => [...cs, c])}
        onNewer={() => setCursors((cs) => cs.slice(0, -1))}
      />
    </div>
  );
}

function AuditTable({ filters, cursor, page, onOlder, onNewer }: { filters: AuditFilters; cursor?: string; page: number; onOlder: (c: string) => void; onNewer: () => void }) {
  const trpc = useTRPC();
  const { data } = useSuspenseQuery(trpc.adminAudit.list.queryOptions({ ...filters, cursor, limit: PAGE }));
  if (!data.entries.length) return <EmptyState title="Nothing in the audit log matches">Change or clear the filters.</EmptyState>;
  return (
    <div className="space-y-2">
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
        <table className="min-w-full text-sm">
          <caption className="sr-only">Audit log, newest first</caption>
          <thead className="bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-600">
            <tr>
              <th scope="col" className="px-3 py-2 font-medium">When (UTC)</th>
              <th scope="col" className="px-3 py-2 font-medium">Who</th>
              <th scope="col" className="px-3 py-2 font-medium">What</th>
              <th scope="col" className="px-3 py-2 font-medium">Target</th>
              <th scope="col" className="px-3 py-2 font-medium">Note, before and after</th>
            </tr>
          </thead>
          <tbody>
            {data.entries.map((e) => (
              <tr key={e.id} className="border-t border-slate-100 align-top" data-testid="audit-row">
                <td className="whitespace-nowrap px-3 py-2 tabular-nums text-slate-700">{formatAbsolute(e.createdAt).replace(" UTC", "")}</td>
                <td className="px-3 py-2 text-slate-900">
                  <bdi dir="auto">{e.actorLabel}</bdi>
                </td>
                <td className="px-3 py-2 font-mono text-xs text-slate-900">{e.action}</td>
                <td className="px-3 py-2 text-xs text-slate-700">
                  <span className="text-slate-500">{e.targetType}</span> <AuditTarget type={e.targetType} id={e.targetId} />
                </td>
                <td className="max-w-xl px-3 py-2 text-slate-700">
                  {e.note ? <p className="text-sm text-slate-900">“<bdi dir="auto">{e.note}</bdi>”</p> : null}
                  {e.before != null || e.after != null ? (
                    <details className="mt-1">
                      <summary className="cursor-pointer text-xs text-blue-800">Before / after</summary>
                      <div className="mt-1 grid gap-2 sm:grid-cols-2">
                        <pre className="overflow-x-auto rounded bg-slate-50 p-2 text-xs">{e.before == null ? "—" : JSON.stringify(e.before, null, 2)}</pre>
                        <pre className="overflow-x-auto rounded bg-slate-50 p-2 text-xs">{e.after == null ? "—" : JSON.stringify(e.after, null, 2)}</pre>
                      </div>
                    </details>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <nav aria-label="Audit log pages" className="flex items-center justify-between text-sm text-slate-700">
        <span>Page {page}</span>
        <span className="flex gap-1">
          <button type="button" className={button.secondary} disabled={page <= 1} onClick={onNewer}>
            ← Newer
          </button>
          <button type="button" className={button.secondary} disabled={!data.nextCursor} onClick={() => data.nextCursor && onOlder(data.nextCursor)}>
            Older →
          </button>
        </span>
      </nav>
    </div>
  );
}

/** Where each kind of audit target is shown; a target with a screen of its own is a link to it. */
const TARGET_HREF: Record<string, (id: string) => string> = {
  case: (id) => `/records/${encodeURIComponent(id)}`,
  exception: (id) => `/exceptions/${encodeURIComponent(id)}`,
  event: (id) => `/events/${encodeURIComponent(id)}`,
  user: () => "/admin/users",
  api_token: () => "/admin/tokens",
  source: () => "/admin/sources",
  schema_version: () => "/admin/schema",
  product: () => "/admin/reference",
  service_tier: () => "/admin/reference",
  job: () => "/admin/replay",
};

function AuditTarget({ type, id }: { type: string | null; id: string | null }) {
  if (!id) return null;
  const href = type ? TARGET_HREF[type]?.(id) : undefined;
  return href ? (
    <Link href={href} className="font-mono text-blue-800 underline underline-offset-2" data-testid="audit-target-link">
      {id}
    </Link>
  ) : (
    <span className="font-mono">{id}</span>
  );
}
