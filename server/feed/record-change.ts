import type { SqlParams } from "../db/sql-params";

export interface CurrentChange {
  caseId: string;
  version: number;
  previousVersion: number | null;
  causes: string[];
  summary: string;
}

/**
 * The INSERT of the feed row for a case's new current version, sent within the statement that makes
 * it current (server/refresh/sql/refresh-writes.ts), so the row commits (or rolls back) with the change
 * itself. It has no position yet: that comes after commit (append-changes.ts).
 */
export function currentChangeSql(p: SqlParams, change: CurrentChange): string {
  return `INSERT INTO "FeedChange" ("caseId", "version", "previousVersion", "causes", "summary", "at")
     VALUES (${p.add(change.caseId)}, ${p.add(change.version)}::int, ${p.add(change.previousVersion)}::int, ${p.add(change.causes)}::text[]::"DeltaCause"[], ${p.add(change.summary)}, clock_timestamp())`;
}

type Listener = () => void;
const g = globalThis as unknown as { __errFeedListeners?: Set<Listener> };
// On globalThis: Next bundles route files separately, and a refresh in the worker must wake a
// long-poll answered by a route bundle of the same process.
const listeners = (g.__errFeedListeners ??= new Set());

/** Called when an append has made changes readable: wakes this process's long-polls. */
export function signalFeedChange(): void {
  for (const l of listeners) l();
}

export function onFeedChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
