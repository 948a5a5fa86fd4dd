import type { Cause } from "./causes";

/**
 * The product's one palette decision (docs/domain.md "Delta and causes"): a hue carries meaning only
 * for a cause. Every view that colours a cause uses its hue here (the chips, edges and dots of
 * components/lib/causes.ts are the Tailwind classes of these hues); nothing else is drawn in them.
 * Sources are not causes: charts draw them in shades of blue and slate, told apart by lightness and,
 * past six sources, by fill pattern, and always named in a legend, so a source never looks like the
 * cause another view shows in that hue, nor like another source.
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

/**
 * What the dashboards draw an event's or an exception's status in. The docs name three hues for
 * status: emerald for applied, amber for held (and open, its exception), red for refusals and
 * failures; the rest are greys and one dark blue (waiting, 20° and more from the ticket-update sky),
 * so no status is ever drawn in a cause's hue. (A "received" bar once borrowed the ticket-update sky,
 * an "incomplete" one a magenta beside diagnostics' violet.)
 */
export const STATUS_COLOUR = {
  applied: "#059669",
  unchanged: "#6ee7b7",
  held: "#f59e0b",
  claimed: "#a16207",
  waiting: "#1d4ed8",
  received: "#475569",
  noChange: "#94a3b8",
  stale: "#cbd5e1",
  quarantined: "#dc2626",
  failed: "#7f1d1d",
  incomplete: "#0f172a",
} as const;

/** The status colours that are the documented status hues (emerald, amber, red), which may sit near a cause's hue. */
export const STATUS_HUES = ["applied", "unchanged", "held", "claimed", "quarantined", "failed"] as const;

/**
 * Source colours for charts: dark blue, blue, pale indigo, then three slates, told apart by lightness.
 * Hues stay between the sky and violet of the causes (and the slates are greys), so a source never
 * looks like a cause.
 */
export const SOURCE_COLOURS = ["#1e3a8a", "#2563eb", "#a5b4fc", "#334155", "#64748b", "#cbd5e1"] as const;

/**
 * Fills over the colours: the first six sources are solid, the next six striped, and so on, so no
 * two sources of a chart look alike however many there are (up to `SOURCE_STYLES`; beyond that a
 * chart draws the rest as one "other sources" series, see `chartSources`).
 */
export const SOURCE_PATTERNS = ["solid", "diagonal", "dots", "horizontal", "antidiagonal", "vertical", "crosshatch", "grid"] as const;
export type SourcePattern = (typeof SOURCE_PATTERNS)[number];
export const SOURCE_STYLES = SOURCE_COLOURS.length * SOURCE_PATTERNS.length;

export type SourceStyle = { colour: string; pattern: SourcePattern; ink: string };

/** The marks of a pattern: white on the dark shades, dark slate on the pale ones. */
const inkOn = (colour: string) => (relativeLuminance(colour) > 0.4 ? "#1e293b" : "#ffffff");

/** The style of the n-th source of a chart: its colour and its fill pattern (distinct for n < SOURCE_STYLES). */
export function sourceStyle(n: number): SourceStyle {
  const i = n % SOURCE_STYLES;
  const colour = SOURCE_COLOURS[i % SOURCE_COLOURS.length]!;
  return { colour, pattern: SOURCE_PATTERNS[Math.floor(i / SOURCE_COLOURS.length)]!, ink: inkOn(colour) };
}

/** The style of the "N other sources" series a chart draws when it has more sources than styles: a solid mid grey no source has. */
export const OTHER_SOURCES_STYLE: SourceStyle = { colour: "#94a3b8", pattern: "solid", ink: "#ffffff" };

/**
 * The series a chart of sources draws: one per source, each its own style; with more sources than
 * styles the last series is "N other sources", summing the rest, in a style no source has. The
 * table beside the chart still names every source.
 */
export function chartSources(sources: readonly string[]): { key: string; label: string; style: SourceStyle; members: string[] }[] {
  if (sources.length <= SOURCE_STYLES) return sources.map((s, n) => ({ key: s, label: s, style: sourceStyle(n), members: [s] }));
  const shown = sources.slice(0, SOURCE_STYLES - 1);
  const rest = sources.slice(SOURCE_STYLES - 1);
  return [
    ...shown.map((s, n) => ({ key: s, label: s, style: sourceStyle(n), members: [s] })),
    { key: "other sources", label: `${rest.length} other sources`, style: OTHER_SOURCES_STYLE, members: rest },
  ];
}

/** WCAG relative luminance of a #rrggbb colour. */
export function relativeLuminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
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
