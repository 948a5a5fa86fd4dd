import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseEvent, SOURCE_KINDS } from "../../server/intake/event-schemas";
import { takeStream, type StreamItem } from "./generate-stream";

const EPOCH = Date.UTC(2026, 10, 27);
const key = (i: StreamItem) => `${i.source}/${i.body.entity.id}`;

/** Checks what a stream promises about every item, given everything sent before it. */
function checkInvariants(items: StreamItem[]): void {
  const maxVersion = new Map<string, number>();
  const byWebhookId = new Map<string, StreamItem>();
  for (const item of items) {
    const parsed = parseEvent(item.source, item.body);
    expect(parsed.ok, JSON.stringify(parsed.ok ? null : parsed.issues)).toBe(true);
    const before = maxVersion.get(key(item)) ?? 0;
    const earlier = byWebhookId.get(`${item.source}|${item.webhookId}`);
    switch (item.delivery) {
      case "fresh":
        expect(earlier).toBeUndefined();
        expect(item.body.version).toBeGreaterThan(before);
        break;
      case "duplicate":
        expect(earlier?.delivery).toBe("fresh");
        expect(item.body).toEqual(earlier!.body);
        break;
      case "stale":
      case "out_of_order":
        expect(earlier).toBeUndefined();
        expect(item.body.version).toBeLessThanOrEqual(before);
        break;
    }
    if (!earlier) byWebhookId.set(`${item.source}|${item.webhookId}`, item);
    maxVersion.set(key(item), Math.max(before, item.body.version));
  }
}

describe("generateStream", () => {
  const items = takeStream({ seed: 42, cases: 20, epochMs: EPOCH }, 3000);

  it("is deterministic: the same seed gives the same stream, another seed another", () => {
    expect(JSON.stringify(takeStream({ seed: 42, cases: 20, epochMs: EPOCH }, 3000))).toBe(JSON.stringify(items));
    expect(JSON.stringify(takeStream({ seed: 43, cases: 20, epochMs: EPOCH }, 3000))).not.toBe(JSON.stringify(items));
  });

  it("covers all five sources with valid events, versions rising per source and entity", () => {
    const sources = new Set(items.filter((i) => i.delivery === "fresh").map((i) => i.source));
    expect([...sources].sort()).toEqual([...SOURCE_KINDS].sort());
    checkInvariants(items);
  });

  it("mixes in duplicates, stale and out-of-order versions, bursts and conflicting events", () => {
    const count = (d: StreamItem["delivery"]) => items.filter((i) => i.delivery === d).length;
    expect(count("duplicate")).toBeGreaterThan(30);
    expect(count("stale")).toBeGreaterThan(20);
    expect(count("out_of_order")).toBeGreaterThan(10);
    expect(count("fresh")).toBeGreaterThan(items.length * 0.8);
    const bursts = new Set(items.map((i) => i.burst).filter((b) => b !== null));
    expect(bursts.size).toBeGreaterThan(10);
    const rules = new Set(items.map((i) => i.conflict).filter(Boolean));
    expect(rules.size).toBeGreaterThanOrEqual(5);
    // Out-of-order pairs: the older version comes right after the newer one of the same entity.
    for (const [idx, item] of items.entries()) {
      if (item.delivery !== "out_of_order") continue;
      const prev = items[idx - 1]!;
      expect(key(prev)).toBe(key(item));
      expect(prev.body.version).toBeGreaterThan(item.body.version);
    }
  });

  it("builds a realistic world: tickets with notes evolving, entitlements per account, incidents linking several cases, bundles with logs and approvals", () => {
    const fresh = items.filter((i) => i.delivery === "fresh");
    const cases = new Set(fresh.filter((i) => i.source === "ticketing").map((i) => i.body.caseId));
    expect(cases.size).toBeGreaterThanOrEqual(20); // closed cases make way for new ones
    const notes = fresh.filter((i) => i.source === "ticketing").map((i) => (i.body.data.notes as unknown[]).length);
    expect(Math.max(...notes)).toBeGreaterThan(3);
    const corrections = fresh.filter((i) => i.source === "entitlement" && i.body.data.correction);
    expect(corrections.length).toBeGreaterThan(0);
    const incidents = fresh.filter((i) => i.source === "incident");
    expect(incidents.some((i) => (i.body.data.caseIds as string[]).length >= 2)).toBe(true);
    const bundles = fresh.filter((i) => i.source === "diagnostics");
    expect(bundles.some((b) => (b.body.data.approval as { status: string }).status === "customer_approved")).toBe(true);
    expect(bundles.every((b) => (b.body.data.logs as unknown[]).length >= 1)).toBe(true);
    expect(new Set(fresh.map((i) => i.body.data.customerName).filter(Boolean)).size).toBeGreaterThan(3);
  });

  it("stays far inside the intake limits on long runs: cases close after many notes and new ones open", () => {
    const long = takeStream({ seed: 11, cases: 3, epochMs: EPOCH }, 15_000);
    const tickets = long.filter((i) => i.source === "ticketing");
    expect(Math.max(...tickets.map((i) => (i.body.data.notes as unknown[]).length))).toBeLessThanOrEqual(45);
    expect(Math.max(...long.map((i) => Buffer.byteLength(JSON.stringify(i.body))))).toBeLessThan(64 * 1024);
    expect(tickets.some((i) => i.body.data.status === "closed")).toBe(true);
    expect(new Set(tickets.map((i) => i.body.caseId)).size).toBeGreaterThan(6);
    checkInvariants(long);
  });

  it("keeps its promises for any seed and world size", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 60 }), (seed, cases) => {
        checkInvariants(takeStream({ seed, cases, epochMs: EPOCH, mix: { duplicate: 0.1, stale: 0.1, outOfOrder: 0.1, conflict: 0.1 } }, 400));
      }),
      { numRuns: 25 },
    );
  });
});
