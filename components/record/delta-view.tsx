"use client";

import Link from "next/link";
import { CAUSE_LABEL, CAUSE_ORDER, CAUSE_STYLE, type Cause } from "../lib/causes";
import type { Lineage } from "@/shared/lineage";
import { describePath, getAt, leafPaths, parsePath, pathLabel } from "../../shared/format";
import { CauseChip } from "../ui/badges";
import { CellLabel, stack } from "../ui/stack-table";
import { ValueView } from "./value-view";


export interface DeltaItemView {
  path: string;
  before: unknown;
  after: unknown;
  cause: string;
  lineage: unknown;
}

export interface ConflictMark {
  /** JSON pointer prefix of the disputed field, e.g. "/case/severity" or "/artifacts". */
  prefix: string;
  exceptionId: string;
  rule: string;
  message: string;
}

export interface DeltaViewProps {
  delta: DeltaItemView[];
  after: { version: number; record: unknown; lineage: unknown };
  beforeLabel: string;
  afterLabel: string;
  summary?: string | null;
  conflicts?: ConflictMark[];
  /** The exception page already says what the conflict is; the record page needs the callout. */
  showConflictCallout?: boolean;
  onField: (path: string, version: number) => void;
}

const covers = (prefix: string, path: string) => path === prefix || path.startsWith(`${prefix}/`);

export function lineageAt(map: Record<string, Lineage>, path: string): Lineage | null {
  const tokens = parsePath(path);
  for (let i = tokens.length; i > 0; i--) {
    const p = "/" + tokens.slice(0, i).map((t) => t.replace(/~/g, "~0").replace(/\//g, "~1")).join("/");
    if (map[p]) return map[p]!;
  }
  return null;
}

/**
 * The delta trace of one version (or of any two versions) side by side: before left, after
 * right, grouped and coloured by cause. New diagnostics lead; routine ticket-note carry-forward
 * sits apart at the end; unchanged fields are folded away as "carried forward".
 */
export function DeltaView({ delta, after, beforeLabel, afterLabel, summary, conflicts = [], showConflictCallout = true, onField }: DeltaViewProps) {
  const byCause = new Map<Cause, DeltaItemView[]>();
  for (const d of delta) {
    const c = d.cause as Cause;
    byCause.set(c, [...(byCause.get(c) ?? []), d]);
  }
  const present = CAUSE_ORDER.filter((c) => byCause.has(c));
  const substantive = present.filter((c) => c !== "routine_carry_forward");
  const routine = byCause.get("routine_carry_forward") ?? [];
  const lineage = (after.lineage ?? {}) as Record<string, Lineage>;
  const unchanged = leafPaths(after.record).filter((p) => p && !delta.some((d) => covers(d.path, p)));
  const conflictOf = (path: string) => conflicts.find((c) => covers(c.prefix, path) || covers(path, c.prefix));
  const disputed = unchanged.filter((p) => conflictOf(p));

  return (
    <div className="space-y-4" data-testid="delta-view">
      {summary ? (
        <p className="rounded-md border border-slate-200 bg-white px-3 py-2.5 text-sm leading-relaxed text-slate-800" data-testid="delta-summary">
          {summary}
        </p>
      ) : null}
      {conflicts.length && showConflictCallout ? (
        <ul className="space-y-1.5">
          {conflicts.map((c) => (
            <li key={c.exceptionId + c.prefix} className="flex flex-wrap items-center gap-2 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-950">
              <span className="font-semibold">⚠ Conflict on {pathLabel(c.prefix)}:</span>
              <span className="min-w-[14rem] flex-1">{c.message}</span>
              <Link href={`/exceptions/${encodeURIComponent(c.exceptionId)}`} className="font-medium text-blue-800 underline">
                Open exception
              </Link>
            </li>
          ))}
        </ul>
      ) : null}
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1.5 text-xs text-slate-700" aria-label="Legend: colour by cause">
        <span className="font-medium text-slate-600">Legend</span>
        {present.length ? (
          present.map((c) => (
            <span key={c} className="inline-flex items-center gap-1">
              <CauseChip cause={c} long />
              <span className="tabular-nums text-slate-600">×{byCause.get(c)!.length}</span>
            </span>
          ))
        ) : (
          <span className="text-slate-600">no changed fields</span>
        )}
      </div>

      {substantive.map((cause) => (
        <CauseGroup key={cause} cause={cause} items={byCause.get(cause)!} beforeLabel={beforeLabel} afterLabel={afterLabel} version={after.version} afterRecord={after.record} conflictOf={conflictOf} onField={onField} />
      ))}
      {!substantive.length && delta.length ? <p className="text-sm text-slate-700">No substantive change: only routine ticket notes were carried forward.</p> : null}
      {!delta.length ? <p className="text-sm text-slate-700">Nothing changed between these versions.</p> : null}

      {routine.length ? (
        <div className="border-t border-dashed border-slate-300 pt-4">
          <p className="mb-2 text-xs text-slate-600">Routine ticket-note carry-forward is not new evidence: the ticket&apos;s notes, brought into the record as written.</p>
          <CauseGroup cause="routine_carry_forward" items={routine} beforeLabel={beforeLabel} afterLabel={afterLabel} version={after.version} afterRecord={after.record} conflictOf={conflictOf} onField={onField} />
        </div>
      ) : null}

      {disputed.length ? (
        <section aria-labelledby="disputed-title" className="overflow-hidden rounded-md border border-amber-300 border-l-4 border-l-amber-500 bg-white" data-testid="disputed-unchanged">
          <h3 id="disputed-title" className="border-b border-amber-200 bg-amber-50 px-3 py-2 text-sm font-semibold text-amber-950">
            ⚠ In dispute but unchanged · {disputed.length} field{disputed.length === 1 ? "" : "s"}
          </h3>
          <UnchangedTable paths={disputed} after={after} lineage={lineage} conflictOf={conflictOf} onField={onField} caption="Fields in dispute that this version carries forward unchanged" />
        </section>
      ) : null}

      <details className="group rounded-md border border-slate-200 bg-white" data-testid="carried-forward">
        <summary className="cursor-pointer select-none list-none px-3 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50">
          <span aria-hidden="true" className="mr-1.5 inline-block transition-transform group-open:rotate-90">
            ▸
          </span>
          Carried forward unchanged · {unchanged.length} field{unchanged.length === 1 ? "" : "s"}
        </summary>
        <div className="border-t border-slate-200">
          <UnchangedTable paths={unchanged} after={after} lineage={lineage} conflictOf={conflictOf} onField={onField} caption={`Fields carried forward unchanged into ${afterLabel}`} />
        </div>
      </details>
    </div>
  );
}

function UnchangedTable({
  paths,
  after,
  lineage,
  conflictOf,
  onField,
  caption,
}: {
  paths: string[];
  after: DeltaViewProps["after"];
  lineage: Record<string, Lineage>;
  conflictOf: (path: string) => ConflictMark | undefined;
  onField: (path: string, version: number) => void;
  caption: string;
}) {
  return (
    <div className="relative overflow-x-auto">
      {/* Below 768 px each field is a card (components/ui/stack-table.tsx): nothing scrolls sideways. */}
      <table className={`w-full min-w-[560px] table-fixed max-md:min-w-0 ${stack.table}`}>
        <caption className="sr-only">{caption}</caption>
        <thead className={`bg-slate-50 text-left text-xs text-slate-600 ${stack.thead}`}>
          <tr>
            <th scope="col" className="w-[30%] px-3 py-1.5 font-medium">
              Field
            </th>
            <th scope="col" className="px-3 py-1.5 font-medium">
              Value
            </th>
            <th scope="col" className="w-[26%] px-3 py-1.5 font-medium">
              From
            </th>
          </tr>
        </thead>
        <tbody className={stack.tbody}>
          {paths.map((p) => {
            const lin = lineageAt(lineage, p);
            return (
              <tr key={p} className={`border-t border-slate-100 align-top ${stack.row} ${conflictOf(p) ? "bg-amber-50" : ""}`} data-path={p}>
                <td className={`${stack.cell} md:py-1.5`}>
                  <FieldButton path={p} docs={[after.record]} onClick={() => onField(p, after.version)} />
                </td>
                <td className={`${stack.cell} md:py-1.5`}>
                  <CellLabel>Value</CellLabel>
                  <ValueView value={getAt(after.record, p)} fieldKey={parsePath(p).pop()} />
                </td>
                <td className={`${stack.cell} text-xs text-slate-600 md:py-1.5`}>
                  <CellLabel>From</CellLabel>
                  {lin ? `${lin.source === "manual_override" ? "manual override" : lin.source} ${lin.entityId} v${lin.entityVersion}` : "—"}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** A changed field's name; it opens the field's lineage. List items are named, not numbered. */
export function FieldButton({ path, docs, onClick }: { path: string; docs: unknown[]; onClick: () => void }) {
  const [section, ...rest] = describePath(path, ...docs).split(" › ");
  return (
    <button type="button" onClick={onClick} className="rounded text-left text-[13px] text-slate-900 underline decoration-slate-300 decoration-dotted underline-offset-4 hover:decoration-blue-700" title={`Lineage of ${path}`} data-path={path}>
      <span className="text-slate-600">{section}</span>
      {rest.length ? <span className="break-words"> › {rest.join(" › ")}</span> : null}
    </button>
  );
}

/** A removed item is gone from the after-record: name it from its own before value. */
function rowDocs(d: DeltaItemView, afterRecord: unknown): unknown[] {
  const tokens = parsePath(d.path);
  if (/^\d+$/.test(tokens.at(-1) ?? "")) {
    const own: Record<string, unknown> = {};
    let cur = own;
    tokens.slice(0, -1).forEach((t) => {
      cur = cur[t] = {} as Record<string, unknown>;
    });
    cur[tokens.at(-1)!] = d.after ?? d.before;
    return d.after === null ? [own] : [afterRecord, own];
  }
  return [afterRecord];
}

function CauseGroup({
  cause,
  items,
  beforeLabel,
  afterLabel,
  version,
  afterRecord,
  conflictOf,
  onField,
}: {
  cause: Cause;
  items: DeltaItemView[];
  beforeLabel: string;
  afterLabel: string;
  version: number;
  afterRecord: unknown;
  conflictOf: (path: string) => ConflictMark | undefined;
  onField: (path: string, version: number) => void;
}) {
  const style = CAUSE_STYLE[cause];
  const headingId = `cause-${cause}`;
  return (
    <section aria-labelledby={headingId} className={`overflow-hidden rounded-md border border-slate-200 border-l-4 bg-white ${style.edge}`} data-testid={`cause-group-${cause}`}>
      <h3 id={headingId} className="flex items-center gap-2 border-b border-slate-200 px-3 py-2 text-sm font-semibold text-slate-900">
        <CauseChip cause={cause} long />
        <span className="font-normal text-slate-600">
          {items.length} field{items.length === 1 ? "" : "s"}
        </span>
        <span className="sr-only">{CAUSE_LABEL[cause]}</span>
      </h3>
      <div className="relative hidden overflow-x-auto md:block">
        <table className="w-full min-w-[600px] table-fixed text-sm">
          <thead className="text-left text-xs text-slate-600">
            <tr>
              <th scope="col" className="w-[24%] px-3 py-1.5 font-medium">
                Field
              </th>
              <th scope="col" className="w-[38%] px-3 py-1.5 font-medium">
                Before · {beforeLabel}
              </th>
              <th scope="col" className="w-[38%] px-3 py-1.5 font-medium">
                After · {afterLabel}
              </th>
            </tr>
          </thead>
          <tbody>
            {items.map((d) => {
              const conflict = conflictOf(d.path);
              return (
                <tr key={d.path} className={`border-t border-slate-100 align-top ${conflict ? "bg-amber-50 outline outline-2 -outline-offset-2 outline-amber-400" : ""}`} data-cause={d.cause} data-path={d.path}>
                  <td className="px-3 py-2">
                    <FieldButton path={d.path} docs={rowDocs(d, afterRecord)} onClick={() => onField(d.path, version)} />
                    {conflict ? (
                      <Link href={`/exceptions/${encodeURIComponent(conflict.exceptionId)}`} className="mt-1 block text-xs font-medium text-amber-900 underline">
                        ⚠ conflict — open exception
                      </Link>
                    ) : null}
                  </td>
                  <td className="px-3 py-2 text-slate-700">
                    {d.before === null ? <span className="text-xs italic text-slate-500">added</span> : <ValueView value={d.before} fieldKey={parsePath(d.path).pop()} />}
                  </td>
                  <td className={`px-3 py-2 ${style.row}`}>
                    {d.after === null ? <span className="text-xs italic text-slate-600">removed</span> : <ValueView value={d.after} fieldKey={parsePath(d.path).pop()} />}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {/* Below 768 px each change is a card with before stacked over after: nothing hides off-screen (after the table, so the table's rows come first in the DOM). */}
      <ul className="divide-y divide-slate-100 md:hidden" aria-label={`${CAUSE_LABEL[cause]}: changed fields`}>
        {items.map((d) => {
          const conflict = conflictOf(d.path);
          return (
            <li key={d.path} className={`space-y-1.5 px-3 py-2 text-sm ${conflict ? "bg-amber-50" : ""}`} data-card-path={d.path}>
              <FieldButton path={d.path} docs={rowDocs(d, afterRecord)} onClick={() => onField(d.path, version)} />
              {conflict ? (
                <Link href={`/exceptions/${encodeURIComponent(conflict.exceptionId)}`} className="block text-xs font-medium text-amber-900 underline">
                  ⚠ conflict — open exception
                </Link>
              ) : null}
              <div className="rounded border border-slate-200 px-2 py-1.5 text-slate-700">
                <p className="text-[11px] font-medium uppercase tracking-wide text-slate-600">Before · {beforeLabel}</p>
                {d.before === null ? <span className="text-xs italic text-slate-600">added</span> : <ValueView value={d.before} fieldKey={parsePath(d.path).pop()} />}
              </div>
              <div className={`rounded border border-slate-200 px-2 py-1.5 ${style.row}`}>
                <p className="text-[11px] font-medium uppercase tracking-wide text-slate-600">After · {afterLabel}</p>
                {d.after === null ? <span className="text-xs italic text-slate-600">removed</span> : <ValueView value={d.after} fieldKey={parsePath(d.path).pop()} />}
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
