import { describe, expect, it } from "vitest";
import { computeDelta, sameOverrides } from "./compute-delta";
import type { Lineage, LineageMap, RecordDoc } from "./types";

const lin = (source: string, entityId: string, entityVersion: number): Lineage => ({
  source,
  entityKind: "k",
  entityId,
  entityVersion,
  webhookId: `${entityId}-${entityVersion}`,
  occurredAt: "2026-11-27T00:00:00.000Z",
  receivedAt: "2026-11-27T00:00:01.000Z",
});
const ctx = { sourceKinds: new Map([["ticketing", "ticketing"], ["diagnostics", "diagnostics"], ["incident", "incident"]] as const) };

function doc(record: RecordDoc, stamps: [string, Lineage][]): { record: RecordDoc; lineage: LineageMap } {
  return { record, lineage: Object.fromEntries(stamps) };
}

describe("computeDelta", () => {
  it("lists only changed paths, matches list items by key, and names the cause of each", () => {
    const t1 = lin("ticketing", "T", 1);
    const t2 = lin("ticketing", "T", 2);
    const prev = doc(
      { case: { subject: "a", severity: "S2" }, notes: [{ id: "n1", body: "x" }], incidents: [{ id: "I1", severity: "S2" }] },
      [["/case/subject", t1], ["/case/severity", t1], ["/notes/0", t1], ["/notes/0/id", t1], ["/notes/0/body", t1], ["/incidents/0", lin("incident", "I1", 1)], ["/incidents/0/id", lin("incident", "I1", 1)], ["/incidents/0/severity", lin("incident", "I1", 1)]],
    );
    const next = doc(
      { case: { subject: "b", severity: "S2" }, notes: [{ id: "n0", body: "new" }, { id: "n1", body: "x" }], incidents: [{ id: "I1", severity: "S2" }] },
      [["/case/subject", t2], ["/case/severity", t2], ["/notes/0", t2], ["/notes/0/id", t2], ["/notes/0/body", t2], ["/notes/1", t2], ["/notes/1/id", t2], ["/notes/1/body", t2], ["/incidents/0", lin("incident", "I1", 2)], ["/incidents/0/id", lin("incident", "I1", 2)], ["/incidents/0/severity", lin("incident", "I1", 2)]],
    );
    const delta = computeDelta(prev, next, ctx);
    expect(delta.map((d) => [d.path, d.before, d.after, d.cause])).toEqual([
      ["/case/subject", "a", "b", "ticket_update"],
      ["/notes/0", null, { id: "n0", body: "new" }, "routine_carry_forward"],
    ]);
    expect(delta[0]!.lineage).toEqual(t2);
  });

  it("a removed list item keeps the lineage it had; a value that only changed by normalisation is a schema change", () => {
    const b1 = lin("diagnostics", "B1", 1);
    const t1 = lin("ticketing", "T", 1);
    const prev = doc({ case: { product: "old-code" }, artifacts: [{ bundleId: "B1" }] }, [["/case/product", t1], ["/artifacts/0", b1], ["/artifacts/0/bundleId", b1]]);
    const next = doc({ case: { product: "new-code" }, artifacts: [] }, [["/case/product", t1]]);
    const delta = computeDelta(prev, next, ctx);
    expect(delta.map((d) => [d.path, d.cause])).toEqual([
      ["/artifacts/0", "diagnostics"],
      ["/case/product", "schema_change"],
    ]);
    expect(delta[0]).toMatchObject({ before: { bundleId: "B1" }, after: null, lineage: b1 });
  });

  it("the first version lists every path as added", () => {
    const t1 = lin("ticketing", "T", 1);
    const delta = computeDelta(null, doc({ case: { id: "C", subject: "s" } }, [["/case/id", t1], ["/case/subject", t1]]), ctx);
    expect(delta.map((d) => [d.path, d.before, d.after])).toEqual([
      ["/case/id", null, "C"],
      ["/case/subject", null, "s"],
    ]);
  });
});

describe("computeDelta: changes without a new source version", () => {
  const lin = (v: number): Lineage => ({ source: "ticketing", entityKind: "ticket", entityId: "TCK-1", entityVersion: v, webhookId: `wh${v}`, occurredAt: "2026-11-27T00:00:00.000Z", receivedAt: "2026-11-27T00:00:01.000Z" });
  const doc = (fields: Record<string, string>, v: number) => {
    const lineage: LineageMap = {};
    for (const k of Object.keys(fields)) lineage[`/case/${k}`] = lin(v);
    return { record: { case: fields } as RecordDoc, lineage };
  };

  it("calls a field that appears when an alias makes the product area known a schema change", () => {
    const before = doc({ productArea: "payments/legacy" }, 3);
    const after = doc({ productArea: "payments/legacy", product: "billing-api", productName: "Billing API" }, 3);
    const delta = computeDelta(before, after, ctx);
    expect(delta.map((d) => [d.path, d.cause])).toEqual([
      ["/case/product", "schema_change"],
      ["/case/productName", "schema_change"],
    ]);
  });

  it("still calls a field added by a new ticket version a ticket update", () => {
    const before = doc({ productArea: "payments/legacy" }, 3);
    const after = doc({ productArea: "billing-api", product: "billing-api" }, 4);
    const causes = computeDelta(before, after, ctx).map((d) => d.cause);
    expect(causes).toEqual(["ticket_update", "ticket_update"]);
  });
});

describe("computeDelta: overrides", () => {
  const at = (source: string, entityId: string, entityVersion: number): Lineage => ({
    source,
    entityKind: "k",
    entityId,
    entityVersion,
    webhookId: `${entityId}-${entityVersion}`,
    occurredAt: "2026-11-27T00:00:00.000Z",
    receivedAt: "2026-11-27T00:00:01.000Z",
  });
  const docOf = (record: RecordDoc, stamps: [string, Lineage][]) => ({ record, lineage: Object.fromEntries(stamps) as LineageMap });
  const deltaCtx = { sourceKinds: new Map([["ticketing", "ticketing"]] as const) };

  it("an override made or ended is a delta entry even when the value stays the same; an ended one says whose override lapsed", () => {
    const t1 = at("ticketing", "T", 1);
    const t2 = at("ticketing", "T", 2);
    const ovr: Lineage = { ...at("manual_override", "exc_1", 1), webhookId: "ovr_1", override: { by: "Alice", note: "why" } };
    const plain = docOf({ case: { severity: "S1", subject: "a" } }, [["/case/severity", t1], ["/case/subject", t1]]);
    const overridden = docOf({ case: { severity: "S1", subject: "a" } }, [["/case/severity", ovr], ["/case/subject", t1]]);
    const made = computeDelta(plain, overridden, deltaCtx);
    expect(made.map((d) => [d.path, d.before, d.after, d.cause])).toEqual([["/case/severity", "S1", "S1", "manual_override"]]);
    expect(made[0]!.lineage).toEqual(ovr);
    expect(computeDelta(overridden, overridden, deltaCtx)).toEqual([]);

    const ended = computeDelta(overridden, docOf({ case: { severity: "S1", subject: "b" } }, [["/case/severity", t2], ["/case/subject", t2]]), deltaCtx);
    expect(ended.map((d) => [d.path, d.before, d.after, d.cause])).toEqual([
      ["/case/severity", "S1", "S1", "ticket_update"],
      ["/case/subject", "a", "b", "ticket_update"],
    ]);
    expect(ended[0]!.lineage).toEqual({ ...t2, overrideLapsed: { exceptionId: "exc_1", by: "Alice", value: "S1" } });
    expect(ended[1]!.lineage).toEqual(t2);

    expect(sameOverrides(plain.lineage, overridden.lineage)).toBe(false);
    expect(sameOverrides(overridden.lineage, { ...overridden.lineage, "/case/subject": t2 })).toBe(true);
  });
});
