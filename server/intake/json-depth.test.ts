import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bracketDepth, MAX_DEPTH, nestingDepth, tooDeep } from "./json-depth";

/** A value whose deepest value is `depth` deep: an empty array, or a number. */
function nested(depth: number, innermostEmpty: boolean): unknown {
  let v: unknown = innermostEmpty ? [] : 1;
  for (let i = 0; i < depth; i++) v = i % 2 ? { k: v } : [v];
  return v;
}

describe("nesting depth from the raw text", () => {
  it("agrees with walking the parsed value, for any JSON", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 40 }), (value) => {
        const raw = JSON.stringify(value);
        expect(tooDeep(raw, JSON.parse(raw))).toBe(nestingDepth(JSON.parse(raw)) > MAX_DEPTH);
      }),
      { numRuns: 500 },
    );
  });

  it("agrees at the limit, with the innermost container empty or not", () => {
    for (let depth = MAX_DEPTH - 2; depth <= MAX_DEPTH + 3; depth++) {
      for (const empty of [true, false]) {
        const value = nested(depth, empty);
        // The walk stops counting once past the limit.
        expect(nestingDepth(value)).toBe(Math.min(depth, MAX_DEPTH + 1));
        const raw = JSON.stringify(value);
        expect(tooDeep(raw, JSON.parse(raw))).toBe(depth > MAX_DEPTH);
      }
    }
  });

  it("ignores brackets and escaped quotes inside strings", () => {
    expect(bracketDepth(JSON.stringify({ s: "[[[{{{", t: 'a\\"[[[' }))).toBe(1);
    expect(bracketDepth(JSON.stringify(["\\", ["x"]]))).toBe(2);
    const deepText = JSON.stringify({ s: "[".repeat(100) });
    expect(tooDeep(deepText, JSON.parse(deepText))).toBe(false);
  });
});
