"use client";

import { useQueries, useQuery, useSuspenseQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/components/trpc/client";
import { describePath, formatAbsolute, getAt, pathLabel } from "../../shared/format";
import { CauseChip, VersionStatusBadge } from "../ui/badges";
import { QueryBoundary } from "../ui/query-boundary";
import { RelativeTime } from "../ui/relative-time";
import { SidePanel } from "../ui/side-panel";
import { BlockSkeleton } from "../ui/skeleton";
import { ValueDiff } from "./value-diff";
import { ValueView } from "./value-view";
import type { Cause } from "../lib/causes";
import type { Lineage } from "@/shared/lineage";

/** A moment as people read it: the UTC time, with "5 min ago" beside it. */
function When({ value }: { value: string | Date }) {
  return (
    <>
      <time dateTime={new Date(value).toISOString()}>{formatAbsolute(value)}</time> <RelativeTime value={value} className="text-xs text-slate-600" />
    </>
  );
}

export function LineagePanel({ caseId, path, version, onClose }: { caseId: string; path: string; version: number; onClose: () => void }) {
  const trpc = useTRPC();
  // The title names list items by their key ("Artifacts › BND-1050-02"), as the tables do.
  const { data: v } = useQuery(trpc.records.version.queryOptions({ caseId, version }));
  // An item absent from this version (added later, or removed) is named from the versions its history names.
  const { data: history } = useQuery(trpc.records.fieldHistory.queryOptions({ caseId, path, version }));
  const records = useVersionRecords(caseId, history?.history.map((h) => h.version) ?? []);
  return (
    <SidePanel title={v ? describePath(path, v.record, ...[...records.values()].reverse()) : pathLabel(path)} subtitle={<span>Lineage in version {version}</span>} onClose={onClose}>
      <QueryBoundary what="lineage" fallback={<BlockSkeleton lines={8} label="Loading lineage" />}>
        <LineageBody caseId={caseId} path={path} version={version} />
      </QueryBoundary>
    </SidePanel>
  );
}


function EventLink({ lineage, eventIds }: { lineage: Lineage; eventIds: Record<string, string> }) {
  if (lineage.source === "manual_override") {
    return (
      <Link className="font-medium text-blue-800 underline" href={`/exceptions/${encodeURIComponent(lineage.entityId)}`}>
        Open the exception that set it
      </Link>
    );
  }
  const id = eventIds[`${lineage.source}/${lineage.webhookId}`];
  if (!id) return <span className="text-slate-600">event not found in the log</span>;
  return (
    <Link className="font-medium text-blue-800 underline" href={`/events/${encodeURIComponent(id)}`} data-testid="lineage-event-link">
      Open event in the event log
    </Link>
  );
}

/**
 * The records at the given versions (loaded alongside; absent until they arrive), so a list item in a
 * change of that version is named by its key there ("BND-1050-02"), as the tables do, never "#2".
 */
function useVersionRecords(caseId: string, versions: number[]): Map<number, unknown> {
  const trpc = useTRPC();
  const distinct = [...new Set(versions)].sort((a, b) => a - b);
  const results = useQueries({ queries: distinct.map((n) => trpc.records.version.queryOptions({ caseId, version: n })) });
  return new Map(distinct.flatMap((n, i) => (results[i]?.data ? [[n, results[i].data.record] as const] : [])));
}

function LineageBody({ caseId, path, version }: { caseId: string; path: string; version: number }) {
  const trpc = useTRPC();
  const { data } = useSuspenseQuery(trpc.records.fieldHistory.queryOptions({ caseId, path, version }));
  const { data: v } = useSuspenseQuery(trpc.records.version.queryOptions({ caseId, version }));
  const records = useVersionRecords(caseId, data.history.map((h) => h.version));
  const lin = data.lineage as Lineage | null;
  const value = getAt(v.record, path);
  return (
    <div className="space-y-5 text-sm">
      <section aria-labelledby="lin-value">
        <h3 id="lin-value" className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-600">
          Value in v{version} <VersionStatusBadge status={data.versionStatus} />
        </h3>
        <div className="rounded border border-slate-200 bg-slate-50 px-3 py-2">
          <ValueView value={value} fieldKey={path.split("/").pop()} />
        </div>
      </section>
      <section aria-labelledby="lin-source">
        <h3 id="lin-source" className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-600">
          Where it came from
        </h3>
        {lin ? (
          <dl className="grid grid-cols-[8.5rem_1fr] gap-x-3 gap-y-1.5" data-testid="lineage-details">
            <dt className="text-slate-600">Source</dt>
            <dd className="font-medium" data-testid="lineage-source">
              {lin.source === "manual_override" ? "Manual override" : lin.source}
            </dd>
            <dt className="text-slate-600">Entity</dt>
            <dd>
              {lin.entityKind} <span className="font-mono">{lin.entityId}</span>
            </dd>
            <dt className="text-slate-600">Entity version</dt>
            <dd className="font-mono" data-testid="lineage-entity-version">
              {lin.entityVersion}
            </dd>
            <dt className="text-slate-600">Webhook id</dt>
            <dd className="break-all font-mono text-xs" data-testid="lineage-webhook-id">
              {lin.webhookId}
            </dd>
            <dt className="text-slate-600">Occurred</dt>
            <dd>
              <When value={lin.occurredAt} /> <span className="block text-xs text-slate-600">when the source says it happened</span>
            </dd>
            <dt className="text-slate-600">Received</dt>
            <dd>
              <When value={lin.receivedAt} />
            </dd>
            {lin.approval ? (
              <>
                <dt className="text-slate-600">Approved</dt>
                <dd>
                  by {lin.approval.by},{" "}
                  <Link className="text-blue-800 underline" href={`/exceptions/${encodeURIComponent(lin.approval.exceptionId)}`}>
                    exception
                  </Link>{" "}
                  <RelativeTime value={lin.approval.at} />
                </dd>
              </>
            ) : null}
            <dt className="sr-only">Event</dt>
            <dd className="col-span-2 pt-1">
              <EventLink lineage={lin} eventIds={data.eventIds} />
            </dd>
          </dl>
        ) : (
          <p className="text-slate-600">This path has no lineage in v{version}.</p>
        )}
      </section>
      <section aria-labelledby="lin-history">
        <h3 id="lin-history" className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-600">
          Value history ({data.history.length} change{data.history.length === 1 ? "" : "s"})
        </h3>
        {data.history.length ? (
          <ol className="space-y-2" data-testid="field-history">
            {data.history.map((h, i) => {
              const hl = h.lineage as Lineage;
              return (
                <li key={`${h.version}-${h.path}-${i}`} className="rounded border border-slate-200 px-3 py-2">
                  <div className="flex flex-wrap items-center gap-2">
                    <Link href={`/records/${encodeURIComponent(caseId)}?v=${h.version}`} className="font-mono text-sm font-semibold text-blue-800 underline">
                      v{h.version}
                    </Link>
                    <VersionStatusBadge status={h.status} />
                    <CauseChip cause={h.cause as Cause} long />
                    <RelativeTime value={h.createdAt} className="ml-auto text-xs text-slate-600" />
                  </div>
                  {h.path !== path ? <div className="mt-1 text-xs font-medium text-slate-700">{describePath(h.path, records.get(h.version) ?? v.record, v.record, h.after, h.before)}</div> : null}
                  {/* Before above after, each full width: nested values stay readable in the narrow panel. */}
                  <div className="mt-1.5 space-y-1.5 text-[13px]">
                    <div className="min-w-0 rounded bg-slate-50 px-2 py-1">
                      <div className="text-[11px] font-medium text-slate-600">Before</div>
                      <ValueDiff value={h.before} other={h.after} side="before" fieldKey={h.path.split("/").pop()} />
                    </div>
                    <div className="min-w-0 rounded bg-slate-50 px-2 py-1">
                      <div className="text-[11px] font-medium text-slate-600">After</div>
                      <ValueDiff value={h.after} other={h.before} side="after" fieldKey={h.path.split("/").pop()} />
                    </div>
                  </div>
                  <div className="mt-1 text-xs text-slate-600">
                    from {hl.source === "manual_override" ? "manual override" : hl.source} <span className="font-mono">{hl.entityId}</span> v{hl.entityVersion}
                    {hl.occurredAt ? <> · occurred {formatAbsolute(hl.occurredAt)}</> : null}
                    {data.eventIds[`${hl.source}/${hl.webhookId}`] ? (
                      <>
                        {" · "}
                        <Link className="text-blue-800 underline" href={`/events/${encodeURIComponent(data.eventIds[`${hl.source}/${hl.webhookId}`]!)}`}>
                          event
                        </Link>
                      </>
                    ) : null}
                  </div>
                </li>
              );
            })}
          </ol>
        ) : (
          <p className="text-slate-600">No recorded change: the value has been carried forward since the first version.</p>
        )}
      </section>
    </div>
  );
}

