"use client";

import { useId, useRef } from "react";

/** WAI-ARIA tabs: arrow keys move between tabs, the panel follows. */
export function Tabs({ label, tabs, value, onChange, children }: { label: string; tabs: { id: string; label: React.ReactNode }[]; value: string; onChange: (id: string) => void; children: React.ReactNode }) {
  const base = useId();
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const index = Math.max(0, tabs.findIndex((t) => t.id === value));
  return (
    <div>
      <div role="tablist" aria-label={label} className="mb-3 flex gap-1 overflow-x-auto border-b border-slate-200 print:hidden">
        {tabs.map((t, i) => {
          const selected = t.id === value;
          return (
            <button
              key={t.id}
              ref={(el) => {
                refs.current[i] = el;
              }}
              type="button"
              role="tab"
              id={`${base}-tab-${t.id}`}
              aria-selected={selected}
              aria-controls={`${base}-panel`}
              tabIndex={selected ? 0 : -1}
              onClick={() => onChange(t.id)}
              onKeyDown={(e) => {
                if (e.key !== "ArrowRight" && e.key !== "ArrowLeft") return;
                e.preventDefault();
                const next = (index + (e.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length;
                onChange(tabs[next]!.id);
                refs.current[next]?.focus();
              }}
              className={`-mb-px border-b-2 px-3 py-2 text-sm font-medium ${selected ? "border-blue-700 text-slate-900" : "border-transparent text-slate-600 hover:text-slate-900"}`}
            >
              {t.label}
            </button>
          );
        })}
      </div>
      <div role="tabpanel" id={`${base}-panel`} aria-labelledby={`${base}-tab-${tabs[index]?.id}`}>
        {children}
      </div>
    </div>
  );
}
