import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { PATH_LIKE } from "../../dev/testing/path-like";
import { describePath, fieldLabel, pathLabel, pathPhrase } from "../../shared/format";
import { AUDIT_ACTION_LABEL, AUDIT_TARGET_LABEL, auditActionLabel, auditTargetLabel } from "../../shared/audit-labels";

// The audit screen names actions and targets in words (shared/audit-labels.ts): every code the
// server writes must have one, so a new action never shows up as "policy.set".
const root = path.resolve(__dirname, "..");
const demo = path.resolve(__dirname, "../../dev/demo");
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    if (statSync(p).isDirectory()) return sources(p);
    return p.endsWith(".ts") && !p.endsWith(".test.ts") ? [p] : [];
  });
}
const code = [...sources(root), ...sources(demo)].map((p) => readFileSync(p, "utf8"));
const written = (re: RegExp) => new Set(code.flatMap((s) => [...s.matchAll(re)].flatMap((m) => [...m[1]!.matchAll(/"([a-z_.]+)"/g)].map((q) => q[1]!))));

describe("audit actions and targets read as words", () => {
  it("every action the server writes has a label", () => {
    const actions = written(/\baction:\s*([^,}\n]+)/g);
    // Actions built from a kind: exception.${kind}, reference.${kind}_alias.add/remove.
    for (const k of ["approve", "reject", "override"]) actions.add(`exception.${k}`);
    for (const k of ["product", "tier"]) for (const op of ["add", "remove"]) actions.add(`reference.${k}_alias.${op}`);
    expect(actions.size).toBeGreaterThan(40);
    // An action is "area.what": a prefix in a query ("policy.") or a sort order is not one.
    expect([...actions].filter((a) => /^[a-z_]+\.[a-z_.]*[a-z]$/.test(a) && !AUDIT_ACTION_LABEL[a])).toEqual([]);
  });

  it("every target type the server writes has a label", () => {
    const types = written(/\btargetType:\s*([^,}\n]+)/g);
    types.delete("asc");
    expect(types.size).toBeGreaterThan(10);
    expect([...types].filter((t) => !AUDIT_TARGET_LABEL[t])).toEqual([]);
  });

  it("no label looks like a code or a path, and an unknown code still reads as words", () => {
    for (const label of [...Object.values(AUDIT_ACTION_LABEL), ...Object.values(AUDIT_TARGET_LABEL)]) {
      expect(label, label).not.toMatch(/[._]/);
      expect(label).not.toMatch(PATH_LIKE);
    }
    expect(auditActionLabel("widget.frob_nicate")).toBe("Widget frob nicate");
    expect(auditTargetLabel("some_thing")).toBe("Some thing");
  });
});

// shared/format.ts names a list position with no key of its own in words, never as "#2" (path-like).
describe("a list item with no name of its own", () => {
  it("reads as words in labels and in sentences", () => {
    const texts = [fieldLabel("1"), describePath("/incidents/1/severity"), pathLabel("/incidents/1/severity"), pathPhrase("/incidents/1/severity")];
    expect(texts).toEqual(["Item 2", "Incidents › Item 2 › Severity", "Incidents › Item 2 › Severity", "incident number 2 severity"]);
    for (const t of texts) expect(t).not.toMatch(PATH_LIKE);
  });
});
