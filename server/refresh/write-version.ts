import type { Tx } from "../db/client";
import { clearExceptions, syncExceptions, type LiveException } from "../exceptions/sync-exceptions";
import { currentChangeSql } from "../feed/record-change";
import { newId } from "../lib/ids";
import { canonical } from "../../shared/pointer";
import { sameOverrides } from "./compute-delta";
import type { StoredVersion } from "./load-case";
import type { CaseOutcome } from "./record-outcomes";
import { insertDeltaEntries } from "./sql/insert-delta-entries";
import { insertVersion } from "./sql/insert-version";
import { promoteHeld } from "./sql/promote-held";
import type { RefreshWrites } from "./sql/refresh-writes";
import { supersedeCurrent } from "./sql/supersede-current";
import { updateCaseColumns, type CaseColumnValues } from "./sql/update-case-columns";
import { causesOf, summarise } from "./summarise";
import type { Candidate, DeltaItem, LineageMap, RecordDoc, RuleHit } from "./types";

/**
 * The write step of a refresh (docs/architecture.md, "The refresh pipeline"): given the candidate,
 * its delta and the rules' hits, decide — keep the current version, hold the candidate behind
 * exceptions, or make it current — and gather the writes that decision makes (sql/refresh-writes.ts;
 * they are sent with the events' outcomes by record-outcomes.ts). Exceptions are written here, by
 * server/exceptions/sync-exceptions.ts.
 */

export interface RefreshResult {
  caseId: string;
  outcome: CaseOutcome;
  /** The version this refresh made (or promoted); null when none. */
  version: number | null;
  /** Events whose state is in the candidate. */
  eventIds: string[];
}

export interface RefreshOptions {
  /** Events being processed that touch this case: their per-case outcome is recorded. */
  eventIds?: string[];
  triggerEventId?: string;
  approval?: { exceptionId: string; by: string; at: string };
}

/** What a refresh decided: the result, the version (with lineage) its events are counted against. */
export interface Decision {
  result: RefreshResult;
  refersTo: { version: number; lineage: LineageMap } | null;
}

/** Everything the write step works from. */
export interface Step {
  tx: Tx;
  /** Writes sent together at the end of the refresh. */
  writes: RefreshWrites;
  caseId: string;
  lastVersion: number;
  openExceptionCount: number;
  live: LiveException[];
  current: StoredVersion | null;
  held: StoredVersion | null;
  candidate: Candidate;
  delta: DeltaItem[];
  hits: RuleHit[];
  schemaVersion: number;
  opts: RefreshOptions;
}

/** A decision with the exceptions left live after it and the case columns it changes. */
interface Decided extends Decision {
  openExceptions: number;
  caseData?: { lastVersion: number; currentVersion?: number; lastCauses?: string[]; lastSummary?: string };
}

const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);

/** Decides, writes the exceptions, and gathers the version writes and the case's columns. */
export async function writeVersion(s: Step): Promise<Decision> {
  const { current, candidate } = s;
  const decided =
    current && same(candidate.record, current.record) && sameOverrides(candidate.lineage, current.lineage)
      ? await keepCurrent(s, current)
      : s.hits.length
        ? await holdCandidate(s)
        : await makeCurrent(s);
  const columns = caseColumns(candidate.record, decided, s.openExceptionCount);
  if (columns) s.writes.add(updateCaseColumns, [s.caseId, columns.values, columns.becameCurrent]);
  return { result: decided.result, refersTo: decided.refersTo };
}

/** The candidate is the current record: nothing new to store; exceptions follow the rules' verdict. */
async function keepCurrent(s: Step, current: StoredVersion): Promise<Decided> {
  const { tx, caseId, candidate } = s;
  // The newest candidate is the current record, so no older held candidate stays under review.
  if (s.held) await tx.recordVersion.updateMany({ where: { caseId, status: "held" }, data: { status: "superseded" } });
  const openExceptions = s.hits.length
    ? await syncExceptions(tx, caseId, s.live, s.hits, current.version)
    : await clearExceptions(tx, s.live, "The sources no longer conflict with the current record.");
  const outcome = s.hits.length ? ("held" as const) : ("no_change" as const);
  return { result: { caseId, outcome, version: null, eventIds: candidate.eventIds }, refersTo: current, openExceptions };
}

/** A rule fired: the candidate is stored (or kept) as held and the current version stays current. */
async function holdCandidate(s: Step): Promise<Decided> {
  const { tx, caseId, candidate, held } = s;
  if (held && same(candidate.record, held.record)) {
    const openExceptions = await syncExceptions(tx, caseId, s.live, s.hits, held.version);
    return { result: { caseId, outcome: "held", version: null, eventIds: candidate.eventIds }, refersTo: held, openExceptions };
  }
  const version = s.lastVersion + 1;
  if (held) await tx.recordVersion.updateMany({ where: { caseId, status: "held" }, data: { status: "superseded" } });
  addVersion(s, version, "held", null);
  const openExceptions = await syncExceptions(tx, caseId, s.live, s.hits, version);
  return {
    result: { caseId, outcome: "held", version, eventIds: candidate.eventIds },
    refersTo: { version, lineage: candidate.lineage },
    openExceptions,
    caseData: { lastVersion: version },
  };
}

/** No rule fired: the candidate becomes the one current version (a held twin is promoted, not copied). */
async function makeCurrent(s: Step): Promise<Decided> {
  const { tx, writes, caseId, candidate, current, held, delta, opts } = s;
  // The old current version stops being current before the new one becomes it (RefreshWrites' `after`).
  const superseded = current ? writes.add(supersedeCurrent, [current.id]) : null;
  const promote = held && same(candidate.record, held.record) && sameOverrides(candidate.lineage, held.lineage) ? held : null;
  const version = promote ? promote.version : s.lastVersion + 1;
  const lineage = { ...candidate.lineage };
  const summary = summarise({ caseId, version, first: !current, delta, hits: [], approvedBy: opts.approval?.by, records: { after: candidate.record, before: current?.record } });
  if (promote) {
    // Lineage records who approved the fields this version changed.
    if (opts.approval) for (const d of delta) if (lineage[d.path]) lineage[d.path] = { ...lineage[d.path]!, approval: opts.approval };
    writes.add(promoteHeld, [promote.id, JSON.stringify(lineage), summary], { after: superseded });
  }
  if (held) await tx.recordVersion.updateMany({ where: { caseId, status: "held", version: { not: version } }, data: { status: "superseded" } });
  if (!promote) addVersion(s, version, "current", superseded);
  // The feed carries the summary the version stores (addVersion's own when it is a new row).
  const stored = promote ? summary : summarise({ caseId, version, first: !current, delta, hits: [] });
  writes.add(currentChangeSql, { caseId, version, previousVersion: current?.version ?? null, causes: causesOf(delta), summary: stored });
  const openExceptions = await clearExceptions(tx, s.live, "The refreshed record no longer conflicts; it became current.");
  return {
    result: { caseId, outcome: "applied", version, eventIds: candidate.eventIds },
    refersTo: { version, lineage },
    openExceptions,
    caseData: { lastVersion: Math.max(version, s.lastVersion), currentVersion: version, lastCauses: causesOf(delta), lastSummary: summary },
  };
}

/** The version and its delta entries (sql/insert-version.ts, sql/insert-delta-entries.ts). */
function addVersion(s: Step, version: number, status: "current" | "held", after: string | null): void {
  const { writes, caseId, candidate, delta, opts } = s;
  const text = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
  const summary = summarise({ caseId, version, first: !s.current, delta, hits: status === "held" ? s.hits : [], records: { after: candidate.record, before: s.current?.record } });
  const v = writes.add(
    insertVersion,
    [
      newId("ver"),
      caseId,
      version,
      status,
      status === "current" ? true : null,
      JSON.stringify(candidate.record),
      JSON.stringify(candidate.lineage),
      summary,
      causesOf(delta),
      s.current?.version ?? null,
      s.schemaVersion,
      opts.triggerEventId ?? opts.eventIds?.[0] ?? null,
    ],
    { after },
  );
  if (!delta.length) return;
  writes.add(
    insertDeltaEntries,
    [
      caseId,
      delta.map(() => newId("dlt")),
      delta.map((d) => d.path),
      delta.map((d) => text(d.before)),
      delta.map((d) => text(d.after)),
      delta.map((d) => d.cause),
      delta.map((d) => JSON.stringify(d.lineage)),
    ],
    { version: v },
  );
}

/** The list columns of the case follow its current record; the exception count follows every refresh. Null: nothing changes. */
function caseColumns(record: RecordDoc, decision: Decided, openBefore: number): { values: CaseColumnValues; becameCurrent: boolean } | null {
  if (!decision.caseData && decision.openExceptions === openBefore) return null;
  const values: CaseColumnValues = { ...decision.caseData, openExceptionCount: decision.openExceptions };
  const becameCurrent = decision.result.outcome === "applied";
  if (becameCurrent) {
    const c = record.case as Record<string, string | undefined>;
    const e = record.entitlement as Record<string, string | undefined> | undefined;
    Object.assign(values, {
      accountId: c.accountId ?? null,
      customerName: c.customerName ?? null,
      subject: c.subject ?? null,
      severity: c.severity ?? null,
      status: c.status ?? null,
      productCode: c.product ?? null,
      tier: e?.tier ?? null,
    });
  }
  return { values, becameCurrent };
}
