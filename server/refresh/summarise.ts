import { canonical } from "./pointer";
import type { Cause, DeltaItem, RuleHit } from "./types";

/** Diagnostics first; routine ticket-note carry-forward last and named as such. */
export const CAUSE_ORDER: Cause[] = [
  "diagnostics",
  "manual_override",
  "incident_change",
  "entitlement_correction",
  "environment_refresh",
  "ticket_update",
  "schema_change",
  "routine_carry_forward",
];

export const CAUSE_LABEL: Record<Cause, string> = {
  diagnostics: "New diagnostics",
  entitlement_correction: "Entitlement correction",
  incident_change: "Incident change",
  environment_refresh: "Environment refresh",
  ticket_update: "Ticket update",
  routine_carry_forward: "Routine ticket-note carry-forward",
  schema_change: "Schema change",
  manual_override: "Manual override",
};

export function causesOf(delta: DeltaItem[]): Cause[] {
  const present = new Set(delta.map((d) => d.cause));
  return CAUSE_ORDER.filter((c) => present.has(c));
}

function describe(d: DeltaItem): string {
  const path = d.path.slice(1).replace(/\//g, ".");
  if (d.before === null) return `${path} added`;
  if (d.after === null) return `${path} removed`;
  if (typeof d.after !== "object" && typeof d.before !== "object") {
    const short = (v: unknown) => {
      const s = String(v);
      return s.length > 40 ? s.slice(0, 37) + "…" : s;
    };
    return `${path} ${short(d.before)} → ${short(d.after)}`;
  }
  return `${path} changed`;
}

/**
 * One sentence per override made in this version, naming the specialist and the note (SPEC.md: an
 * override is always visible, also when it kept the value), and one per override that lapsed.
 */
function overrideSentences(delta: DeltaItem[]): string[] {
  const made = new Map<string, DeltaItem[]>();
  for (const d of delta) if (d.cause === "manual_override" && d.lineage.source === "manual_override") made.set(d.lineage.webhookId, [...(made.get(d.lineage.webhookId) ?? []), d]);
  const out = [...made.values()].map((items) => {
    const o = items[0]!.lineage.override;
    const what = items.map((d) => (canonical(d.before) === canonical(d.after) ? `${d.path.slice(1).replace(/\//g, ".")} kept at ${String(d.after)}` : describe(d))).join("; ");
    return `Manual override by ${o?.by ?? "a specialist"}: ${what}${o?.note ? ` (“${o.note}”)` : ""}.`;
  });
  const lapsed = new Map<string, { by: string; paths: string[] }>();
  for (const d of delta) {
    const l = d.lineage.overrideLapsed;
    if (!l) continue;
    const entry = lapsed.get(l.exceptionId) ?? { by: l.by, paths: [] };
    entry.paths.push(d.path.slice(1).replace(/\//g, "."));
    lapsed.set(l.exceptionId, entry);
  }
  for (const l of lapsed.values()) {
    out.push(`${l.by}'s override of ${l.paths.join(", ")} lapsed: its source value changed, so the source's value is used and judged again.`);
  }
  return out;
}

function sentenceFor(cause: Cause, items: DeltaItem[]): string {
  if (cause === "routine_carry_forward") {
    const added = items.filter((d) => d.before === null && /^\/notes\/\d+$/.test(d.path)).length;
    const other = items.length - added;
    const parts = [];
    if (added) parts.push(`${added} new ticket note${added === 1 ? "" : "s"}`);
    if (other) parts.push(`${other} note change${other === 1 ? "" : "s"}`);
    return `Routine ticket-note carry-forward: ${parts.join(" and ")}, nothing else from these notes.`;
  }
  const shown = items.slice(0, 4).map(describe);
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
}): string {
  const { delta, hits } = input;
  const parts: string[] = [];
  if (input.first) {
    const sources = [...new Set(delta.map((d) => d.lineage.source))].sort();
    parts.push(`First version of ${input.caseId}, assembled from ${sources.join(", ")}.`);
    parts.push(...overrideSentences(delta));
  } else {
    for (const cause of CAUSE_ORDER) {
      if (cause === "manual_override") {
        parts.push(...overrideSentences(delta));
        continue;
      }
      const items = delta.filter((d) => d.cause === cause);
      if (items.length) parts.push(sentenceFor(cause, items));
    }
  }
  if (hits.length) {
    const rules = [...new Set(hits.map((h) => h.rule))];
    parts.push(`Held for review (${rules.join(", ")}): ${hits.map((h) => h.message).join(" ")}`);
  }
  if (input.approvedBy) parts.push(`Made current by ${input.approvedBy}'s approval.`);
  return parts.join(" ");
}
