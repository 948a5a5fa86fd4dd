"use client";

import { inputClass } from "@/components/auth/admin/parts";

/** The reason every audited change asks for. */
export function NoteField({ id, value, onChange, label = "Why (kept in the audit log)", placeholder = "e.g. the EMEA desk validated this field for a month" }: { id: string; value: string; onChange: (v: string) => void; label?: string; placeholder?: string }) {
  return (
    <div className="min-w-[16rem] flex-1">
      <label htmlFor={id} className="block text-xs font-medium text-slate-700">
        {label} <span className="text-red-700" aria-hidden="true">*</span>
      </label>
      <input id={id} required minLength={3} maxLength={500} value={value} onChange={(e) => onChange(e.target.value)} placeholder={placeholder} className={`mt-1 ${inputClass}`} />
    </div>
  );
}
