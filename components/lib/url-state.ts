"use client";

import { useSearchParams } from "next/navigation";
import { useCallback, useState } from "react";

/**
 * Filters and selections live in the URL. Next's router follows native history calls
 * (useSearchParams updates) without a server round trip, so changing a filter re-queries tRPC only.
 */
export function writeSearch(params: URLSearchParams, mode: "push" | "replace" = "replace"): void {
  const qs = params.toString();
  const url = `${window.location.pathname}${qs ? `?${qs}` : ""}`;
  if (mode === "push") window.history.pushState(null, "", url);
  else window.history.replaceState(null, "", url);
}

/**
 * The URL's query with `changes` applied. It starts from the address bar, not from a rendered
 * snapshot: two quick clicks must build on each other even before React has re-rendered.
 */
export function withParam(_rendered: unknown, changes: Record<string, string | null | undefined>): URLSearchParams {
  const next = new URLSearchParams(typeof window === "undefined" ? "" : window.location.search);
  for (const [k, v] of Object.entries(changes)) {
    if (v === null || v === undefined || v === "") next.delete(k);
    else next.set(k, v);
  }
  return next;
}

/**
 * The page's query string as state: a change shows at once (controls never lag behind the click)
 * and is written to the address bar; back/forward and links flow back in through useSearchParams.
 */
export function useUrlParams(): [URLSearchParams, (changes: Record<string, string | null | undefined>, mode?: "push" | "replace") => void] {
  const sp = useSearchParams();
  const spString = sp.toString();
  const [state, setState] = useState(() => ({ seen: spString, params: new URLSearchParams(spString) }));
  if (state.seen !== spString) setState({ seen: spString, params: new URLSearchParams(spString) });
  const update = useCallback((changes: Record<string, string | null | undefined>, mode: "push" | "replace" = "replace") => {
    const next = withParam(null, changes);
    writeSearch(next, mode);
    setState((s) => ({ seen: s.seen, params: next }));
  }, []);
  return [state.seen !== spString ? new URLSearchParams(spString) : state.params, update];
}
