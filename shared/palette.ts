import type { Cause } from "./causes";

/**
 * The product's one palette decision (docs/domain.md "Delta and causes"): a hue carries meaning only
 * for a cause. Every view that colours a cause uses its hue here (the chips, edges and dots of
 * components/lib/causes.ts are the Tailwind classes of these hues); nothing else is drawn in them.
 * Sources are not causes: charts draw them in shades of blue and slate, told apart by lightness and
 * always named in a legend, so a source never looks like the cause another view shows in that hue.
 * Red stays for refusals and failures, emerald for applied, amber for held.
 */
export const CAUSE_HUE: Record<Cause, { name: string; hex: string }> = {
  diagnostics: { name: "violet", hex: "#8b5cf6" },
  manual_override: { name: "rose", hex: "#f43f5e" },
  incident_change: { name: "orange", hex: "#f97316" },
  entitlement_correction: { name: "amber", hex: "#f59e0b" },
  environment_refresh: { name: "teal", hex: "#14b8a6" },
  ticket_update: { name: "sky", hex: "#0ea5e9" },
  schema_change: { name: "lime", hex: "#65a30d" },
  routine_carry_forward: { name: "stone", hex: "#a8a29e" },
};

/** Source colours for charts, in order of the sources' names: dark blue, blue, pale indigo, then three slates. */
export const SOURCE_COLOURS = ["#1e3a8a", "#2563eb", "#a5b4fc", "#334155", "#64748b", "#cbd5e1"] as const;

/** The colour of the n-th source of a chart (they repeat after six; the legend names each). */
export function sourceColour(n: number): string {
  return SOURCE_COLOURS[n % SOURCE_COLOURS.length]!;
}

/** Hue (degrees) and saturation (0–1) of a #rrggbb colour, for the palette's own test. */
export function hueOf(hex: string): { hue: number; saturation: number } {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255) as [number, number, number];
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const d = max - min;
  const l = (max + min) / 2;
  const saturation = d === 0 ? 0 : d / (1 - Math.abs(2 * l - 1));
  let hue = 0;
  if (d !== 0) hue = max === r ? 60 * (((g - b) / d) % 6) : max === g ? 60 * ((b - r) / d + 2) : 60 * ((r - g) / d + 4);
  return { hue: (hue + 360) % 360, saturation };
}
