"use client";

import { useSuspenseQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTRPC } from "@/components/trpc/client";
import { CAUSE_LABEL, CAUSE_ORDER } from "../lib/causes";
import { useHotkeys } from "../lib/use-hotkeys";
import { Kbd } from "../ui/kbd";
import { hasFilters, type RecordListQuery } from "./params";

const selectClass = "h-8 max-w-[11rem] rounded-md border border-slate-300 bg-white px-2 text-sm text-slate-900 hover:border-slate-400";

export function RecordFilters({ query, onChange }: { query: RecordListQuery; onChange: (c: Record<string, string | null>) => void }) {
  const trpc = useTRPC();
  const { data: facets } = useSuspenseQuery(trpc.records.facets.queryOptions());
  const search = useRef<HTMLInputElement>(null);
  const [text, setText] = useState(query.q ?? "");
  const lastSent = useRef(query.q ?? "");
  const onChangeRef = useRef(onChange);
  useEffect(() => {
    onChangeRef.current = onChange;
  });
  useHotkeys({
    "/": (e) => {
      e.preventDefault();
      search.current?.focus();
      search.current?.select();
    },
  });
  // Typing waits for a pause before it touches the URL and the server.
  useEffect(() => {
    if (text.trim() === lastSent.current) return;
    const t = setTimeout(() => {
      lastSent.current = text.trim();
      onChangeRef.current({ q: text.trim() || null });
    }, 250);
    return () => clearTimeout(t);
  }, [text]);
  // Back/forward or "clear filters" changes the URL under us.
  useEffect(() => {
    if ((query.q ?? "") !== lastSent.current) {
      lastSent.current = query.q ?? "";
      setText(query.q ?? "");
    }
  }, [query.q]);

  const severities = new Set<string>(query.severity ?? []);
  const toggleSeverity = (s: string) => {
    const next = new Set(severities);
    if (next.has(s)) next.delete(s);
    else next.add(s);
    onChange({ sev: [...next].sort().join(",") || null });
  };
  const exc = query.hasException === undefined ? "" : query.hasException ? "yes" : "no";

  return (
    <form role="search" aria-label="Filter records" className="flex flex-wrap items-center gap-2" onSubmit={(e) => e.preventDefault()}>
      <div className="relative w-full sm:w-72">
        <input
          ref={search}
          type="search"
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder="Search case, account, customer…"
          aria-label="Search by case, account or customer"
          className="h-8 w-full rounded-md border border-slate-300 bg-white pl-2.5 pr-8 text-sm placeholder:text-slate-500"
        />
        <span className="pointer-events-none absolute right-2 top-1.5" aria-hidden="true">
          <Kbd>/</Kbd>
        </span>
      </div>
      <fieldset className="flex items-center gap-0.5 rounded-md border border-slate-300 bg-white p-0.5">
        <legend className="sr-only">Severity</legend>
        {["S1", "S2", "S3", "S4"].map((s) => (
          <button
            key={s}
            type="button"
            aria-pressed={severities.has(s)}
            onClick={() => toggleSeverity(s)}
            className={`h-6 rounded px-2 text-xs font-semibold ${severities.has(s) ? "bg-slate-800 text-white" : "text-slate-700 hover:bg-slate-100"}`}
          >
            {s}
          </button>
        ))}
      </fieldset>
      <select aria-label="Status" className={selectClass} value={query.status?.join(",") ?? ""} onChange={(e) => onChange({ status: e.target.value || null })}>
        <option value="">Any status</option>
        <option value="open,pending">Open or pending</option>
        {["open", "pending", "solved", "closed"].map((s) => (
          <option key={s} value={s}>
            {s.charAt(0).toUpperCase() + s.slice(1)}
          </option>
        ))}
      </select>
      <select aria-label="Tier" className={selectClass} value={query.tier?.join(",") ?? ""} onChange={(e) => onChange({ tier: e.target.value || null })}>
        <option value="">All tiers</option>
        {facets.tiers.map((t) => (
          <option key={t.code} value={t.code}>
            {t.name}
          </option>
        ))}
      </select>
      <select aria-label="Product" className={selectClass} value={query.product?.join(",") ?? ""} onChange={(e) => onChange({ product: e.target.value || null })}>
        <option value="">All products</option>
        {facets.products.map((p) => (
          <option key={p.code} value={p.code}>
            {p.name}
          </option>
        ))}
      </select>
      <select aria-label="Open exceptions" className={selectClass} value={exc} onChange={(e) => onChange({ exc: e.target.value || null })}>
        <option value="">Exceptions: any</option>
        <option value="yes">Has open exception</option>
        <option value="no">No open exception</option>
      </select>
      <select aria-label="Cause of last change" className={selectClass} value={query.cause ?? ""} onChange={(e) => onChange({ cause: e.target.value || null })}>
        <option value="">Any cause</option>
        {CAUSE_ORDER.map((c) => (
          <option key={c} value={c}>
            {CAUSE_LABEL[c]}
          </option>
        ))}
      </select>
      {hasFilters(query) ? (
        <button
          type="button"
          className="h-8 rounded-md px-2 text-sm font-medium text-blue-800 hover:bg-blue-50"
          onClick={() => onChange({ q: null, sev: null, status: null, tier: null, product: null, exc: null, cause: null })}
        >
          Clear filters
        </button>
      ) : null}
    </form>
  );
}
