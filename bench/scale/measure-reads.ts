import { getDashboard as getRefreshMeasures } from "../../server/admin/dashboard-metrics";
import { getVersion } from "../../server/api/read-api";
import type { Db } from "../../server/db/client";
import { eventListInput, listEvents } from "../../server/events/list-events";
import { getDashboard } from "../../server/records/get-dashboard";
import { getRecordOverview } from "../../server/records/get-record-overview";
import { exceptionQueueInput, listExceptionQueue } from "../../server/records/list-exception-queue";
import { listRecordVersions } from "../../server/records/list-record-versions";
import { listRecords, recordListInput } from "../../server/records/list-records";
import { caseIdOf, groupToken } from "./template-events";

export interface ReadFigure {
  key: string;
  label: string;
  /** Sorted milliseconds of the measured repetitions. */
  ms: number[];
}

export interface ReadOptions {
  reps: number;
  /** Per figure: stop repeating once this is spent (at least one measured call). */
  budgetMs: number;
  historyCaseId: string;
  groups: number;
}

/**
 * Sorted milliseconds of up to `reps` calls after a warm-up (plans, caches, connections), stopping
 * once the budget is spent: a call that takes seconds is measured a few times, not forty.
 */
async function timed(fn: () => Promise<unknown>, opts: ReadOptions): Promise<number[]> {
  const w = performance.now();
  await fn();
  if (performance.now() - w < 1000) await fn();
  const ms: number[] = [];
  const until = performance.now() + opts.budgetMs;
  while (ms.length < opts.reps && (ms.length === 0 || performance.now() < until)) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  return ms.sort((a, b) => a - b);
}

/**
 * Server time of what the UI's pages load, calling the domain functions their tRPC procedures
 * call, in this process: the records list (first page, a search, a filter, a page 90% deep), the
 * record page of the case with the longest history (overview and timeline together, then the
 * current version, as app/records/[caseId]/page.tsx prefetches), the open exceptions queue, the
 * event log (first page and one case's events) and the dashboard page's two queries
 * (app/dashboard/page.tsx prefetches both at once, so the page waits for the slower).
 */
export async function measureReads(db: Db, opts: ReadOptions): Promise<ReadFigure[]> {
  const middle = groupToken(Math.floor(opts.groups / 2));
  const someCase = caseIdOf(middle, 42);
  const customer = (await db.case.findUnique({ where: { id: someCase }, select: { customerName: true } }))?.customerName ?? someCase;
  const total = (await listRecords(db, recordListInput.parse({}))).total;
  const deepPage = Math.max(1, Math.floor((0.9 * total) / 50));
  const history = opts.historyCaseId;
  const figures: [string, string, () => Promise<unknown>][] = [
    ["list.first", "records list: first page", () => listRecords(db, recordListInput.parse({}))],
    ["list.search", "records list: search a customer name", () => listRecords(db, recordListInput.parse({ q: customer }))],
    ["list.filter", "records list: filter severity S1", () => listRecords(db, recordListInput.parse({ severity: ["S1"] }))],
    ["list.deep", "records list: a page 90% deep", () => listRecords(db, recordListInput.parse({ page: deepPage }))],
    [
      "record.page",
      "record page, case with 1,000 versions",
      async () => {
        const [overview] = await Promise.all([getRecordOverview(db, history), listRecordVersions(db, history)]);
        await getVersion(db, history, overview.current!.version);
      },
    ],
    ["exceptions.queue", "exceptions queue (open)", () => listExceptionQueue(db, exceptionQueueInput.parse({}))],
    ["events.first", "event log: first page", () => listEvents(db, eventListInput.parse({}))],
    ["events.case", "event log: one case", () => listEvents(db, eventListInput.parse({ caseId: someCase }))],
    ["dashboard.measures", "dashboard: refresh measures, 24 h", () => getRefreshMeasures(db, "24h")],
    ["dashboard.summary", "dashboard: summary, 24 h", () => getDashboard(db, { hours: 24 })],
  ];
  const out: ReadFigure[] = [];
  for (const [key, label, fn] of figures) out.push({ key, label, ms: await timed(fn, opts) });
  return out;
}
