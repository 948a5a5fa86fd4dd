"use client";

import { useSuspenseQuery } from "@tanstack/react-query";
import { useDeferredValue, useId, useState } from "react";
import Link from "next/link";
import { useTRPC } from "@/components/trpc/client";
import { button } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/empty-state";
import { CellLabel, stack } from "@/components/ui/stack-table";
import { ValueDiff } from "@/components/record/value-diff";
import { auditActionLabel, auditTargetLabel } from "@/shared/audit-labels";
import { formatAbsolute, isPlainObject } from "@/shared/format";
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
                {auditTargetLabel(p.replace(".*", ""))}: every action
              </option>
            ))}
            {facets.actions.map((a) => (
              <option key={a} value={a}>{auditActionLabel(a)}</option>
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
              <option key={t} value={t}>{auditTargetLabel(t)}</option>
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
      {/* Cards below 768 px (components/ui/stack-table.tsx): nothing scrolls sideways on a phone. */}
      <div className="rounded-lg border border-slate-200 bg-white">
        <table className={stack.table}>
          <caption className="sr-only">Audit log, newest first</caption>
          <thead className={`bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-600 ${stack.thead}`}>
            <tr>
              <th scope="col" className="px-3 py-2 font-medium">When (UTC)</th>
              <th scope="col" className="px-3 py-2 font-medium">Who</th>
              <th scope="col" className="px-3 py-2 font-medium">What</th>
              <th scope="col" className="px-3 py-2 font-medium">Target</th>
              <th scope="col" className="px-3 py-2 font-medium">Note, before and after</th>
            </tr>
          </thead>
          <tbody className={stack.tbody}>
            {data.entries.map((e) => (
              <tr key={e.id} className={`border-t border-slate-100 align-top ${stack.row}`} data-testid="audit-row">
                <td className={`${stack.cell} ${stack.nowrap} tabular-nums text-slate-700`}>
                  <CellLabel>When</CellLabel>
                  {formatAbsolute(e.createdAt).replace(" UTC", "")}
                </td>
                <td className={`${stack.cell} text-slate-900`}>
                  <CellLabel>Who</CellLabel>
                  <bdi dir="auto">{e.actorLabel}</bdi>
                </td>
                <td className={`${stack.cell} text-slate-900`}>
                  <CellLabel>What</CellLabel>
                  {/* The code stays visible, small, for admins who filter or script by it. */}
                  <span title={e.action}>{auditActionLabel(e.action)}</span>
                  <span className="ml-1 block font-mono text-xs text-slate-500 max-md:inline" data-testid="audit-action-code">{e.action}</span>
                </td>
                <td className={`${stack.cell} text-xs text-slate-700`}>
                  <CellLabel>Target</CellLabel>
                  {e.targetType ? <span className="text-slate-600">{auditTargetLabel(e.targetType)}</span> : null} <AuditTarget type={e.targetType} id={e.targetId} after={e.after} />
                </td>
                <td className={`${stack.cell} max-w-xl text-slate-700`}>
                  {e.note ? <p className="text-sm text-slate-900">“<bdi dir="auto">{e.note}</bdi>”</p> : null}
                  {e.before != null || e.after != null ? (
                    <details className="mt-1">
                      <summary className="cursor-pointer text-xs text-blue-800">Before / after</summary>
                      <div className="mt-1 grid gap-2 text-xs sm:grid-cols-2" data-testid="audit-before-after">
                        <div className="min-w-0 rounded bg-slate-50 p-2">
                          <p className="mb-1 font-medium uppercase tracking-wide text-slate-600">Before</p>
                          <ValueDiff value={e.before ?? null} other={e.after ?? null} side="before" />
                        </div>
                        <div className="min-w-0 rounded bg-slate-50 p-2">
                          <p className="mb-1 font-medium uppercase tracking-wide text-slate-600">After</p>
                          <ValueDiff value={e.after ?? null} other={e.before ?? null} side="after" />
                        </div>
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
const TARGET_HREF: Record<string, (id: string, after: unknown) => string | undefined> = {
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
  outbound_endpoint: (id) => `/admin/outbound/${encodeURIComponent(id)}`,
  // A delivery is shown in its endpoint's delivery log.
  outbound_delivery: (_id, after) => (isPlainObject(after) && typeof after.endpointId === "string" ? `/admin/outbound/${encodeURIComponent(after.endpointId)}` : "/admin/outbound"),
  exception_sla: () => "/admin/reference",
  // A session is its user's: the users screen counts and ends them.
  session: () => "/admin/users",
};

function AuditTarget({ type, id, after }: { type: string | null; id: string | null; after: unknown }) {
  if (!id) return null;
  const href = type ? TARGET_HREF[type]?.(id, after) : undefined;
  return href ? (
    <Link href={href} className="break-all font-mono text-blue-800 underline underline-offset-2" data-testid="audit-target-link">
      {id}
    </Link>
  ) : (
    <span className="break-all font-mono">{id}</span>
  );
}
