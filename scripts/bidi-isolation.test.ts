import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

/**
 * Text people or source systems wrote (notes, names, subjects) can hold right-to-left overrides
 * and right-to-left script; rendered bare, it visually reorders the text around it ("… by ‮evil"
 * reads backwards into the sentence). Every such value the screens render as text sits in
 * `<bdi dir="auto">` (docs/edge.md). A static check: each JSX text expression that reads one of
 * these fields must be the only child of a `<bdi dir="auto">`.
 */
const root = path.resolve(__dirname, "..", "components");
const FIELDS = ["note", "resolutionNote", "actorLabel", "customerName", "subject", "publishedBy"];
// `{x.note}` or `{x.note ?? "—"}` as a JSX child (not an attribute value, not inside a template string).
const USE = new RegExp(String.raw`>\s*([^<>{}]*)\{([\w?.!]+\.(?:${FIELDS.join("|")}))(\s*\?\?\s*[^}]*)?\}`, "g");

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? files(path.join(dir, d.name)) : d.name.endsWith(".tsx") ? [path.join(dir, d.name)] : []));
}

describe("user-supplied text renders bidi-isolated", () => {
  const all = files(root);
  it("finds the screens", () => {
    expect(all.length).toBeGreaterThan(20);
  });
  it("every note, name, subject and actor label rendered as text is inside <bdi dir=\"auto\">", () => {
    const bare: string[] = [];
    for (const file of all) {
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(USE)) {
        const before = text.slice(0, m.index + 1);
        const openTag = before.slice(before.lastIndexOf("<"));
        if (!/^<bdi dir="auto"[^>]*>$/.test(openTag) || m[1]!.trim() !== "") {
          bare.push(`${path.relative(root, file)}:${text.slice(0, m.index).split("\n").length}: ${m[0].trim()}`);
        }
      }
    }
    expect(bare).toEqual([]);
  });
});
