import type { Tx } from "../db/client";
import type { LiveException } from "../exceptions/sync-exceptions";
import type { SourceKind } from "../intake/event-schemas";
import type { OverrideRow } from "./active-overrides";
import type { CandidateEvent } from "./sql/candidate-events";
import { readCaseContext, type VersionRow } from "./sql/case-context";
import type { InputRow } from "./sql/case-inputs";
import { fromJson } from "./sql/statement";
import type { CaseInputs, EntityState } from "./types";

/**
 * Step 1 of a refresh (docs/architecture.md, "The refresh pipeline"): everything it reads, in one
 * statement (sql/case-context.ts), parsed once: the case's counters and bookkeeping, its current
 * and held versions, its inputs sorted by source, and the events it may decide about.
 */

export interface SourceLookup {
  byId: Map<string, { name: string; kind: SourceKind }>;
}

export type { CandidateEvent } from "./sql/candidate-events";
export type { VersionRow as StoredVersion } from "./sql/case-context";

/** What a refresh knows of its case before it builds anything. */
export interface LoadedCase {
  current: VersionRow | null;
  /** The newest held candidate (there is at most one: a newer one supersedes it). */
  held: VersionRow | null;
  lastVersion: number;
  openExceptionCount: number;
  overrides: OverrideRow[];
  approvals: { rule: string; fingerprint: string; exceptionId: string }[];
  live: LiveException[];
  inputs: CaseInputs;
  events: CandidateEvent[];
}

/** Reads the case (locked by the caller) in one round trip; `eventIds` are the events being processed. */
export async function loadCase(tx: Tx, caseId: string, eventIds: string[], sources: SourceLookup): Promise<LoadedCase> {
  const [row] = await readCaseContext(tx, [caseId, eventIds]);
  if (!row) throw new Error(`case ${caseId} vanished under its lock`);
  return {
    current: row.current === null ? null : fromJson(row.current),
    held: row.held === null ? null : fromJson(row.held),
    lastVersion: Number(row.lastVersion),
    openExceptionCount: Number(row.openExceptionCount),
    overrides: fromJson(row.overrides),
    approvals: fromJson(row.approvals),
    live: fromJson(row.live),
    inputs: toCaseInputs(caseId, fromJson(row.inputs), sources),
    events: fromJson(row.events),
  };
}

function toState(row: InputRow, sources: SourceLookup): EntityState<unknown> | null {
  const source = sources.byId.get(row.sourceId);
  if (!source) return null;
  return {
    sourceId: row.sourceId,
    sourceName: source.name,
    sourceKind: source.kind,
    rowId: row.rowId,
    entityKind: row.entityKind,
    entityId: row.entityId,
    version: Number(row.version),
    eventId: row.eventId,
    webhookId: row.webhookId,
    occurredAt: new Date(row.occurredAt).toISOString(),
    receivedAt: new Date(row.receivedAt).toISOString(),
    data: typeof row.data === "string" ? JSON.parse(row.data) : row.data,
  };
}

const newest = <T>(states: EntityState<T>[]) =>
  [...states].sort((a, b) => b.occurredAt.localeCompare(a.occurredAt) || b.version - a.version || a.sourceName.localeCompare(b.sourceName))[0] ?? null;

/** Sorts the rows of the case-inputs read (sql/case-inputs.ts) into a case's inputs; the newest ticket decides which account and environment count. */
export function toCaseInputs(caseId: string, rows: InputRow[], sources: SourceLookup): CaseInputs {
  const states = rows.map((r) => toState(r, sources)).filter((s): s is EntityState<unknown> => s !== null);
  const of = (kind: SourceKind, entityKinds: string[]) => states.filter((s) => s.sourceKind === kind && entityKinds.includes(s.entityKind));
  const inputs: CaseInputs = {
    caseId,
    tickets: of("ticketing", ["ticket"]) as CaseInputs["tickets"],
    bundles: of("diagnostics", ["bundle"]) as CaseInputs["bundles"],
    incidents: of("incident", ["incident"]) as CaseInputs["incidents"],
    entitlement: null,
    environment: null,
  };
  const ticket = newest(inputs.tickets);
  if (!ticket) return inputs;
  const { accountId, environmentId } = ticket.data;
  inputs.entitlement = newest(of("entitlement", ["account"]).filter((s) => s.entityId === accountId)) as CaseInputs["entitlement"];
  inputs.environment = environmentId
    ? (newest(of("environment", ["environment"]).filter((s) => s.entityId === environmentId)) as CaseInputs["environment"])
    : null;
  return inputs;
}
