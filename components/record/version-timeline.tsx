"use client";

import Link from "next/link";
import { useListNavigation } from "../lib/use-list-navigation";
import { button } from "../ui/button";
import { CauseChips, VersionStatusBadge } from "../ui/badges";
import { formatAbsolute } from "../../shared/format";
import { RelativeTime } from "../ui/relative-time";

export interface TimelineVersion {
  version: number;
  status: string;
  createdAt: Date;
  summary: string;
  causes: string[];
  changedFields: number;
  becameCurrentAt?: Date | null;
  occurredAt?: Date | null;
  receivedAt?: Date | null;
}

/** The newest versions of the case, newest first, older ones on request; choosing one shows its delta. */
export function VersionTimeline({
  versions,
  total,
  onMore,
  selected,
  exceptionOf,
  onSelect,
}: {
  versions: TimelineVersion[];
  /** Versions in all; more than `versions` when older ones are not loaded yet. */
  total: number;
  onMore?: () => void;
  selected: number | null;
  exceptionOf: (version: number) => { id: string; rule: string } | undefined;
  onSelect: (version: number) => void;
}) {
  const nav = useListNavigation(versions.map((v) => String(v.version)), (i) => onSelect(versions[i]!.version));
  return (
    <section aria-labelledby="timeline-title" className="rounded-lg border border-slate-200 bg-white">
      <h2 id="timeline-title" className="border-b border-slate-200 px-3 py-2 text-sm font-semibold text-slate-900">
        Versions{" "}
        <span className="font-normal text-slate-600">
          ({total > versions.length ? `newest ${versions.length.toLocaleString("en-US")} of ${total.toLocaleString("en-US")}` : versions.length})
        </span>
      </h2>
      <ol className="max-h-[70vh] divide-y divide-slate-100 overflow-y-auto" data-testid="version-timeline">
        {versions.map((v, i) => {
          const isSelected = v.version === selected;
          const exc = v.status === "held" ? exceptionOf(v.version) : undefined;
          return (
            <li key={v.version} ref={nav.register(String(v.version))} data-active={nav.active === i} className={`relative px-3 py-2 ${isSelected ? "bg-blue-50/70" : ""}`} data-version={v.version}>
              {isSelected ? <span aria-hidden="true" className="absolute inset-y-0 left-0 w-1 bg-blue-600" /> : null}
              <div className="flex items-center gap-2">
                <button
                  type="button"
                  data-row-primary
                  onFocus={nav.onRowFocus(i)}
                  onClick={() => onSelect(v.version)}
                  aria-current={isSelected ? "true" : undefined}
                  className="rounded font-mono text-sm font-semibold text-blue-800 hover:underline"
                >
                  v{v.version}
                  <span className="sr-only"> — show what changed</span>
                </button>
                <VersionStatusBadge status={v.status} neverCurrent={v.becameCurrentAt === null} />
                <RelativeTime value={v.createdAt} className="ml-auto text-xs text-slate-600" />
              </div>
              <VersionTimes v={v} />
              <div className="mt-1">
                <CauseChips causes={v.causes} empty="no field changes" />
              </div>
              <p className="mt-1 line-clamp-3 text-xs leading-relaxed text-slate-700" title={v.summary}>
                {v.summary}
              </p>
              <div className="mt-1 flex items-center gap-2 text-[11px] text-slate-600">
                <span>
                  {v.changedFields} changed field{v.changedFields === 1 ? "" : "s"}
                </span>
                {exc ? (
                  <Link href={`/exceptions/${encodeURIComponent(exc.id)}`} className="font-medium text-amber-900 underline">
                    held by exception
                  </Link>
                ) : null}
              </div>
            </li>
          );
        })}
      </ol>
      {onMore ? (
        <div className="border-t border-slate-200 px-3 py-2">
          <button type="button" className={button.secondary} onClick={onMore}>
            Show older versions
          </button>
        </div>
      ) : null}
    </section>
  );
}

const utc = (d: Date) => formatAbsolute(d).slice(5, 19);

/**
 * Absolute times (UTC, month-day hh:mm:ss): when the source says the change happened, when it was
 * received, and when the version became current if that was later (an approval).
 */
function VersionTimes({ v }: { v: TimelineVersion }) {
  const became = v.becameCurrentAt ? new Date(v.becameCurrentAt) : null;
  const created = new Date(v.createdAt);
  return (
    <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-2 text-[11px] leading-4 text-slate-600" data-testid="version-times">
      {v.occurredAt ? (
        <>
          <dt>Occurred</dt>
          <dd className="tabular-nums">
            <time dateTime={new Date(v.occurredAt).toISOString()}>{utc(new Date(v.occurredAt))}</time> <span className="text-slate-500">(source)</span>
          </dd>
        </>
      ) : null}
      {v.receivedAt ? (
        <>
          <dt>Received</dt>
          <dd className="tabular-nums">
            <time dateTime={new Date(v.receivedAt).toISOString()}>{utc(new Date(v.receivedAt))}</time>
          </dd>
        </>
      ) : null}
      <dt>Made</dt>
      <dd className="tabular-nums">
        <time dateTime={created.toISOString()}>{utc(created)}</time> UTC
      </dd>
      {became && became.getTime() - created.getTime() > 1000 ? (
        <>
          <dt>Current</dt>
          <dd className="tabular-nums">
            <time dateTime={became.toISOString()}>{utc(became)}</time> UTC
          </dd>
        </>
      ) : null}
    </dl>
  );
}
