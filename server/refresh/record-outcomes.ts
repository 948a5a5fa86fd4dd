import type { Tx } from "../db/client";
import type { EventStatus } from "../db/generated/client";
import { newId } from "../lib/ids";
import type { SourceLookup } from "./load-case";
import { settleEventStatus } from "./settle-events";
import type { CandidateEvent } from "./sql/candidate-events";
import type { RefreshWrites } from "./sql/refresh-writes";
import { upsertEventOutcomes } from "./sql/upsert-event-outcomes";
import type { LineageMap } from "./types";

export type CaseOutcome = "applied" | "held" | "no_change" | "waiting";

export interface OutcomeInput {
  caseId: string;
  outcome: CaseOutcome;
  /** The version the outcome refers to: the new or promoted current, the held candidate, or the unchanged current. */
  version: number | null;
  /** That version's lineage: an event counts for it only when its exact entity version is in there. */
  lineage: LineageMap | null;
  /** Events being processed that touch the case. */
  eventIds: string[];
  /**
   * Entities folded into the candidate (SourceEntity keys and the event whose state was read): their
   * waiting events are settled now, and the event read gets this case's outcome if it has none yet.
   */
  folded: { sourceId: string; entityId: string; eventId: string }[];
}

const lineageKey = (source: string, entityId: string, version: number) => `${source}\u0000${entityId}\u0000${version}`;

export interface DecidedOutcomes {
  /** Per-case outcome rows to write (EventCase). */
  rows: { id: string; outcome: EventStatus; version: number | null }[];
  /** Events other than those being processed whose status may move now (waiting or held before). */
  extra: string[];
}

/**
 * Per-case outcome of every event this refresh decides: the events being processed, events that
 * waited for the case's ticket and are folded in now, and events the case held behind an exception
 * that no longer holds it. An event is applied (or held) only where its own entity version is in
 * the resulting version's lineage; an event a newer version superseded before it counted is
 * no_change. An existing applied outcome is never rewritten (see sql/upsert-event-outcomes.ts), so a retried
 * event counts once.
 */
export function decideOutcomes(sources: SourceLookup, input: OutcomeInput, candidates: CandidateEvent[]): DecidedOutcomes {
  const { outcome } = input;
  const settling = outcome !== "waiting";
  const processing = new Set(input.eventIds);
  const folded = new Set(input.folded.map((f) => `${f.sourceId}\u0000${f.entityId}`));
  const releasesHeld = outcome === "applied" || outcome === "no_change";
  const read = new Set(input.folded.map((f) => f.eventId));
  const rows = candidates.filter(
    (e) =>
      processing.has(e.id) ||
      (settling && e.status === "waiting" && folded.has(`${e.sourceId}\u0000${e.entityId}`)) ||
      (settling && (e.caseOutcome === "waiting" || (releasesHeld && e.caseOutcome === "held"))) ||
      (settling && e.caseOutcome === null && read.has(e.id) && e.status !== "received"),
  );
  const inLineage = new Set(Object.values(input.lineage ?? {}).map((l) => lineageKey(l.source, l.entityId, l.entityVersion)));
  const decided = rows.map((e) => {
    const source = sources.byId.get(e.sourceId)?.name ?? e.sourceId;
    let o: EventStatus = "no_change";
    let v: number | null = null;
    if (outcome === "waiting") o = "waiting";
    else if (e.status === "quarantined") o = "quarantined";
    else if (inLineage.has(lineageKey(source, e.entityId, Number(e.entityVersion)))) {
      // Unchanged record that already holds this event's state: an earlier refresh applied it.
      o = outcome === "no_change" ? "applied" : outcome;
      v = input.version;
    }
    return { id: e.id, outcome: o, version: v };
  });
  return { rows: decided, extra: rows.filter((r) => !processing.has(r.id)).map((r) => r.id) };
}

/**
 * The refresh's last step (docs/architecture.md, "The refresh pipeline"): the outcome of every event
 * it decided joins the writes gathered so far, all of them go to the database as one statement
 * (sql/refresh-writes.ts), and then the statuses of events that waited or were held elsewhere
 * follow (they read the outcomes just written, so they cannot be part of it). Returns the decided
 * outcomes.
 */
export async function settleOutcomes(tx: Tx, writes: RefreshWrites, sources: SourceLookup, input: OutcomeInput, candidates: CandidateEvent[]): Promise<DecidedOutcomes> {
  const decided = decideOutcomes(sources, input, candidates);
  const { rows } = decided;
  if (rows.length) {
    writes.add(upsertEventOutcomes, [input.caseId, rows.map(() => newId("evc")), rows.map((d) => d.id), rows.map((d) => d.outcome), rows.map((d) => d.version)]);
  }
  await writes.flush(tx);
  // Not "received": an event still in the queue keeps that status until its own batch has refreshed
  // every case it fans out to (docs/api.md).
  if (decided.extra.length) await settleEventStatus(tx, decided.extra, ["waiting", "held", "applied", "no_change"]);
  return decided;
}
