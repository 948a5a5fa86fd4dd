import { getDashboard as getRefreshMeasures } from "../../server/ops/dashboard/dashboard-metrics";
import { getVersion } from "../../server/api/read-api";
import type { Db } from "../../server/db/client";
import { eventListInput, listEvents } from "../../server/events/list-events";
import { getRecordOverview } from "../../server/records/get-record-overview";
import { exceptionQueueInput, listExceptionQueue } from "../../server/exceptions/list-queue";
import { listRecordVersions } from "../../server/records/list-record-versions";
import { encodeCursor, keyColumns } from "../../server/db/keyset";
import { listRecords, recordListInput, recordOrder } from "../../server/records/list-records";
import { caseIdOf, groupToken } from "./template-events";

export interface ReadFigure {
  key: string;
  label: string;
  /** Sorted milliseconds of the measured calls, on the small and on the large database. */
  small: number[];
  large: number[];
}

export interface ReadTarget {
  db: Db;
  historyCaseId: string;
  groups: number;
}

interface Call {
  key: string;
  label: string;
  fn: () => Promise<unknown>;
}

async function ms(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/**
 * Each figure on both databases in turn, call for call, so both see the same moment of a shared
 * machine: a warm-up of five calls each (plans, caches, connections), then up to `reps` pairs of
 * calls, stopping once `budgetMs` is spent (at least one pair): a call that takes seconds is measured
 * a few times. `reps` is 200 in a full run: with 40, a p95 was the second-slowest call, and a single
 * pause of the machine moved a 5 ms figure by half (the same page measured ×1.05 and ×2.5 in two runs).
 */
export async function measureReads(small: ReadTarget, large: ReadTarget, opts: { reps: number; budgetMs: number }): Promise<ReadFigure[]> {
  const [a, b] = [await readCalls(small), await readCalls(large)];
  const out: ReadFigure[] = [];
  for (const [i, call] of a.entries()) {
    const other = b[i]!;
    for (const c of [call, other]) for (let warm = 0; warm < 5 && (await ms(c.fn)) < 1000; warm++);
    const fig: ReadFigure = { key: call.key, label: call.label, small: [], large: [] };
    const until = performance.now() + opts.budgetMs;
    while (fig.small.length < opts.reps && (fig.small.length === 0 || performance.now() < until)) {
      fig.small.push(await ms(call.fn));
      fig.large.push(await ms(other.fn));
    }
    fig.small.sort((x, y) => x - y);
    fig.large.sort((x, y) => x - y);
    out.push(fig);
  }
  return out;
}

/**
 * Server time of what the UI's pages load, calling the domain functions their tRPC procedures
 * call, in this process: the records list (first page, a search, a filter, a page 90% deep), the
 * record page of the case with the longest history (overview and timeline together, then the
 * current version, as app/records/[caseId]/page.tsx prefetches), the open exceptions queue, the
 * event log (first page and one case's events) and the dashboard page's query
 * (app/dashboard/page.tsx).
 */
async function readCalls({ db, historyCaseId, groups }: ReadTarget): Promise<Call[]> {
  const middle = groupToken(Math.floor(groups / 2));
  const someCase = caseIdOf(middle, 42);
  const customer = (await db.case.findUnique({ where: { id: someCase }, select: { customerName: true } }))?.customerName ?? someCase;
  // A page 90% deep: the keyset cursor of the row there (found once, outside the timing).
  const order = recordOrder("refreshed", "desc");
  const total = (await listRecords(db, recordListInput.parse({}))).total;
  const [deepRow] = await db.$queryRawUnsafe<Record<string, string>[]>(
    `SELECT ${keyColumns(order)} FROM "Case" c WHERE c."currentVersion" IS NOT NULL ORDER BY ${order.keys.map((k) => `${k} ${order.dir}`).join(", ")} OFFSET $1 LIMIT 1`,
    Math.floor(0.9 * total),
  );
  const deepCursor = encodeCursor(order, order.keys.map((_, i) => deepRow?.[`_k${i}`] ?? null));
  const history = historyCaseId;
  const calls: [string, string, () => Promise<unknown>][] = [
    ["list.first", "records list: first page", () => listRecords(db, recordListInput.parse({}))],
    ["list.search", "records list: search a customer name", () => listRecords(db, recordListInput.parse({ q: customer }))],
    ["list.filter", "records list: filter severity S1", () => listRecords(db, recordListInput.parse({ severity: ["S1"] }))],
    ["list.deep", "records list: a page 90% deep", () => listRecords(db, recordListInput.parse({ after: deepCursor }))],
    [
      "record.page",
      "record page, case with 1,000 versions",
      async () => {
        const [overview] = await Promise.all([getRecordOverview(db, history), listRecordVersions(db, { caseId: history })]);
        await getVersion(db, history, overview.current!.version);
      },
    ],
    ["exceptions.queue", "exceptions queue (open)", () => listExceptionQueue(db, exceptionQueueInput.parse({}))],
    ["events.first", "event log: first page", () => listEvents(db, eventListInput.parse({}))],
    ["events.case", "event log: one case", () => listEvents(db, eventListInput.parse({ caseId: someCase }))],
    ["dashboard.measures", "dashboard: refresh measures, 24 h", () => getRefreshMeasures(db, "24h")],
  ];
  return calls.map(([key, label, fn]) => ({ key, label, fn }));
}
