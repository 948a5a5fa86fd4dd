import { describe, expect, it } from "vitest";
import { packageJson, packageMarkdown, type PackageInput } from "../../components/record/package-export";

/** The record page's handoff exports (components/record/package-export.ts). */
const pkg: PackageInput = {
  caseId: "CASE-1050",
  subject: "Invoices render *blank*",
  customerName: "Acme <Corp>",
  version: 7,
  refreshedAt: "2026-11-27T14:05:10.000Z",
  summary: "New diagnostic bundle BND-1050-02.",
  record: {
    case: { severity: "S2", customerName: "Acme <Corp>" },
    artifacts: [{ bundleId: "BND-1050-02", logs: [{ name: "renderer.log", uri: "s3://diag/BND-1050-02/renderer.log" }] }],
    notes: [],
  },
  lineage: { "/case/severity": { source: "ticketing" } },
  openExceptions: [{ id: "exc_1", rule: "SEVERITY_CONFLICT", status: "claimed", message: "Ticket S2, incident S4", candidateVersion: 8, openedAt: "2026-11-27T14:00:00.000Z", claimedBy: { name: "Ria" } }],
  exportedAt: new Date("2026-11-27T15:00:00.000Z"),
};

describe("package export", () => {
  it("JSON carries the record, lineage and open exceptions with ISO times", () => {
    const j = JSON.parse(packageJson(pkg)) as Record<string, unknown>;
    expect(j).toMatchObject({ caseId: "CASE-1050", version: 7, refreshedAt: "2026-11-27T14:05:10.000Z", exportedAt: "2026-11-27T15:00:00.000Z", record: pkg.record, lineage: pkg.lineage });
    expect((j.openExceptions as { openedAt: string }[])[0]!.openedAt).toBe("2026-11-27T14:00:00.000Z");
  });

  it("Markdown reads as the record page: sections by label, items by key, exceptions by rule, markup escaped", () => {
    const m = packageMarkdown(pkg);
    expect(m).toContain("# Escalation package CASE-1050 — Invoices render \\*blank\\*");
    expect(m).toContain("## Open exceptions");
    expect(m).toContain("**Severity conflict** (claimed, claimed by Ria)");
    expect(m).toContain("## Artifacts");
    expect(m).toContain("**BND-1050-02**");
    expect(m).toContain("Customer: Acme \\<Corp\\>");
    expect(m).toContain("current since 2026-11-27 14:05:10 UTC");
    expect(m).not.toMatch(/\/artifacts|\/case\//);
  });
});
