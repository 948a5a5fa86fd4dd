import { fieldLabel, formatScalar, isPlainObject } from "../../shared/format";
import { wordDiff } from "../lib/word-diff";

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const MARK = { before: "rounded-sm bg-red-100 text-red-950", after: "rounded-sm bg-emerald-100 text-emerald-950" } as const;
const LABEL = { before: "removed", after: "added" } as const;

/**
 * One side of a change, readable however deep it is: structures as labelled lists (each level
 * on its own lines, never squeezed into columns), the parts that differ from the other side
 * marked, and long strings (URIs, log lines) diffed word by word.
 */
export function ValueDiff({ value, other, side, fieldKey, depth = 0 }: { value: unknown; other: unknown; side: "before" | "after"; fieldKey?: string; depth?: number }) {
  if (value === null || value === undefined) return <span className="text-slate-500">—</span>;
  if (isPlainObject(value)) {
    const others = isPlainObject(other) ? other : {};
    const entries = Object.entries(value);
    if (!entries.length) return <span className="text-slate-500">empty</span>;
    return (
      <ul className={`space-y-0.5 ${depth ? "border-l border-slate-200 pl-2" : ""}`}>
        {entries.map(([k, v]) => {
          const changed = !same(v, others[k]);
          return (
            <li key={k} className="min-w-0" data-changed={changed || undefined}>
              <span className={`text-xs ${changed ? "font-semibold text-slate-900" : "text-slate-600"}`}>{fieldLabel(k)}</span>
              <div className="min-w-0 pl-1"><ValueDiff value={v} other={changed ? others[k] : v} side={side} fieldKey={k} depth={depth + 1} /></div>
            </li>
          );
        })}
      </ul>
    );
  }
  if (Array.isArray(value)) {
    const others = Array.isArray(other) ? other : [];
    if (!value.length) return <span className="text-slate-500">none</span>;
    if (same(value, other) && value.every((v) => !isPlainObject(v) && !Array.isArray(v))) {
      return <span className="break-words">{value.map((v) => formatScalar(v, fieldKey)).join(", ")}</span>;
    }
    return (
      <ol className={`space-y-1 ${depth ? "border-l border-slate-200 pl-2" : ""}`}>
        {value.map((v, i) => (
          <li key={i} className="min-w-0">
            <ValueDiff value={v} other={others[i]} side={side} fieldKey={fieldKey} depth={depth + 1} />
          </li>
        ))}
      </ol>
    );
  }
  if (typeof value === "string" && typeof other === "string" && value !== other && (value.length > 24 || other.length > 24)) {
    const parts = side === "before" ? wordDiff(value, other).before : wordDiff(other, value).after;
    return (
      <span className="break-words font-mono text-xs [overflow-wrap:anywhere]">
        {parts.map((p, i) =>
          p.changed ? (
            <mark key={i} className={MARK[side]} title={LABEL[side]}>
              {p.text}
            </mark>
          ) : (
            <span key={i}>{p.text}</span>
          ),
        )}
      </span>
    );
  }
  const changed = !same(value, other);
  const text = formatScalar(value, fieldKey);
  return changed ? (
    <mark className={`${MARK[side]} break-words px-0.5 [overflow-wrap:anywhere]`} title={LABEL[side]}>
      {text}
    </mark>
  ) : (
    <span className="break-words [overflow-wrap:anywhere]">{text}</span>
  );
}
