import { useId } from "react";
import type { SourcePattern, SourceStyle } from "@/shared/palette";

/** The marks of each fill pattern on an 8 × 8 tile (shared/palette.ts SOURCE_PATTERNS). */
function Marks({ pattern, ink }: { pattern: SourcePattern; ink: string }) {
  const line = { stroke: ink, strokeWidth: 1.5 } as const;
  switch (pattern) {
    case "solid":
      return null;
    case "diagonal":
      return <path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4" {...line} />;
    case "antidiagonal":
      return <path d="M-2,6 l4,4 M0,0 l8,8 M6,-2 l4,4" {...line} />;
    case "horizontal":
      return <path d="M0,4 h8" {...line} />;
    case "vertical":
      return <path d="M4,0 v8" {...line} />;
    case "dots":
      return <circle cx={4} cy={4} r={1.6} fill={ink} />;
    case "crosshatch":
      return <path d="M-2,2 l4,-4 M0,8 l8,-8 M6,10 l4,-4 M-2,6 l4,4 M0,0 l8,8 M6,-2 l4,4" stroke={ink} strokeWidth={1} />;
    case "grid":
      return <path d="M0,4 h8 M4,0 v8" {...line} />;
  }
}

/** One `<pattern>` per patterned style, to put in a chart's `<defs>`; `fillOf` names it. */
export function SourcePatterns({ prefix, styles }: { prefix: string; styles: SourceStyle[] }) {
  return (
    <defs>
      {styles.map((s, i) =>
        s.pattern === "solid" ? null : (
          <pattern key={i} id={`${prefix}-${i}`} width={8} height={8} patternUnits="userSpaceOnUse">
            <rect width={8} height={8} fill={s.colour} />
            <Marks pattern={s.pattern} ink={s.ink} />
          </pattern>
        ),
      )}
    </defs>
  );
}

/** The SVG fill of the i-th style of a chart: its colour, or the pattern `SourcePatterns` drew for it. */
export const fillOf = (prefix: string, i: number, s: SourceStyle) => (s.pattern === "solid" ? s.colour : `url(#${prefix}-${i})`);

/** An id usable inside `url(#…)` (React's ids carry characters CSS would need escaped). */
export function usePatternPrefix(): string {
  return `srcfill-${useId().replace(/[^a-zA-Z0-9_-]/g, "")}`;
}

/** A source's swatch beside its name, drawn with its own pattern so it matches its bars. */
export function SourceSwatch({ style }: { style: SourceStyle }) {
  const prefix = usePatternPrefix();
  return (
    <svg aria-hidden="true" width={10} height={10} className="inline-block shrink-0 rounded-sm" data-pattern={style.pattern} data-colour={style.colour}>
      <SourcePatterns prefix={prefix} styles={[style]} />
      <rect width={10} height={10} fill={fillOf(prefix, 0, style)} />
    </svg>
  );
}
