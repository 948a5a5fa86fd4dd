"use client";

import { useSuspenseQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/components/trpc/client";
import { ruleLabel } from "../lib/rules";
import { useUrlParams } from "../lib/url-state";
import { LiveIndicator } from "../ui/live-indicator";
import { RelativeTime } from "../ui/relative-time";
import { CellLabel, stack } from "../ui/stack-table";
import { formatMs } from "../ops/ops-dashboard";
import { DEFAULT_WINDOW, WINDOW_KEYS, WINDOWS, windowOf } from "@/shared/windows";
import { STATUS_COLOUR } from "@/shared/palette";


const STATUS_ORDER = ["applied", "held", "no_change", "stale", "waiting", "quarantined", "failed", "received"];
/** Event statuses in the palette's status colours (shared/palette.ts): never a cause's hue. */
const STATUS_BAR: Record<string, string> = {
  applied: STATUS_COLOUR.applied,
  held: STATUS_COLOUR.held,
  no_change: STATUS_COLOUR.noChange,
  stale: STATUS_COLOUR.stale,
  waiting: STATUS_COLOUR.waiting,
  quarantined: STATUS_COLOUR.quarantined,
  failed: STATUS_COLOUR.failed,
  received: STATUS_COLOUR.received,
};

function Stat({ label, value, hint, href }: { label: string; value: React.ReactNode; hint?: React.ReactNode; href?: string }) {
  const body = (
    <>
      <p className="text-xs font-medium text-slate-600">{label}</p>
      <p className="mt-1 text-2xl font-semibold tabular-nums text-slate-900">{value}</p>
      {hint ? <p className="mt-0.5 text-xs text-slate-600">{hint}</p> : null}
    </>
  );
  return href ? (
    <Link href={href} className="block rounded-lg border border-slate-200 bg-white p-3 hover:border-slate-300 hover:bg-slate-50">
      {body}
    </Link>
  ) : (
    <div className="rounded-lg border border-slate-200 bg-white p-3">{body}</div>
  );
}

const nf = (n: number) => n.toLocaleString("en-US");

/** The exceptions table stacks into cards below 768 px; on wide screens its cells keep no side padding. */
const CELL = `${stack.cell} md:px-0 md:py-1.5`;
const INLINE = `${stack.inline} md:px-0 md:py-1.5`;

export function DashboardView() {
  const trpc = useTRPC();
  const [sp, setParams] = useUrlParams();
  const current = windowOf(sp.get("window"));
  // The same query (and refresh interval) as the refresh measures below: one read, one set of numbers.
  const { data, dataUpdatedAt, isFetching } = useSuspenseQuery(trpc.opsDashboard.get.queryOptions({ window: current }, { refetchInterval: 30_000 }));
  const processed = STATUS_ORDER.filter((s) => s !== "received" && s !== "stale").reduce((n, s) => n + (data.events[s] ?? 0), 0);
  const appliedShare = processed ? Math.round(((data.events.applied ?? 0) / processed) * 100) : null;
  const maxRule = Math.max(1, ...data.exceptions.map((r) => r.opened));
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <nav aria-label="Window" className="flex rounded-md border border-slate-300 bg-white p-0.5">
          {WINDOW_KEYS.map((w) => (
            <button
              key={w}
              type="button"
              aria-current={current === w ? "true" : undefined}
              onClick={() => setParams({ window: w === DEFAULT_WINDOW ? null : w })}
              className={`rounded px-3 py-1 text-sm font-medium ${current === w ? "bg-slate-800 text-white" : "text-slate-700 hover:bg-slate-100"}`}
            >
              {WINDOWS[w].label}
            </button>
          ))}
        </nav>
        <LiveIndicator updatedAt={dataUpdatedAt} fetching={isFetching} />
      </div>
      <div className="grid grid-cols-2 gap-3 md:grid-cols-3 xl:grid-cols-6">
        <Stat label="Current records" value={nf(data.records)} hint="cases with a current version, now" href="/records" />
        <Stat label="With an open exception" value={nf(data.withExceptions)} hint="current records an exception holds, now" href="/records?exc=yes" />
        <Stat
          label="Events received"
          value={nf(data.totalEvents)}
          hint={`accepted in the window, stale included; ${(data.totalEvents / ((new Date(data.until).getTime() - new Date(data.since).getTime()) / 60_000)).toFixed(1)} per minute`}
          href="/events"
        />
        <Stat label="Applied without review" value={appliedShare === null ? "—" : `${appliedShare}%`} hint="applied, of the window's refreshed non-stale events" />
        <Stat
          label="Event → current, p50 / p99"
          value={
            <span className="text-xl" data-testid="overview-latency">
              {formatMs(data.latency.p50Ms)} / {formatMs(data.latency.p99Ms)}
            </span>
          }
          hint={`receipt until current, ${nf(data.latency.events)} events never held (held ones: below)`}
        />
        <Stat
          label="Backlog"
          value={nf(data.backlog.now)}
          hint={data.backlog.oldestReceivedAt ? <>received, not refreshed yet; oldest <RelativeTime value={data.backlog.oldestReceivedAt} /></> : "received, not refreshed yet: none"}
          href="/events?status=received"
        />
      </div>
      {/* min-w-0: a wide table inside a grid item must not widen the page at 390 px. */}
      <div className="grid gap-3 lg:grid-cols-2 [&>*]:min-w-0">
        <section aria-labelledby="dash-events" className="rounded-lg border border-slate-200 bg-white p-3">
          <h2 id="dash-events" className="mb-2 text-sm font-semibold text-slate-900">
            Events by outcome
          </h2>
          <p className="-mt-1 mb-2 text-xs text-slate-600">Events received in the window, by their status now.</p>
          <ul className="space-y-1.5 text-sm">
            {STATUS_ORDER.map((s) => {
              const n = data.events[s] ?? 0;
              return (
                <li key={s} className="grid grid-cols-[7rem_1fr_4rem] items-center gap-2">
                  <Link href={`/events?status=${s}`} className="text-slate-800 hover:underline">
                    {s.replace("_", " ")}
                  </Link>
                  <span className="h-2.5 overflow-hidden rounded-full bg-slate-100" aria-hidden="true">
                    <span className="block h-full" style={{ backgroundColor: STATUS_BAR[s], width: `${data.totalEvents ? (n / data.totalEvents) * 100 : 0}%` }} />
                  </span>
                  <span className="text-right tabular-nums text-slate-700">{n.toLocaleString("en-US")}</span>
                </li>
              );
            })}
            <li className="grid grid-cols-[7rem_1fr_4rem] items-center gap-2 border-t border-slate-100 pt-1.5">
              <Link href="/events?tab=refusals" className="text-slate-800 hover:underline">
                refused
              </Link>
              <span className="text-xs text-slate-600">not stored as events</span>
              <span className="text-right tabular-nums text-slate-700">{nf(data.intake.refused)}</span>
            </li>
          </ul>
        </section>
        <section aria-labelledby="dash-exc" className="rounded-lg border border-slate-200 bg-white p-3">
          <h2 id="dash-exc" className="mb-2 text-sm font-semibold text-slate-900">
            Exceptions opened, by rule, and how they ended
          </h2>
          <p className="-mt-1 mb-2 text-xs text-slate-600">Opened in the window; open counts claimed ones too.</p>
          {data.exceptions.length ? (
            // Below 768 px each rule is a card (components/ui/stack-table.tsx): nothing scrolls sideways.
            <div className="overflow-x-auto">
            <table className={`w-full ${stack.table}`}>
              <caption className="sr-only">Exceptions opened in the window, per rule and outcome</caption>
              <thead className={`text-left text-xs text-slate-600 ${stack.thead}`}>
                <tr>
                  <th scope="col" className="py-1 font-medium">
                    Rule
                  </th>
                  <th scope="col" className="w-[30%] py-1 font-medium">
                    Opened
                  </th>
                  <th scope="col" className="py-1 text-right font-medium">
                    Open
                  </th>
                  <th scope="col" className="py-1 text-right font-medium">
                    Approved
                  </th>
                  <th scope="col" className="py-1 text-right font-medium">
                    Rejected
                  </th>
                  <th scope="col" className="py-1 text-right font-medium">
                    Overridden
                  </th>
                  <th scope="col" className="py-1 text-right font-medium">
                    Cleared
                  </th>
                </tr>
              </thead>
              <tbody className={`tabular-nums ${stack.tbody}`}>
                {data.exceptions.map((r) => (
                  <tr key={r.rule} className={`border-t border-slate-100 ${stack.row}`}>
                    <td className={CELL}>
                      <Link href={`/exceptions?rule=${r.rule}`} className="text-slate-800 hover:underline">
                        {ruleLabel(r.rule)}
                      </Link>
                    </td>
                    <td className={CELL}>
                      <span className="flex items-center gap-2">
                        <CellLabel>Opened</CellLabel>
                        <span className="h-2.5 flex-1 overflow-hidden rounded-full bg-slate-100" aria-hidden="true">
                          <span className="block h-full" style={{ backgroundColor: STATUS_COLOUR.held, width: `${(r.opened / maxRule) * 100}%` }} />
                        </span>
                        {r.opened}
                      </span>
                    </td>
                    <td className={`${INLINE} ${stack.end}`}>
                      <CellLabel>Open</CellLabel>
                      {r.open + r.claimed}
                    </td>
                    <td className={`${INLINE} ${stack.end}`}>
                      <CellLabel>Approved</CellLabel>
                      {r.approve}
                    </td>
                    <td className={`${INLINE} ${stack.end}`}>
                      <CellLabel>Rejected</CellLabel>
                      {r.reject}
                    </td>
                    <td className={`${INLINE} ${stack.end}`}>
                      <CellLabel>Overridden</CellLabel>
                      {r.override}
                    </td>
                    <td className={`${INLINE} ${stack.end}`}>
                      <CellLabel>Cleared</CellLabel>
                      {r.cleared}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            </div>
          ) : (
            <p className="text-sm text-slate-600">No exception opened in this window.</p>
          )}
        </section>
      </div>
    </div>
  );
}
