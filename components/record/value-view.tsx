import { fieldLabel, formatScalar, isPlainObject } from "../../shared/format";

/** A value as a reviewer reads it: scalars as text, objects as a compact list, lists item by item. */
export function ValueView({ value, fieldKey, depth = 0 }: { value: unknown; fieldKey?: string; depth?: number }) {
  if (value === null || value === undefined) return <span className="text-slate-500">—</span>;
  if (Array.isArray(value)) {
    if (!value.length) return <span className="text-slate-500">none</span>;
    if (value.every((v) => !isPlainObject(v) && !Array.isArray(v))) {
      return <span className="break-words">{value.map((v) => formatScalar(v)).join(", ")}</span>;
    }
    return (
      <ol className="space-y-1">
        {value.map((v, i) => (
          <li key={i} className="rounded border border-slate-200 bg-white/70 px-2 py-1">
            <ValueView value={v} depth={depth + 1} />
          </li>
        ))}
      </ol>
    );
  }
  if (isPlainObject(value)) {
    const entries = Object.entries(value);
    if (!entries.length) return <span className="text-slate-500">empty</span>;
    if (depth > 2) return <code className="break-all text-xs">{JSON.stringify(value)}</code>;
    return (
      <dl className="grid grid-cols-[minmax(5rem,auto)_1fr] gap-x-3 gap-y-0.5 text-[13px]">
        {entries.map(([k, v]) => (
          <div key={k} className="contents">
            <dt className="text-slate-600">{fieldLabel(k)}</dt>
            <dd className="min-w-0">
              <ValueView value={v} fieldKey={k} depth={depth + 1} />
            </dd>
          </div>
        ))}
      </dl>
    );
  }
  const text = formatScalar(value, fieldKey);
  const long = typeof value === "string" && (value.length > 80 || value.includes("\n"));
  const mono = typeof value === "string" && (fieldKey === "sha256" || fieldKey === "uri" || /^[a-f0-9]{32,}$/i.test(value) || /^[a-z0-9]+:\/\//i.test(value));
  return <span className={`${long ? "whitespace-pre-wrap" : ""} ${mono ? "break-all font-mono text-xs" : "break-words"}`}>{text}</span>;
}
