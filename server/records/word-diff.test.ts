import { describe, expect, it } from "vitest";
import { wordDiff } from "../../components/lib/word-diff";

/** The lineage panel's word-level diff of long values (components/lib/word-diff.ts). */
describe("wordDiff", () => {
  const changed = (parts: { text: string; changed: boolean }[]) => parts.filter((p) => p.changed).map((p) => p.text);
  const whole = (parts: { text: string }[]) => parts.map((p) => p.text).join("");

  it("marks only the path segment that changed in a URI", () => {
    const d = wordDiff("s3://diag/BND-1050-01/renderer.log", "s3://diag/BND-1050-02/renderer.log");
    expect(changed(d.before)).toEqual(["01"]);
    expect(changed(d.after)).toEqual(["02"]);
    expect(whole(d.before)).toBe("s3://diag/BND-1050-01/renderer.log");
    expect(whole(d.after)).toBe("s3://diag/BND-1050-02/renderer.log");
  });

  it("marks inserted and removed words in a sentence, and nothing when equal", () => {
    const d = wordDiff("Invoices render blank on Safari", "Invoices render blank on Safari and Firefox");
    expect(changed(d.before)).toEqual([]);
    expect(changed(d.after).join("")).toBe(" and Firefox");
    expect(changed(wordDiff("same text here", "same text here").after)).toEqual([]);
  });
});
