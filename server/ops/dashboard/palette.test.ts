import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CAUSES } from "../../../shared/causes";
import { CAUSE_HUE, chartSources, hueOf, OTHER_SOURCES_STYLE, relativeLuminance, SOURCE_COLOURS, SOURCE_STYLES, sourceStyle, STATUS_COLOUR, STATUS_HUES } from "../../../shared/palette";

// shared/palette.ts: a hue carries meaning only for a cause; sources are drawn in other colours.
const read = (p: string) => readFileSync(new URL(`../../../${p}`, import.meta.url), "utf8");
const hueDistance = (a: number, b: number) => Math.min(Math.abs(a - b), 360 - Math.abs(a - b));

describe("one palette: causes own their hues, sources never borrow one", () => {
  it("no source colour is the hue of a cause (slate greys aside)", () => {
    const clashes: string[] = [];
    for (const s of [...SOURCE_COLOURS, OTHER_SOURCES_STYLE.colour]) {
      const src = hueOf(s);
      for (const c of CAUSES) {
        const cause = hueOf(CAUSE_HUE[c].hex);
        if (cause.saturation < 0.3 || src.saturation < 0.3) continue;
        if (hueDistance(src.hue, cause.hue) < 20) clashes.push(`${s} looks like ${c} (${CAUSE_HUE[c].hex})`);
      }
    }
    expect(clashes).toEqual([]);
  });

  it("the cause chips use the palette's hue, and the dashboard draws sources and overrides from it", () => {
    const styles = read("components/lib/causes.ts");
    for (const c of CAUSES) {
      const line = styles.split("\n").find((l) => l.trimStart().startsWith(`${c}: {`));
      expect(line, c).toContain(`bg-${CAUSE_HUE[c].name}-`);
    }
    const dashboard = read("components/ops/ops-dashboard.tsx");
    expect(dashboard).toContain("chartSources(");
    expect(dashboard).toContain("<SourceSwatch");
    expect(dashboard).toContain("CAUSE_HUE.manual_override.hex");
    expect(dashboard).not.toMatch(/const PALETTE\b/);
  });

  it("statuses are drawn in greys or the documented status hues, never in a cause's hue", () => {
    const clashes: string[] = [];
    for (const [status, hex] of Object.entries(STATUS_COLOUR)) {
      if ((STATUS_HUES as readonly string[]).includes(status)) continue;
      const st = hueOf(hex);
      if (st.saturation < 0.3) continue;
      for (const c of CAUSES) {
        const cause = hueOf(CAUSE_HUE[c].hex);
        if (cause.saturation >= 0.3 && hueDistance(st.hue, cause.hue) < 20) clashes.push(`${status} ${hex} looks like ${c}`);
      }
    }
    expect(clashes).toEqual([]);
    // The dashboards take their status colours from the palette: no colour literal of their own
    // in a cause's hue (the received bar was once the ticket-update sky, "incomplete" a magenta).
    for (const file of ["components/dashboard/dashboard-view.tsx", "components/ops/ops-dashboard.tsx"]) {
      const text = read(file);
      const own = [...text.matchAll(/#[0-9a-fA-F]{6}\b/g)].map((m) => m[0]).filter((hex) => {
        const h = hueOf(hex);
        return chroma(hex) >= 0.15 && h.saturation >= 0.3 && CAUSES.some((c) => hueOf(CAUSE_HUE[c].hex).saturation >= 0.3 && hueDistance(h.hue, hueOf(CAUSE_HUE[c].hex).hue) < 40);
      });
      expect(own, file).toEqual([]);
      const causeClasses = text.match(new RegExp(`\\b(bg|fill|stroke|text)-(${CAUSES.map((c) => CAUSE_HUE[c].name).filter((n) => n !== "amber").join("|")}|fuchsia|purple)-\\d+`, "g")) ?? [];
      expect(causeClasses, file).toEqual([]);
    }
  });

  it("every source of a chart has a look of its own: colour and fill never repeat, however many sources", () => {
    const key = (x: { colour: string; pattern: string }) => `${x.colour} ${x.pattern}`;
    // The seventh source once came back as the first's colour: now a chart of up to SOURCE_STYLES sources draws each its own way.
    expect(SOURCE_STYLES).toBeGreaterThanOrEqual(32);
    const styles = Array.from({ length: SOURCE_STYLES }, (_, n) => key(sourceStyle(n)));
    expect(new Set(styles).size).toBe(SOURCE_STYLES);
    expect(styles).not.toContain(key(OTHER_SOURCES_STYLE));
    for (const n of [1, 6, 7, 12, 13, SOURCE_STYLES]) {
      const names = Array.from({ length: n }, (_, i) => `source-${String(i).padStart(3, "0")}`);
      const series = chartSources(names);
      expect(series.map((x) => x.label), `${n} sources`).toEqual(names);
      expect(new Set(series.map((x) => key(x.style))).size, `${n} sources`).toBe(n);
    }
    // More sources than looks: the last series sums the rest under a name that says so, in a look no source has.
    const many = Array.from({ length: SOURCE_STYLES + 9 }, (_, i) => `source-${i}`);
    const series = chartSources(many);
    expect(series).toHaveLength(SOURCE_STYLES);
    expect(new Set(series.map((x) => key(x.style))).size).toBe(SOURCE_STYLES);
    expect(series.at(-1)).toMatchObject({ label: "10 other sources", members: many.slice(SOURCE_STYLES - 1) });
    expect(series.flatMap((x) => x.members)).toEqual(many);
  });

  it("the source colours are far apart (CIE ΔE), and a pattern's marks stand out from their colour", () => {
    const all = [...SOURCE_COLOURS, OTHER_SOURCES_STYLE.colour];
    for (let i = 0; i < all.length; i++)
      for (let j = i + 1; j < all.length; j++) expect(deltaE(all[i]!, all[j]!), `${all[i]} and ${all[j]}`).toBeGreaterThanOrEqual(15);
    for (let n = 0; n < SOURCE_STYLES; n++) {
      const s = sourceStyle(n);
      if (s.pattern !== "solid") expect(contrast(relativeLuminance(s.ink), relativeLuminance(s.colour)), `${s.pattern} on ${s.colour}`).toBeGreaterThanOrEqual(3);
    }
  });
});

/** How far a colour is from grey (0 grey, 1 pure): pale slates have a high HSL saturation but almost none of this. */
const chroma = (hex: string) => {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255) as [number, number, number];
  return Math.max(r, g, b) - Math.min(r, g, b);
};
const contrast = (a: number, b: number) => (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);

/** CIE76 colour difference of two #rrggbb colours (sRGB, D65): about 2.3 is just noticeable. */
function deltaE(a: string, b: string): number {
  const lab = (hex: string) => {
    const [r, g, bl] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)) as [number, number, number];
    const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
    const [x, y, z] = [(0.4124 * r + 0.3576 * g + 0.1805 * bl) / 0.95047, 0.2126 * r + 0.7152 * g + 0.0722 * bl, (0.0193 * r + 0.1192 * g + 0.9505 * bl) / 1.08883].map(f) as [number, number, number];
    return [116 * y - 16, 500 * (x - y), 200 * (y - z)];
  };
  const [p, q] = [lab(a), lab(b)];
  return Math.hypot(p[0]! - q[0]!, p[1]! - q[1]!, p[2]! - q[2]!);
}
