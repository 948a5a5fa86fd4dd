// The words the reviewer's tables use (components/lib/format.ts is plain TypeScript, shared by both sides).
import { pathPhrase } from "../../shared/format";
import { canonical } from "../../shared/pointer";
import { CAUSE_LABEL, CAUSE_ORDER } from "../../shared/causes";
import type { Cause, DeltaItem, RuleHit } from "./types";

export { CAUSE_LABEL, CAUSE_ORDER };

export function causesOf(delta: DeltaItem[]): Cause[] {
  const present = new Set(delta.map((d) => d.cause));
  return CAUSE_ORDER.filter((c) => present.has(c));
}

/** The records a summary names list items from: the new one first, then the one it replaces. */
type Docs = unknown[];

const isItem = (path: string) => /\/\d+$/.test(path);

/** One change in words, list items named by their key ("Incident INC-5102 severity S2 → S3", "New diagnostic bundle BND-1"). */
function describe(d: DeltaItem, docs: Docs): string {
  const what = pathPhrase(d.path, ...(d.after === null ? [...docs].reverse() : docs));
  if (d.before === null) return isItem(d.path) ? `new ${what}` : `${what} added`;
  if (d.after === null) return `${what} removed`;
  if (typeof d.after !== "object" && typeof d.before !== "object") {
    const short = (v: unknown) => {
      const s = String(v);
      return s.length > 40 ? s.slice(0, 37) + "…" : s;
    };
    return `${what} ${short(d.before)} → ${short(d.after)}`;
  }
  return `${what} changed`;
}

/**
 * One sentence per override made in this version, naming the specialist and the note (docs/domain.md: an
 * override is always visible, also when it kept the value), and one per override that lapsed.
 */
function overrideSentences(delta: DeltaItem[], docs: Docs): string[] {
  const made = new Map<string, DeltaItem[]>();
  for (const d of delta) if (d.cause === "manual_override" && d.lineage.source === "manual_override") made.set(d.lineage.webhookId, [...(made.get(d.lineage.webhookId) ?? []), d]);
  const out = [...made.values()].map((items) => {
    const o = items[0]!.lineage.override;
    const what = items.map((d) => (canonical(d.before) === canonical(d.after) ? `${pathPhrase(d.path, ...docs)} kept at ${String(d.after)}` : describe(d, docs))).join("; ");
    return `Manual override by ${o?.by ?? "a specialist"}: ${what}${o?.note ? ` (“${o.note}”)` : ""}.`;
  });
  const lapsed = new Map<string, { by: string; paths: string[] }>();
  for (const d of delta) {
    const l = d.lineage.overrideLapsed;
    if (!l) continue;
    const entry = lapsed.get(l.exceptionId) ?? { by: l.by, paths: [] };
    entry.paths.push(pathPhrase(d.path, ...docs));
    lapsed.set(l.exceptionId, entry);
  }
  for (const l of lapsed.values()) {
    out.push(`${l.by}'s override of ${l.paths.join(", ")} lapsed: its source value changed, so the source's value is used and judged again.`);
  }
  return out;
}

function sentenceFor(cause: Cause, items: DeltaItem[], docs: Docs): string {
  if (cause === "routine_carry_forward") {
    const added = items.filter((d) => d.before === null && /^\/notes\/\d+$/.test(d.path)).length;
    const other = items.length - added;
    const parts = [];
    if (added) parts.push(`${added} new ticket note${added === 1 ? "" : "s"}`);
    if (other) parts.push(`${other} note change${other === 1 ? "" : "s"}`);
    return `Routine ticket-note carry-forward: ${parts.join(" and ")}, nothing else from these notes.`;
  }
  const shown = items.slice(0, 4).map((d) => describe(d, docs));
  const more = items.length > 4 ? `, and ${items.length - 4} more` : "";
  return `${CAUSE_LABEL[cause]}: ${shown.join("; ")}${more}.`;
}

/** One paragraph for a reviewer: what changed, by cause, and why the version is held if it is. */
export function summarise(input: {
  caseId: string;
  version: number;
  first: boolean;
  delta: DeltaItem[];
  hits: RuleHit[];
  approvedBy?: string;
  /** The new record and the one it replaces, to name list items by their key. */
  records?: { after?: unknown; before?: unknown };
}): string {
  const { delta, hits } = input;
  const docs: Docs = [input.records?.after, input.records?.before].filter((d) => d !== undefined);
  const parts: string[] = [];
  if (input.first) {
    const sources = [...new Set(delta.map((d) => d.lineage.source))].sort();
    parts.push(`First version of ${input.caseId}, assembled from ${sources.join(", ")}.`);
    parts.push(...overrideSentences(delta, docs));
  } else {
    for (const cause of CAUSE_ORDER) {
      if (cause === "manual_override") {
        parts.push(...overrideSentences(delta, docs));
        continue;
      }
      const items = delta.filter((d) => d.cause === cause);
      if (items.length) parts.push(sentenceFor(cause, items, docs));
    }
  }
  if (hits.length) {
    const rules = [...new Set(hits.map((h) => h.rule))];
    parts.push(`Held for review (${rules.map(ruleLabel).join(", ")}): ${hits.map((h) => h.message).join(" ")}`);
  }
  if (input.approvedBy) parts.push(`Made current by ${input.approvedBy}'s approval.`);
  return parts.join(" ");
}

/** SEVERITY_CONFLICT → "severity conflict": rule codes stay in the API, people read words. */
function ruleLabel(rule: string): string {
  return rule.toLowerCase().replace(/_/g, " ");
}
