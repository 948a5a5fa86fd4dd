import { describe, expect, it } from "vitest";
import { summarise } from "./summarise";
import type { DeltaItem, Lineage } from "./types";

const lin = (source: string): Lineage => ({
  source,
  entityKind: "x",
  entityId: "X-1",
  entityVersion: 2,
  webhookId: "wh",
  occurredAt: "2026-11-27T02:10:00Z",
  receivedAt: "2026-11-27T02:10:01Z",
});
const item = (path: string, before: unknown, after: unknown, cause: DeltaItem["cause"], source = "ticketing"): DeltaItem =>
  ({ path, before, after, cause, lineage: lin(source) }) as DeltaItem;

const before = {
  case: { severity: "S2" },
  incidents: [{ id: "INC-5102", severity: "S2" }],
  artifacts: [{ bundleId: "BND-1050-01", logs: [{ name: "app.log", sha256: "a".repeat(64) }] }],
};
const after = {
  case: { severity: "S3", customerImpact: "high" },
  incidents: [{ id: "INC-5102", severity: "S3" }],
  artifacts: [{ bundleId: "BND-1050-01", logs: [{ name: "app.log", sha256: "b".repeat(64) }] }, { bundleId: "BND-1050-02", logs: [] }],
};

/** Anything a person should not have to read: JSON pointers, dotted record paths, list positions. */
const PATH_LIKE = /(^|\s)\/[a-z]|\b(case|entitlement|incidents|artifacts|notes|environment|reproduction|approvedLogs)\.[a-zA-Z0-9]|\.\d+\b/;

describe("summaries speak the tables' words", () => {
  it("names list items by their key and fields by their labels, never by path", () => {
    const text = summarise({
      caseId: "CASE-1050",
      version: 4,
      first: false,
      hits: [],
      records: { after, before },
      delta: [
        item("/artifacts/1", null, after.artifacts[1], "diagnostics", "diagnostics"),
        item("/artifacts/0/logs/0/sha256", "a".repeat(64), "b".repeat(64), "diagnostics", "diagnostics"),
        item("/incidents/0/severity", "S2", "S3", "incident_change", "incident"),
        item("/case/severity", "S2", "S3", "ticket_update"),
        item("/case/customerImpact", null, "high", "schema_change"),
      ],
    });
    expect(text).toContain("New diagnostics: new diagnostic bundle BND-1050-02; diagnostic bundle BND-1050-01 log app.log SHA-256 aaaa");
    expect(text).toContain("Incident change: incident INC-5102 severity S2 → S3.");
    expect(text).toContain("Ticket update: case severity S2 → S3.");
    expect(text).toContain("Schema change: case customer impact added.");
    expect(text).not.toMatch(PATH_LIKE);
  });

  it("names a removed item from the record it left, and rules by words", () => {
    const text = summarise({
      caseId: "CASE-1050",
      version: 5,
      first: false,
      records: { after: { incidents: [] }, before },
      delta: [item("/incidents/0", before.incidents[0], null, "incident_change", "incident")],
      hits: [{ rule: "SEVERITY_CONFLICT", fingerprint: "f", message: "Ticket severity S1 and open incident INC-1 severity S3 are 2 levels apart.", field: "case.severity", sourceName: "incident", evidence: [], entities: [] }],
    });
    expect(text).toContain("Incident change: incident INC-5102 removed.");
    expect(text).toContain("Held for review (severity conflict)");
    expect(text).not.toMatch(PATH_LIKE);
    expect(text).not.toContain("SEVERITY_CONFLICT");
  });
});
