import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../../dev/testing/test-db";
import { MetricsMaintenance } from "../ops/dashboard/metrics-maintenance";
import { pruneRefusals, REFUSAL_RETENTION_DAYS } from "./prune-refusals";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => t?.close());

const DAY = 86_400_000;
const row = (id: string, createdAt: Date) => ({ id, sourceName: "nosuch", httpStatus: 404, reason: "unknown source", createdAt, lastAt: createdAt, groupKey: id });

describe("refusal retention", () => {
  it("deletes rows older than the retention and keeps the rest", async () => {
    const now = new Date("2026-12-03T00:00:00Z");
    await t.db.refusal.deleteMany({});
    const old = Array.from({ length: 12 }, (_, i) => row(`ref_old_${i}`, new Date(now.getTime() - (REFUSAL_RETENTION_DAYS + 1 + i) * DAY)));
    await t.db.refusal.createMany({ data: [...old, row("ref_recent", new Date(now.getTime() - (REFUSAL_RETENTION_DAYS - 1) * DAY)), row("ref_today", now)] });
    expect(await pruneRefusals(t.db, now)).toBe(12);
    expect((await t.db.refusal.findMany({ select: { id: true }, orderBy: { id: "asc" } })).map((r) => r.id)).toEqual(["ref_recent", "ref_today"]);
    expect(await pruneRefusals(t.db, now)).toBe(0);
  });

  it("runs in the maintenance loop every process with a worker has", async () => {
    await t.db.refusal.deleteMany({});
    await t.db.refusal.createMany({ data: [row("ref_ancient", new Date(Date.now() - 400 * DAY)), row("ref_now", new Date())] });
    await new MetricsMaintenance(t.db).step();
    expect((await t.db.refusal.findMany({ select: { id: true } })).map((r) => r.id)).toEqual(["ref_now"]);
  });
});
