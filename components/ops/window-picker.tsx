"use client";

import { WINDOW_OPTIONS, type WindowOption } from "./windows";

export function WindowPicker({ value, onChange }: { value: WindowOption; onChange: (w: WindowOption) => void }) {
  return (
    <div role="group" aria-label="Window" className="inline-flex rounded-md border border-slate-300 bg-white p-0.5">
      {WINDOW_OPTIONS.map((w) => (
        <button
          key={w.key}
          type="button"
          aria-pressed={value === w.key}
          onClick={() => onChange(w.key)}
          className={`rounded px-3 py-1 text-sm font-medium ${value === w.key ? "bg-slate-800 text-white" : "text-slate-700 hover:bg-slate-100"}`}
        >
          {w.label}
        </button>
      ))}
    </div>
  );
}
