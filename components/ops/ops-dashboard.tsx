"use client";

import { useSuspenseQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useSearchParams } from "next/navigation";
import { Area, AreaChart, Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { ruleLabel } from "@/components/lib/rules";
import { Badge } from "@/components/ui/badges";
import { RelativeTime } from "@/components/ui/relative-time";
import { CellLabel, stack } from "@/components/ui/stack-table";
import { useTRPC } from "@/components/trpc/client";
import type { Dashboard } from "@/server/ops/dashboard/dashboard-metrics";
import { CAUSE_HUE, chartSources, STATUS_COLOUR } from "@/shared/palette";
import { windowOf } from "@/shared/windows";
import { fillOf, SourcePatterns, SourceSwatch, usePatternPrefix } from "./source-fill";
import { fieldToPath, pathLabel } from "@/shared/format";

const OUTCOME = [
  { key: "applied", label: "Applied, complete", color: STATUS_COLOUR.applied },
  { key: "unchanged", label: "Already current", color: STATUS_COLOUR.unchanged },
  { key: "held", label: "Held (exception)", color: STATUS_COLOUR.held },
  { key: "waiting", label: "Waiting for a ticket", color: STATUS_COLOUR.waiting },
  { key: "received", label: "Not refreshed yet", color: STATUS_COLOUR.received },
  { key: "quarantined", label: "Quarantined", color: STATUS_COLOUR.quarantined },
  { key: "failed", label: "Failed", color: STATUS_COLOUR.failed },
  { key: "incomplete", label: "Incomplete lineage or trace", color: STATUS_COLOUR.incomplete },
] as const;
const RESOLUTION = [
  { key: "open", label: "Open", color: STATUS_COLOUR.held },
  { key: "claimed", label: "Claimed", color: STATUS_COLOUR.claimed },
  { key: "approve", label: "Approved", color: STATUS_COLOUR.applied },
  { key: "reject", label: "Rejected", color: STATUS_COLOUR.quarantined },
  // The manual-override cause's colour (shared/palette.ts): an override resolution is that cause.
  { key: "override", label: "Overridden", color: CAUSE_HUE.manual_override.hex },
  { key: "cleared", label: "Cleared by a later refresh", color: STATUS_COLOUR.noChange },
] as const;

const nf = (n: number) => n.toLocaleString("en-US");
/** The dashboard's small tables stack into cards below 768 px; on wide screens their cells keep no side padding. */
const CELL = `${stack.cell} md:px-0 md:py-1`;
const INLINE = `${stack.inline} md:px-0 md:py-1`;
export const formatMs = (v: number | null) => (v === null ? "—" : v < 1000 ? `${Math.round(v)} ms` : v < 120_000 ? `${(v / 1000).toFixed(1)} s` : `${(v / 60_000).toFixed(1)} min`);

/** Bucket labels in UTC, as every time on these screens. */
function tick(bucketSeconds: number) {
  return (v: string | number | Date) => {
    const d = new Date(v);
    const hm = `${String(d.getUTCHours()).padStart(2, "0")}:${String(d.getUTCMinutes()).padStart(2, "0")}`;
    return bucketSeconds >= 21_600 ? `${d.getUTCMonth() + 1}/${d.getUTCDate()} ${hm}` : hm;
  };
}

function Card({ id, title, description, children, action }: { id: string; title: string; description?: React.ReactNode; children: React.ReactNode; action?: React.ReactNode }) {
  return (
    <section aria-labelledby={id} className="relative min-w-0 rounded-lg border border-slate-200 bg-white p-4" data-testid={id}>
      <div className="mb-2 flex flex-wrap items-start justify-between gap-2">
        <div>
          <h2 id={id} className="text-sm font-semibold text-slate-900">
            {title}
          </h2>
          {description ? <p className="mt-0.5 text-xs text-slate-600">{description}</p> : null}
        </div>
        {action}
      </div>
      {children}
    </section>
  );
}

function Figure({ label, value, testId }: { label: string; value: React.ReactNode; testId?: string }) {
  return (
    <div>
      <dt className="text-xs text-slate-600">{label}</dt>
      <dd className="text-lg font-semibold tabular-nums text-slate-900" data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}

/** The service measures of docs/domain.md over the dashboard's window, each computed in SQL (server/ops/dashboard/dashboard-metrics.ts). */
export function OpsDashboard({ isAdmin }: { isAdmin: boolean }) {
  const trpc = useTRPC();
  const sp = useSearchParams();
  const win = windowOf(sp.get("window"));
  const { data } = useSuspenseQuery(trpc.opsDashboard.get.queryOptions({ window: win }, { refetchInterval: 30_000 }));
  return (
    <div className="space-y-3" data-window={data.window}>
      <h2 className="pt-2 text-base font-semibold text-slate-900">
        Refresh quality and flow · {data.windowLabel}{" "}
        <span className="text-sm font-normal text-slate-600">(whole {data.bucketSeconds >= 3600 ? `${data.bucketSeconds / 3600}-hour` : `${data.bucketSeconds / 60}-minute`} buckets since {tick(data.bucketSeconds)(data.since)} UTC)</span>
      </h2>
      <div className="grid gap-3 xl:grid-cols-2">
        <Changes data={data} />
        <Latency data={data} />
        <Intake data={data} />
        <Exceptions data={data} />
        <Backlog data={data} />
        <Recurring data={data} isAdmin={isAdmin} />
      </div>
    </div>
  );
}

function Changes({ data }: { data: Dashboard }) {
  const c = data.changes;
  const row = [{ name: "events", ...c }];
  return (
    <Card
      id="dash-authoritative"
      title="Authoritative changes that reached one current record, with complete lineage and delta trace"
      description={
        <>
          Accepted, non-stale events received in the window. Counted when every case it touched has exactly one current version, that version has lineage on every field and list item, and a new version has its delta trace (checked once per version by the lineage audit
          {c.auditPending ? `; ${nf(c.auditPending)}${c.auditPending >= 1000 ? "+" : ""} versions not audited yet count as complete` : ""}).
        </>
      }
    >
      <dl className="flex flex-wrap gap-x-8 gap-y-2">
        <Figure label="Share" value={c.share === null ? "—" : `${(c.share * 100).toFixed(1)}%`} testId="share-complete" />
        <Figure label="Complete" value={`${nf(c.applied + c.unchanged)} of ${nf(c.total)}`} testId="changes-complete" />
        <Figure label="Held behind an exception" value={nf(c.held)} testId="changes-held" />
        <Figure label="Incomplete" value={nf(c.incomplete)} testId="changes-incomplete" />
      </dl>
      {c.total ? (
        <div className="mt-2 h-24" aria-hidden="true">
          <ResponsiveContainer width="100%" height="100%">
            <BarChart accessibilityLayer={false} data={row} layout="vertical" margin={{ left: 0, right: 8, top: 4, bottom: 0 }}>
              <XAxis type="number" hide domain={[0, c.total]} />
              <YAxis type="category" dataKey="name" hide />
              <Tooltip cursor={false} />
              <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={null} />
              {OUTCOME.filter((o) => c[o.key] > 0).map((o) => (
                <Bar key={o.key} dataKey={o.key} name={o.label} stackId="s" fill={o.color} isAnimationActive={false} />
              ))}
            </BarChart>
          </ResponsiveContainer>
        </div>
      ) : null}
      <div className="sr-only">
      <table>
        <caption>Outcome of the authoritative changes</caption>
        <tbody>
          {OUTCOME.map((o) => (
            <tr key={o.key}>
              <th scope="row">{o.label}</th>
              <td>{c[o.key]}</td>
            </tr>
          ))}
        </tbody>
      </table>
      </div>
    </Card>
  );
}

function Latency({ data }: { data: Dashboard }) {
  const l = data.latency;
  return (
    <Card
      id="dash-latency"
      title="Event to current version"
      description="From the receipt of an event until the version holding its change is current (for an event that touched several cases, the last of them), by receipt bucket, for events that went current without being held. Events held behind an exception first are counted apart: their time is mostly the wait for a specialist. Percentiles are read from a histogram, to within 5%."
    >
      <dl className="flex flex-wrap gap-x-8 gap-y-2">
        <Figure label="p50" value={formatMs(l.p50Ms)} testId="latency-p50" />
        <Figure label="p99" value={formatMs(l.p99Ms)} testId="latency-p99" />
        <Figure label="Slowest (up to)" value={formatMs(l.maxMs)} />
        <Figure label="Events measured" value={nf(l.events)} testId="latency-events" />
        <Figure
          label="Held first, then current: p50 / p99"
          value={
            <span data-testid="latency-held">
              {l.held.events ? `${formatMs(l.held.p50Ms)} / ${formatMs(l.held.p99Ms)}` : "—"} <span className="text-sm font-normal text-slate-600">({nf(l.held.events)} events)</span>
            </span>
          }
        />
      </dl>
      {l.series.length ? (
        <div className="mt-2 h-48" aria-hidden="true">
          <ResponsiveContainer width="100%" height="100%">
            <LineChart accessibilityLayer={false} data={l.series.map((s) => ({ ...s, t: s.bucket.getTime() }))} margin={{ left: 0, right: 8, top: 8, bottom: 0 }}>
              <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
              <XAxis dataKey="t" type="number" domain={[data.since.getTime(), data.until.getTime()]} tickFormatter={tick(data.bucketSeconds)} fontSize={11} />
              <YAxis tickFormatter={(v: number) => formatMs(v)} fontSize={11} width={64} />
              <Tooltip labelFormatter={(v) => `${tick(data.bucketSeconds)(v as number)} UTC`} formatter={(v) => formatMs(Number(v))} />
              <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={null} />
              <Line dataKey="p50Ms" name="p50" stroke={STATUS_COLOUR.waiting} dot={l.series.length < 3} isAnimationActive={false} />
              <Line dataKey="p99Ms" name="p99" stroke={STATUS_COLOUR.incomplete} strokeDasharray="5 3" dot={l.series.length < 3} isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        </div>
      ) : (
        <p className="mt-2 text-sm text-slate-600">No event produced a version in this window.</p>
      )}
    </Card>
  );
}

function Intake({ data }: { data: Dashboard }) {
  const i = data.intake;
  // One series per source, each in its own colour and fill (past 47 sources the rest are one "other" series).
  const series = chartSources(i.sources);
  const styleOf = new Map(series.flatMap((x) => x.members.map((m) => [m, x.style] as const)));
  const prefix = usePatternPrefix();
  const rows = i.buckets.map((b) => ({
    t: new Date(b.bucket).getTime(),
    ...Object.fromEntries(series.map((x) => [x.key, x.members.reduce((n, s) => n + (b.bySource[s]?.accepted ?? 0), 0)])),
    refused: Object.values(b.bySource).reduce((n, s) => n + s.refused, 0),
  }));
  const statuses = [...new Set(i.refusals.map((r) => r.httpStatus))].sort();
  return (
    <Card id="dash-intake" title="Intake per source" description="Deliveries received in the window per source and bucket: accepted (stored, stale ones apart) and refused (counted, never stored as events). Sources are drawn in blues and greys, past six also striped or dotted (cause colours are kept for causes), refusals in red.">
      <dl className="flex flex-wrap gap-x-8 gap-y-2">
        <Figure label="Accepted" value={nf(i.accepted)} testId="intake-accepted" />
        <Figure label="Per minute" value={i.perMinute.toFixed(2)} />
        <Figure label="Stale (kept, not applied)" value={nf(i.stale)} />
        <Figure label="Refused" value={nf(i.refused)} testId="intake-refused" />
      </dl>
      <div className="mt-2 h-48" aria-hidden="true">
        <ResponsiveContainer width="100%" height="100%">
          <BarChart accessibilityLayer={false} data={rows} margin={{ left: 0, right: 8, top: 8, bottom: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
            <XAxis dataKey="t" tickFormatter={tick(data.bucketSeconds)} fontSize={11} />
            <YAxis allowDecimals={false} fontSize={11} width={40} />
            <Tooltip labelFormatter={(v) => `${tick(data.bucketSeconds)(v as number)} UTC`} />
            {/* Pale source shades are swatches only: the names stay dark enough to read. */}
            <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={null} formatter={(value) => <span style={{ color: "#334155" }}>{value}</span>} />
            <SourcePatterns prefix={prefix} styles={series.map((x) => x.style)} />
            {series.map((x, n) => (
              <Bar key={x.key} dataKey={x.key} name={x.label} stackId="a" fill={fillOf(prefix, n, x.style)} isAnimationActive={false} />
            ))}
            <Bar dataKey="refused" name="refused" fill={STATUS_COLOUR.quarantined} isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
      {/* Below 768 px each source is a card (components/ui/stack-table.tsx): nothing scrolls sideways. */}
      <div className="mt-3 overflow-x-auto" tabIndex={0} role="region" aria-label="Intake per source, as a table">
      <table className={`w-full ${stack.table}`} data-testid="intake-table">
        <caption className="sr-only">Accepted, stale and refused deliveries per source</caption>
        <thead className={`text-left text-xs text-slate-600 ${stack.thead}`}>
          <tr>
            <th scope="col" className="py-1 font-medium">Source</th>
            <th scope="col" className="py-1 text-right font-medium">Accepted</th>
            <th scope="col" className="py-1 text-right font-medium">Stale</th>
            <th scope="col" className="py-1 text-right font-medium">Refused</th>
            <th scope="col" className="py-1 pl-3 font-medium">Refusals by status</th>
          </tr>
        </thead>
        <tbody className={`tabular-nums ${stack.tbody}`}>
          {i.bySource.map((s) => (
            <tr key={s.source} className={`border-t border-slate-100 ${stack.row}`} data-testid={`intake-${s.source}`}>
              <th scope="row" className={`${CELL} text-left font-mono font-normal`}>
                <span className="inline-flex items-center gap-1.5">
                  {/* The table is the chart's legend: each source's bar colour beside its name. */}
                  {styleOf.has(s.source) ? <SourceSwatch style={styleOf.get(s.source)!} /> : <span aria-hidden="true" className="inline-block size-2.5 shrink-0" />}
                  {s.source}
                </span>
              </th>
              <td className={`${INLINE} ${stack.end}`}>
                <CellLabel>Accepted</CellLabel>
                <span data-testid={`intake-${s.source}-accepted`}>{nf(s.accepted)}</span>
              </td>
              <td className={`${INLINE} ${stack.end}`}>
                <CellLabel>Stale</CellLabel>
                {nf(s.stale)}
              </td>
              <td className={`${INLINE} ${stack.end}`}>
                <CellLabel>Refused</CellLabel>
                {s.refused ? <Link className="text-red-800 underline" href={`/events?tab=refusals&source=${encodeURIComponent(s.source)}`}>{nf(s.refused)}</Link> : 0}
              </td>
              <td className={`${CELL} text-xs text-slate-600 md:pl-3`}>
                <CellLabel>Refusals by status</CellLabel>
                {statuses
                  .map((st) => ({ st, n: i.refusals.find((r) => r.source === s.source && r.httpStatus === st)?.count ?? 0 }))
                  .filter((x) => x.n)
                  .map((x) => `${x.st}: ${x.n}`)
                  .join(" · ") || "—"}
              </td>
            </tr>
          ))}
          {i.bySource.length === 0 ? (
            <tr>
              <td colSpan={5} className="py-2 text-slate-600">No delivery in this window.</td>
            </tr>
          ) : null}
        </tbody>
      </table>
      </div>
    </Card>
  );
}

function Exceptions({ data }: { data: Dashboard }) {
  const rows = data.exceptions.map((r) => ({ ...r, label: ruleLabel(r.rule) }));
  return (
    <Card id="dash-exceptions" title="Exceptions opened per rule, and how they ended" description="Exceptions opened in the window, per rule; each bar split by what became of them so far.">
      {rows.length ? (
        <>
          <div style={{ height: 48 + rows.length * 34 }} aria-hidden="true">
            <ResponsiveContainer width="100%" height="100%">
              <BarChart accessibilityLayer={false} data={rows} layout="vertical" margin={{ left: 8, right: 8, top: 4, bottom: 0 }}>
                <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" horizontal={false} />
                <XAxis type="number" allowDecimals={false} fontSize={11} />
                <YAxis type="category" dataKey="label" width={170} fontSize={11} />
                <Tooltip />
                <Legend wrapperStyle={{ fontSize: 12 }} itemSorter={null} />
                {RESOLUTION.map((r) => (
                  <Bar key={r.key} dataKey={r.key} name={r.label} stackId="r" fill={r.color} isAnimationActive={false} />
                ))}
              </BarChart>
            </ResponsiveContainer>
          </div>
          <div className="sr-only">
          <table data-testid="exceptions-table">
            <caption className="sr-only">Exceptions opened per rule and their resolution</caption>
            <thead className="text-left text-xs text-slate-600">
              <tr>
                <th scope="col" className="py-1 font-medium">Rule</th>
                <th scope="col" className="py-1 text-right font-medium">Opened</th>
                {RESOLUTION.map((r) => (
                  <th key={r.key} scope="col" className="py-1 text-right font-medium">
                    {r.label.replace(" by a later refresh", "")}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="tabular-nums">
              {rows.map((r) => (
                <tr key={r.rule} className="border-t border-slate-100" data-testid={`exceptions-${r.rule}`}>
                  <th scope="row" className="py-1 text-left font-normal">
                    <Link className="text-blue-800 hover:underline" href={`/exceptions?rule=${r.rule}`}>
                      {r.label}
                    </Link>
                  </th>
                  <td className="py-1 text-right font-semibold">{r.opened}</td>
                  {RESOLUTION.map((x) => (
                    <td key={x.key} className="py-1 text-right" data-testid={`exceptions-${r.rule}-${x.key}`}>
                      {r[x.key]}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          </div>
        </>
      ) : (
        <p className="text-sm text-slate-600">No exception opened in this window.</p>
      )}
    </Card>
  );
}

function Backlog({ data }: { data: Dashboard }) {
  const b = data.backlog;
  return (
    <Card id="dash-backlog" title="Backlog" description="Events received but not yet refreshed (status received): now, and at the end of each bucket.">
      <dl className="flex flex-wrap gap-x-8 gap-y-2">
        <Figure label="Waiting now" value={nf(b.now)} testId="backlog-now" />
        <Figure label="Oldest waiting" value={b.oldestReceivedAt ? <RelativeTime value={b.oldestReceivedAt} /> : "—"} />
        {b.bySource.length ? <Figure label="By source" value={<span className="text-sm font-normal">{b.bySource.map((s) => `${s.source} ${s.backlog}`).join(" · ")}</span>} /> : null}
      </dl>
      <div className="mt-2 h-40" aria-hidden="true">
        <ResponsiveContainer width="100%" height="100%">
          <AreaChart accessibilityLayer={false} data={b.series.map((s) => ({ t: new Date(s.at).getTime(), backlog: s.backlog }))} margin={{ left: 0, right: 8, top: 8, bottom: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="#e2e8f0" />
            <XAxis dataKey="t" tickFormatter={tick(data.bucketSeconds)} fontSize={11} />
            <YAxis allowDecimals={false} fontSize={11} width={40} />
            <Tooltip labelFormatter={(v) => `${tick(data.bucketSeconds)(v as number)} UTC`} />
            <Area dataKey="backlog" name="received, not refreshed" stroke={STATUS_COLOUR.received} fill={STATUS_COLOUR.stale} isAnimationActive={false} />
          </AreaChart>
        </ResponsiveContainer>
      </div>
    </Card>
  );
}

function Recurring({ data, isAdmin }: { data: Dashboard; isAdmin: boolean }) {
  return (
    <Card
      id="dash-recurring"
      title="Recurring exceptions by source and field"
      description="Exceptions opened in the window, grouped by the source and field their newest candidate involves; the ten most frequent groups."
      action={
        isAdmin ? (
          <Link className="text-sm font-medium text-blue-800 hover:underline" href={`/admin/recurring?window=${data.window}`}>
            Full report and policies →
          </Link>
        ) : null
      }
    >
      {data.recurring.length ? (
        <div className="overflow-x-auto" tabIndex={0} role="region" aria-label="Recurring exceptions, as a table">
        <table className={`w-full ${stack.table}`}>
          <caption className="sr-only">Most frequent exception groups</caption>
          <thead className={`text-left text-xs text-slate-600 ${stack.thead}`}>
            <tr>
              <th scope="col" className="py-1 font-medium">Source</th>
              <th scope="col" className="py-1 font-medium">Field</th>
              <th scope="col" className="py-1 font-medium">Rule</th>
              <th scope="col" className="py-1 text-right font-medium">Opened</th>
              <th scope="col" className="py-1 text-right font-medium">Still open</th>
              <th scope="col" className="py-1 pl-3 font-medium">Policy</th>
            </tr>
          </thead>
          <tbody className={`tabular-nums ${stack.tbody}`}>
            {data.recurring.map((g) => (
              <tr key={`${g.source}|${g.field}|${g.rule}`} className={`border-t border-slate-100 ${stack.row}`}>
                <td className={`${CELL} font-mono`}>
                  <CellLabel>Source</CellLabel>
                  {g.source ?? "—"}
                </td>
                <td className={CELL} title={g.field ?? undefined}>
                  <CellLabel>Field</CellLabel>
                  {g.field ? pathLabel(fieldToPath(g.field)) : "—"}
                </td>
                <td className={CELL}>
                  <CellLabel>Rule</CellLabel>
                  {ruleLabel(g.rule)}
                </td>
                <td className={`${INLINE} ${stack.end} font-semibold`}>
                  <CellLabel>Opened</CellLabel>
                  {g.total}
                </td>
                <td className={`${INLINE} ${stack.end}`}>
                  <CellLabel>Still open</CellLabel>
                  {g.open + g.claimed}
                </td>
                <td className={`${CELL} md:pl-3`}>
                  <CellLabel>Policy</CellLabel>
                  {g.policy ? <Badge tone={g.policy === "auto" ? "green" : "amber"}>{g.policy}</Badge> : "—"}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        </div>
      ) : (
        <p className="text-sm text-slate-600">No exception opened in this window.</p>
      )}
    </Card>
  );
}
