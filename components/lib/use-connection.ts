"use client";

import { useQueryClient, type Query } from "@tanstack/react-query";
import { useCallback, useSyncExternalStore } from "react";

export interface ConnectionState {
  /** True while a query the page shows cannot reach the server (network error or 5xx). */
  lost: boolean;
  /** When the oldest data the page still shows from a failing query was fetched (ms). */
  asOf: number | null;
}

/** A failure of the connection, not an answer: no HTTP status (network) or a 5xx (503 outage). */
function connectionFailure(err: unknown): boolean {
  if (!err || typeof err !== "object") return false;
  const status = (err as { data?: { httpStatus?: unknown } }).data?.httpStatus;
  return typeof status !== "number" || status >= 500;
}

/**
 * A query is failing while its latest attempt failed: a retry is pending (fetchFailureCount) or
 * the last error came after the last data. The next success clears both, so the state recovers
 * by itself when the polling gets through again.
 */
function failing(q: Query): boolean {
  if (!q.getObserversCount()) return false;
  const s = q.state;
  if (s.fetchFailureCount > 0) return connectionFailure(s.fetchFailureReason);
  return s.errorUpdatedAt > s.dataUpdatedAt && connectionFailure(s.error);
}

function snapshotOf(queries: Query[]): string {
  const bad = queries.filter(failing);
  if (!bad.length) return "ok";
  const times = bad.map((q) => q.state.dataUpdatedAt).filter((t) => t > 0);
  return `lost:${times.length ? Math.min(...times) : ""}`;
}

/** Whether live updates are getting through, across every query on the page. */
export function useConnection(): ConnectionState {
  const client = useQueryClient();
  const cache = client.getQueryCache();
  const subscribe = useCallback((l: () => void) => cache.subscribe(l), [cache]);
  const snap = useSyncExternalStore(
    subscribe,
    () => snapshotOf(cache.getAll()),
    () => "ok",
  );
  if (snap === "ok") return { lost: false, asOf: null };
  const t = snap.slice("lost:".length);
  return { lost: true, asOf: t ? Number(t) : null };
}
