import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COUNT_CAP } from "../db/keyset";
import { listEvents, eventListInput } from "../events/list-events";
import { listRefusals, refusalListInput } from "../events/list-refusals";
import { createTestDb, TEST_DB_KIND, type TestDb } from "../../dev/testing/test-db";
import { exceptionQueueInput, listExceptionQueue } from "../exceptions/list-queue";
import { listRecords, recordListInput, type RecordSort } from "./list-records";

/**
 * Keyset paging of the reviewer lists, on rows written straight into the tables: walking every
 * page forwards and back visits each row once, in the order the list promises, for every sort.
 */
let t: TestDb;
const N = 37;
const base = Date.UTC(2026, 10, 1);
const minutes = (m: number) => new Date(base + m * 60_000);

interface CaseRow {
  id: string;
  customerName: string | null;
  severity: string | null;
  lastRefreshedAt: Date | null;
  openExceptionCount: number;
}
const cases: CaseRow[] = [];

beforeAll(async () => {
  t = await createTestDb();
  for (let i = 0; i < N; i++) {
    cases.push({
      id: `K-${String(i).padStart(3, "0")}`,
      // Ties on every sort key but the id, and nulls, which the keyset must not lose.
      customerName: i % 7 === 0 ? null : `Cust ${String(i % 5).padStart(2, "0")}`,
      severity: i % 11 === 0 ? null : `S${1 + (i % 4)}`,
      lastRefreshedAt: i === 3 ? null : minutes(i % 9),
      openExceptionCount: i % 3 === 0 ? 1 : 0,
    });
  }
  await t.db.case.createMany({
    data: cases.map((c) => ({ ...c, currentVersion: 1, lastVersion: 1, subject: `Subject ${c.id}`, accountId: "ACC-K", status: "open", updatedAt: new Date() })),
  });
  // One case without a current version: never listed.
  await t.db.case.create({ data: { id: "K-HELD", lastVersion: 1, updatedAt: new Date() } });
}, 60_000);

afterAll(async () => {
  await t?.close();
});

/** Every page forwards, then every page back from the last one; the concatenations must agree. */
async function walk(read: (page: { after?: string; before?: string }) => Promise<{ next: string | null; prev: string | null; rows: { id: string }[] }>) {
  const key = (r: { id: string }) => r.id;
  const forward: string[][] = [];
  let page = await read({});
  expect(page.prev).toBeNull();
  forward.push(page.rows.map(key));
  while (page.next) {
    page = await read({ after: page.next });
    forward.push(page.rows.map(key));
  }
  const backward: string[][] = [forward.at(-1)!];
  while (page.prev) {
    page = await read({ before: page.prev });
    backward.unshift(page.rows.map(key));
  }
  expect(backward).toEqual(forward);
  return forward;
}

const KEYS: Record<RecordSort, (c: CaseRow) => (string | number)[]> = {
  refreshed: (c) => [c.lastRefreshedAt?.getTime() ?? -Infinity, c.id],
  severity: (c) => [c.severity ?? "", c.lastRefreshedAt?.getTime() ?? -Infinity, c.id],
  case: (c) => [c.id],
  customer: (c) => [c.customerName ?? "", c.id],
  exceptions: (c) => [c.openExceptionCount, c.lastRefreshedAt?.getTime() ?? -Infinity, c.id],
};

function compare(a: (string | number)[], b: (string | number)[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}

describe(`keyset paging (${TEST_DB_KIND})`, () => {
  it("records: every sort, both directions, visits each current record once in order, pages forwards and back", async () => {
    for (const sort of Object.keys(KEYS) as RecordSort[]) {
      for (const dir of ["asc", "desc"] as const) {
        const pages = await walk((p) => listRecords(t.db, recordListInput.parse({ sort, dir, pageSize: 10, ...p })));
        expect(pages.map((p) => p.length)).toEqual([10, 10, 10, 7]);
        const expected = [...cases].sort((a, b) => compare(KEYS[sort](a), KEYS[sort](b)) * (dir === "asc" ? 1 : -1)).map((c) => c.id);
        expect({ sort, dir, ids: pages.flat() }).toEqual({ sort, dir, ids: expected });
      }
    }
  });

  it("records: a filter pages and counts within its matches; a cursor of another sort starts over", async () => {
    const input = { hasException: true, pageSize: 10 } as const;
    const pages = await walk((p) => listRecords(t.db, recordListInput.parse({ ...input, ...p })));
    expect(pages.flat().sort()).toEqual(cases.filter((c) => c.openExceptionCount > 0).map((c) => c.id));
    expect(await listRecords(t.db, recordListInput.parse(input))).toMatchObject({ total: 13, totalCapped: false });
    const bySeverity = await listRecords(t.db, recordListInput.parse({ sort: "severity", pageSize: 10 }));
    const misused = await listRecords(t.db, recordListInput.parse({ sort: "case", dir: "asc", pageSize: 10, after: bySeverity.next! }));
    expect(misused.rows.map((r) => r.id)).toEqual(cases.map((c) => c.id).sort().slice(0, 10));
    expect(misused.prev).toBeNull();
    // The unfiltered total is the records counter, which the held case is not part of.
    expect((await listRecords(t.db, recordListInput.parse({}))).total).toBe(N);
  });

  it("records: a severity filter reads each severity's index and merges them, in order both ways; its total is exact", async () => {
    for (const severity of [["S1"], ["S2", "S4"], ["S1", "S2", "S3", "S4"]]) {
      for (const dir of ["asc", "desc"] as const) {
        const pages = await walk((p) => listRecords(t.db, recordListInput.parse({ severity, dir, pageSize: 10, ...p })));
        const expected = cases
          .filter((c) => c.severity && severity.includes(c.severity))
          .sort((a, b) => compare(KEYS.refreshed(a), KEYS.refreshed(b)) * (dir === "asc" ? 1 : -1))
          .map((c) => c.id);
        expect({ severity, dir, ids: pages.flat() }).toEqual({ severity, dir, ids: expected });
        expect((await listRecords(t.db, recordListInput.parse({ severity, dir }))).total, `${severity}`).toBe(expected.length);
      }
    }
    // With another filter too, the total is counted (up to the cap) rather than read from the counters.
    const both = cases.filter((c) => c.severity === "S2" && c.openExceptionCount > 0).length;
    expect((await listRecords(t.db, recordListInput.parse({ severity: ["S2"], hasException: true }))).total).toBe(both);
  });

  it("exceptions: each tab pages in its order (oldest open first, newest resolution first)", async () => {
    await t.db.caseException.createMany({
      data: cases.map((c, i) => ({
        id: `exc_k_${String(i).padStart(3, "0")}`,
        caseId: c.id,
        rule: i % 2 ? "SEVERITY_CONFLICT" : "REVIEW_REQUIRED",
        status: i % 4 === 3 ? "resolved" : "open",
        resolution: i % 4 === 3 ? "approve" : null,
        resolvedAt: i % 4 === 3 ? minutes(100 + (i % 5)) : null,
        liveKey: i % 4 === 3 ? null : `${c.id}:${i % 2 ? "SEVERITY_CONFLICT" : "REVIEW_REQUIRED"}`,
        openedAt: minutes(i % 6),
        detail: { message: `m${i}` },
      })),
    });
    const rows = await t.db.caseException.findMany({ where: { id: { startsWith: "exc_k_" } } });
    for (const [status, rule] of [["open", undefined], ["open", "REVIEW_REQUIRED"], ["resolved", undefined]] as const) {
      const pages = await walk((p) => listExceptionQueue(t.db, exceptionQueueInput.parse({ status, rule, pageSize: 10, ...p })));
      const expected = rows
        .filter((r) => r.status === status && (!rule || r.rule === rule))
        .sort((a, b) =>
          status === "resolved"
            ? compare([b.resolvedAt!.getTime(), b.id], [a.resolvedAt!.getTime(), a.id])
            : compare([a.openedAt.getTime(), a.id], [b.openedAt.getTime(), b.id]),
        )
        .map((r) => r.id);
      expect({ status, rule, ids: pages.flat() }).toEqual({ status, rule, ids: expected });
    }
    const open = await listExceptionQueue(t.db, exceptionQueueInput.parse({}));
    expect(open.counts).toEqual({ open: rows.filter((r) => r.status === "open").length, claimed: 0, resolved: rows.filter((r) => r.status === "resolved").length });
    const narrowed = await listExceptionQueue(t.db, exceptionQueueInput.parse({ rule: "REVIEW_REQUIRED" }));
    expect(narrowed.counts.open).toBe(rows.filter((r) => r.status === "open" && r.rule === "REVIEW_REQUIRED").length);
  });

  it("events: newest received first with seq breaking ties, one branch per status merged in order", async () => {
    const source = await t.db.source.findUniqueOrThrow({ where: { name: "ticketing" } });
    const statuses = ["applied", "held", "no_change", "failed", "stale"] as const;
    await t.db.webhookEvent.createMany({
      data: Array.from({ length: 45 }, (_, i) => ({
        id: `evt_k_${String(i).padStart(3, "0")}`,
        sourceId: source.id,
        webhookId: `msg_k_${i}`,
        type: "ticket.updated",
        caseId: cases[i % N]!.id,
        entityKind: "ticket",
        entityId: `TCK-K-${i % 8}`,
        entityVersion: 1 + i,
        occurredAt: minutes(i),
        receivedAt: minutes(Math.floor(i / 3)),
        data: {},
        status: statuses[i % statuses.length]!,
        updatedAt: new Date(),
      })),
    });
    const rows = await t.db.webhookEvent.findMany({ where: { id: { startsWith: "evt_k_" } } });
    const order = (a: (typeof rows)[number], b: (typeof rows)[number]) => b.receivedAt.getTime() - a.receivedAt.getTime() || Number(b.seq - a.seq);
    for (const status of [undefined, ["held", "applied"], ["failed"]] as const) {
      const pages = await walk((p) => listEvents(t.db, eventListInput.parse({ status, pageSize: 10, ...p })));
      const expected = rows.filter((r) => !status || (status as readonly string[]).includes(r.status)).sort(order).map((r) => r.id);
      expect({ status, ids: pages.flat() }).toEqual({ status, ids: expected });
    }
    const byEntity = await listEvents(t.db, eventListInput.parse({ q: "TCK-K-3" }));
    expect(byEntity.rows.map((r) => r.id)).toEqual(rows.filter((r) => r.entityId === "TCK-K-3").sort(order).map((r) => r.id));
    expect(byEntity.rows[0]!.source).toBe("ticketing");
  });

  it("refusals: counted up to the cap, then '1,000+'; pages newest first", async () => {
    await t.db.refusal.createMany({
      data: Array.from({ length: COUNT_CAP + 5 }, (_, i) => ({ id: `ref_k_${String(i).padStart(4, "0")}`, sourceName: i % 2 ? "ticketing" : "incident", httpStatus: 401, reason: "bad signature", createdAt: minutes(i % 50) })),
    });
    const first = await listRefusals(t.db, refusalListInput.parse({}));
    expect(first).toMatchObject({ total: COUNT_CAP, totalCapped: true, prev: null });
    const second = await listRefusals(t.db, refusalListInput.parse({ after: first.next! }));
    expect(second.rows[0]!.createdAt.getTime()).toBeLessThanOrEqual(first.rows.at(-1)!.createdAt.getTime());
    expect(new Set([...first.rows, ...second.rows].map((r) => r.id)).size).toBe(100);
    expect((await listRefusals(t.db, refusalListInput.parse({ before: second.prev! }))).rows.map((r) => r.id)).toEqual(first.rows.map((r) => r.id));
    expect(await listRefusals(t.db, refusalListInput.parse({ source: "nosuch" }))).toMatchObject({ total: 0, totalCapped: false, rows: [] });
  });
});
