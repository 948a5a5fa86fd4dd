"use client";

import { WINDOW_KEYS, WINDOWS, type WindowKey } from "@/shared/windows";

export function WindowPicker({ value, onChange }: { value: WindowKey; onChange: (w: WindowKey) => void }) {
  return (
    <div role="group" aria-label="Window" className="inline-flex rounded-md border border-slate-300 bg-white p-0.5">
      {WINDOW_KEYS.map((w) => (
        <button
          key={w}
          type="button"
          aria-pressed={value === w}
          onClick={() => onChange(w)}
          className={`rounded px-3 py-1 text-sm font-medium ${value === w ? "bg-slate-800 text-white" : "text-slate-700 hover:bg-slate-100"}`}
        >
          {WINDOWS[w].label}
        </button>
      ))}
    </div>
  );
}
