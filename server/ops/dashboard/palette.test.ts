import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CAUSES } from "../../../shared/causes";
import { CAUSE_HUE, hueOf, SOURCE_COLOURS } from "../../../shared/palette";

// shared/palette.ts: a hue carries meaning only for a cause; sources are drawn in other colours.
const read = (p: string) => readFileSync(new URL(`../../../${p}`, import.meta.url), "utf8");
const hueDistance = (a: number, b: number) => Math.min(Math.abs(a - b), 360 - Math.abs(a - b));

describe("one palette: causes own their hues, sources never borrow one", () => {
  it("no source colour is the hue of a cause (slate greys aside)", () => {
    const clashes: string[] = [];
    for (const s of SOURCE_COLOURS) {
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
    expect(dashboard).toContain("sourceColour(");
    expect(dashboard).toContain("CAUSE_HUE.manual_override.hex");
    expect(dashboard).not.toMatch(/const PALETTE\b/);
  });
});
