import type { Tx } from "../db/client";

export interface CurrentChange {
  caseId: string;
  version: number;
  previousVersion: number | null;
  causes: string[];
  summary: string;
}

/**
 * Writes the feed row for a case's new current version, inside the transaction that makes it
 * current, so the row commits (or rolls back) with the change itself. It has no position yet: that
 * comes after commit (append-changes.ts).
 */
export async function recordCurrentChange(tx: Tx, change: CurrentChange): Promise<void> {
  await tx.$executeRawUnsafe(
    `INSERT INTO "FeedChange" ("caseId", "version", "previousVersion", "causes", "summary", "at")
     VALUES ($1, $2, $3, $4::text[]::"DeltaCause"[], $5, clock_timestamp())`,
    change.caseId,
    change.version,
    change.previousVersion,
    change.causes,
    change.summary,
  );
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
