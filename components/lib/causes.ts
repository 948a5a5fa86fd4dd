import { CAUSE_LABEL, CAUSE_ORDER } from "@/shared/causes";
import type { Cause } from "@/server/refresh/types";

export { CAUSE_LABEL, CAUSE_ORDER };
export type { Cause };

/**
 * One colour per cause, the hue shared/palette.ts gives it (no other thing is drawn in these hues);
 * routine carry-forward is deliberately the quietest.
 */
export const CAUSE_STYLE: Record<Cause, { chip: string; edge: string; dot: string; row: string }> = {
  diagnostics: { chip: "bg-violet-100 text-violet-900 ring-violet-300", edge: "border-l-violet-500", dot: "bg-violet-500", row: "bg-violet-50/60" },
  manual_override: { chip: "bg-rose-100 text-rose-900 ring-rose-300", edge: "border-l-rose-500", dot: "bg-rose-500", row: "bg-rose-50/60" },
  incident_change: { chip: "bg-orange-100 text-orange-900 ring-orange-300", edge: "border-l-orange-500", dot: "bg-orange-500", row: "bg-orange-50/60" },
  entitlement_correction: { chip: "bg-amber-100 text-amber-900 ring-amber-300", edge: "border-l-amber-500", dot: "bg-amber-500", row: "bg-amber-50/60" },
  environment_refresh: { chip: "bg-teal-100 text-teal-900 ring-teal-300", edge: "border-l-teal-500", dot: "bg-teal-500", row: "bg-teal-50/60" },
  ticket_update: { chip: "bg-sky-100 text-sky-900 ring-sky-300", edge: "border-l-sky-500", dot: "bg-sky-500", row: "bg-sky-50/60" },
  // Lime, far from diagnostics' violet: the two were told apart by name only (#15).
  schema_change: { chip: "bg-lime-100 text-lime-900 ring-lime-400", edge: "border-l-lime-600", dot: "bg-lime-600", row: "bg-lime-50/60" },
  routine_carry_forward: { chip: "bg-stone-100 text-stone-700 ring-stone-300", edge: "border-l-stone-300", dot: "bg-stone-400", row: "bg-white" },
};

/** Short chip text; the full label is the chip's title. */
export const CAUSE_SHORT: Record<Cause, string> = {
  diagnostics: "Diagnostics",
  manual_override: "Override",
  incident_change: "Incident",
  entitlement_correction: "Entitlement",
  environment_refresh: "Environment",
  ticket_update: "Ticket",
  schema_change: "Schema",
  routine_carry_forward: "Notes carry-forward",
};

export function sortCauses(causes: readonly string[]): Cause[] {
  const set = new Set(causes);
  return CAUSE_ORDER.filter((c) => set.has(c));
}
