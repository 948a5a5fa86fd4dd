import { describe, expect, it } from "vitest";
import { evidenceLabel } from "../../shared/format";

// Evidence of review-required and schema exceptions is labelled by the field's path in the API; the
// exception page names it as the tables do (#15: no JSON path in text meant for people).
describe("evidenceLabel", () => {
  it("names a path by the tables' labels and a list item by its key, from the item's own value", () => {
    expect(evidenceLabel({ label: "/case/status", value: "pending" })).toBe("Case › Status");
    const note = { id: "TCK-1053-N9", at: "2026-12-02T04:38:00Z", author: "Elena Petrova (Escalations)", body: "Handover" };
    const named = evidenceLabel({ label: "/notes/8", value: note });
    expect(named).not.toMatch(/\/|#\d/);
    expect(named).toMatch(/^Notes › .*Elena Petrova/);
    expect(evidenceLabel({ label: "/artifacts/1", value: { id: "BND-1050-02", uri: "s3://x" } })).toBe("Artifacts › BND-1050-02");
  });

  it("leaves a label that is already words alone", () => {
    expect(evidenceLabel({ label: "Incident INC-5102 severity", value: "S2" })).toBe("Incident INC-5102 severity");
  });
});
