import { fmt, table } from "../lib";

export interface Figure {
  key: string;
  label: string;
  unit: "ms" | "events/s" | "req/s";
  better: "lower" | "higher";
  /** An absolute limit on the large figure too (ms), e.g. the dashboard's 300 ms. */
  under?: number;
  small?: number;
  large?: number;
  /** The value is a lower bound (a phase hit its time cap with events unprocessed). */
  smallCensored?: boolean;
  largeCensored?: boolean;
}

/** Goal: the figure at the large size within 1.5× of the small one (a rate: at least 1/1.5 of it). */
export const WITHIN = 1.5;

export function verdict(f: Figure): { ratio: number; ok: boolean; goal: string } {
  const ratio = (f.large ?? NaN) / (f.small ?? NaN);
  const flat = f.better === "lower" ? ratio <= WITHIN : ratio >= 1 / WITHIN;
  const absolute = f.under === undefined || (f.large ?? Infinity) < f.under;
  const goal = (f.better === "lower" ? `≤ ${WITHIN}×` : `≥ ${fmt(1 / WITHIN, 2)}×`) + (f.under !== undefined ? ` and < ${f.under} ms` : "");
  return { ratio, ok: Number.isFinite(ratio) && flat && absolute, goal };
}

const value = (f: Figure, v: number | undefined, censored?: boolean) =>
  v === undefined ? "-" : `${censored ? "≥ " : ""}${fmt(v, f.unit === "ms" ? (v < 100 ? 1 : 0) : 0)} ${f.unit}`;

export function figureTable(figures: Figure[], smallLabel: string, largeLabel: string): string {
  const rows: string[][] = [["figure", smallLabel, largeLabel, "ratio", "goal"]];
  for (const f of figures) {
    const v = verdict(f);
    rows.push([f.label, value(f, f.small, f.smallCensored), value(f, f.large, f.largeCensored), `×${fmt(v.ratio, 2)}`, `${v.ok ? "✓" : "✗"} ${v.goal}`]);
  }
  return table(rows);
}
