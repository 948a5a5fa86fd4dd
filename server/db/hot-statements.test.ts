import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDashboard } from "../ops/dashboard/dashboard-metrics";
import { recurringExceptions } from "../exceptions/recurring";
import { getCurrentRecord, getEventStatus, getVersion, listVersions } from "../api/read-api";
import { eventListInput, listEvents } from "../events/list-events";
import { listRefusals, refusalListInput } from "../events/list-refusals";
import { compareVersions } from "../records/compare-versions";
import { getFieldHistory } from "../records/get-field-history";
import { getRecordOverview } from "../records/get-record-overview";
import { exceptionQueueInput, listExceptionQueue } from "../exceptions/list-queue";
import { listRecordVersions } from "../records/list-record-versions";
import { listRecords, recordListInput } from "../records/list-records";
import { processBatch } from "../refresh/process-events";
import { isPrepared } from "./statement-names";
import { captureSql, checkPlan, renderPlan, type CapturedStatement } from "../../dev/testing/capture-sql";
import { bundle, entitlement, environment, incident, ticket } from "../../dev/testing/events";
import { ingest } from "../../dev/testing/ingest";
import { seedSyntheticHistory } from "../../dev/testing/synthetic-history";
import { appendChanges } from "../feed/append-changes";
import { encodeCursor } from "../feed/feed-cursor";
import { readChanges } from "../feed/read-changes";
import { createTestDb, TEST_DB_KIND, TEST_SECRET_KEY, type TestDb } from "../../dev/testing/test-db";
import { SYSTEM_ACTOR } from "../lib/audit";
import { listDeliveries } from "../notify/delivery-log";
import { createEndpoint } from "../notify/manage-endpoints";
import { OutboundWorker } from "../notify/outbound-worker";
import { pruneDeliveries } from "../notify/prune-deliveries";
import { pruneRefusals } from "../intake/prune-refusals";

/**
 * Every statement on a hot path must cost what its case costs, not what the database holds
 * (docs/architecture.md, "Hot statements"). On a database with tens of thousands of cases and
 * events, where the planner would pick a sequential scan if a statement let it, each hot path
 * runs for real while its SQL is captured; then each statement is run again under EXPLAIN ANALYZE
 * (rolled back) and fails on a sequential scan of a growing table, or on a scan or sort of more rows
 * than one case could own. A new hot path gets an entry in HOT_PATHS.
 */
const CASES = 20_000;
const LARGE_TABLES = new Set([
  "WebhookEvent",
  "EventCase",
  "SourceEntity",
  "EntityCaseLink",
  "RecordVersion",
  "DeltaEntry",
  "CaseException",
  "Case",
  "Refusal",
  "AuditLog",
  "FieldOverride",
  "ApprovedConflict",
  "QuarantinedEvent",
  "FeedChange",
  "OutboundDelivery",
  "OutboundAttempt",
]);
/** Far above what one case owns here (a few dozen rows), far below the tables (20,000 to 80,000 rows). */
const MAX_ROWS = 1_000;

describe.skipIf(TEST_DB_KIND !== "postgres")("hot statements on a large database (PostgreSQL)", () => {
  let t: TestDb;
  let client: pg.Client;
  const captured = new Map<string, CapturedStatement[]>();

  async function hot(name: string, fn: () => Promise<unknown>) {
    const { statements } = await captureSql(fn);
    captured.set(name, statements);
  }

  beforeAll(async () => {
    t = await createTestDb();
    await seedSyntheticHistory(t.db, { cases: CASES });
    // A change feed a million changes long: its reads, appends and probes must not notice.
    await t.db.$executeRawUnsafe(
      `INSERT INTO "FeedChange" ("position", "caseId", "version", "previousVersion", "causes", "summary", "at")
       SELECT i, 'SYN-' || (i % $1), i / $1 + 1, NULLIF(i / $1, 0), ARRAY['ticket_update']::"DeltaCause"[], 'Ticket updated.', now() - make_interval(secs => 1000000 - i)
       FROM generate_series(1, 1000000) i`,
      CASES,
    );
    await t.db.$executeRawUnsafe(`VACUUM ANALYZE "FeedChange"`);
    client = new pg.Client({ connectionString: t.databaseUrl });
    await client.connect();

    // Intake store and the engine on an existing case with a long-lived ticket, then the fan-outs.
    await hot("intake: store a ticket event", () => ingest(t, ticket("SYN-123", 3, { accountId: "SACC-123", environmentId: "SENV-123" }, "STCK-123")));
    await hot("refresh: claim, fan out, refresh one case, settle", () => processBatch(t, 100, { concurrency: 2 }));
    await ingest(t, entitlement("SACC-77", 3));
    await hot("refresh: entitlement fan-out to the account's cases", () => processBatch(t, 100, { concurrency: 2 }));
    await ingest(t, environment("SENV-78", 1, {}, "SYN-78"));
    await hot("refresh: environment fan-out", () => processBatch(t, 100, { concurrency: 2 }));
    await ingest(t, incident("SINC-55", 2, { caseIds: ["SYN-55", "SYN-56"], affectedAccounts: ["SACC-55", "SACC-56"] }));
    await hot("refresh: incident fan-out with a new link", () => processBatch(t, 100, { concurrency: 2 }));
    await ingest(t, bundle("SYN-57", "SBND-57", 2));
    await hot("refresh: diagnostics bundle", () => processBatch(t, 100, { concurrency: 2 }));
    // A case whose ticket has not come yet: its event waits.
    await ingest(t, bundle("NEW-1", "NBND-1", 1));
    await hot("refresh: event waiting for its case's ticket", () => processBatch(t, 100));
    await ingest(t, ticket("NEW-1", 1, { accountId: "SACC-9" }, "NTCK-1"));
    await hot("refresh: first ticket folds the waiting event", () => processBatch(t, 100));
    await hot("refresh: empty queue poll", () => processBatch(t, 100));
    // A backlog far larger than a batch: a claim must read the batch it takes, not sort the queue.
    await t.db.$executeRawUnsafe(
      `INSERT INTO "WebhookEvent" ("id", "sourceId", "webhookId", "type", "caseId", "entityKind", "entityId", "entityVersion", "occurredAt", "data", "updatedAt")
       SELECT 'bkl-' || i, s."id", 'bkl-wh-' || i, 'diagnostic_bundle.uploaded', 'SYN-' || i, 'bundle', 'SBND-' || i, 9, now(), '{}'::jsonb, now()
       FROM generate_series(1, 5000) i, "Source" s WHERE s."name" = 'diagnostics'`,
    );
    await t.db.$executeRawUnsafe(`ANALYZE "WebhookEvent"`);
    const { statements } = await captureSql(() => processBatch(t, 20));
    captured.set("refresh: claim from a large backlog", statements.filter((s) => /FOR UPDATE SKIP LOCKED/.test(s.text)));

    await hot("read API: event status", () => getEventStatus(t.db, "ticketing", "syn-wh-t500-2"));
    await hot("read API: current record", () => getCurrentRecord(t.db, "SYN-500"));
    await hot("read API: versions", () => listVersions(t.db, "SYN-500"));
    await hot("read API: one version with delta", () => getVersion(t.db, "SYN-500", 2));
    const feed = (after: bigint | undefined, limit: number, wait = 0) => readChanges(t.db, { after: after === undefined ? undefined : encodeCursor(after), limit, wait });
    await hot("change feed: from the beginning", () => feed(undefined, 100));
    await hot("change feed: a page deep in the feed", () => feed(900_000n, 500));
    await t.db.$executeRawUnsafe(`INSERT INTO "FeedChange" ("caseId", "version", "summary") SELECT 'SYN-' || i, 3, 'pending' FROM generate_series(1, 50) i`);
    await hot("change feed: append pending changes", () => appendChanges(t.db));
    const newest = (await t.db.feedChange.aggregate({ _max: { position: true } }))._max.position!;
    await hot("change feed: long-poll with nothing new (probe)", () => feed(newest, 100, 0.4));
    // Outbound notifications on a long history: 200,000 deliveries and attempts of another endpoint,
    // and an endpoint whose cursor is deep in the million-change feed (port 9: refused at once).
    const old = await createEndpoint({ db: t.db, key: TEST_SECRET_KEY }, SYSTEM_ACTOR, { url: "https://old.example.com/hooks" });
    await t.db.$executeRawUnsafe(
      `INSERT INTO "OutboundDelivery" ("id", "endpointId", "position", "caseId", "eventType", "body", "status", "attempts", "createdAt")
       SELECT 'msg_old_' || i, $1, i, 'SYN-' || (i % 20000), 'record.changed', '{}', 'succeeded', 1, now() - make_interval(secs => 200000 - i) FROM generate_series(1, 200000) i`,
      old.id,
    );
    await t.db.$executeRawUnsafe(`INSERT INTO "OutboundAttempt" ("id", "deliveryId", "number", "statusCode", "durationMs") SELECT 'att_old_' || i, 'msg_old_' || i, 1, 204, 12 FROM generate_series(1, 200000) i`);
    await t.db.$executeRawUnsafe(`UPDATE "OutboundEndpoint" SET "enabled" = false WHERE "id" = $1`, old.id);
    const ep = await createEndpoint({ db: t.db, key: TEST_SECRET_KEY }, SYSTEM_ACTOR, { url: "http://127.0.0.1:9/hooks" });
    await t.db.$executeRawUnsafe(`UPDATE "OutboundEndpoint" SET "cursor" = 900000 WHERE "id" = $1`, ep.id);
    for (const table of ["OutboundDelivery", "OutboundAttempt", "OutboundEndpoint"]) await client.query(`VACUUM ANALYZE "${table}"`);
    const outbound = new OutboundWorker({ db: t.db, key: TEST_SECRET_KEY }, { timeoutMs: 2_000 });
    await hot("outbound: claim, queue the next changes, attempt, schedule the retry", () => outbound.runOnce());
    await t.db.$executeRawUnsafe(`UPDATE "OutboundEndpoint" SET "nextAttemptAt" = now() WHERE "id" = $1`, ep.id);
    await hot("outbound: retry the pending head", () => outbound.runOnce());
    await hot("outbound: nothing due (poll)", () => outbound.runOnce());
    // The oldest ~500 of those deliveries are past the 30 days.
    await hot("outbound: prune the delivery log", () => pruneDeliveries(t.db, new Date(Date.now() - 199_500_000 + 30 * 86_400_000)));
    await hot("outbound: delivery log of a long history", () => listDeliveries(t.db, SYSTEM_ACTOR, { endpointId: old.id }));
    const firstPage = await listDeliveries(t.db, SYSTEM_ACTOR, { endpointId: old.id });
    await hot("outbound: delivery log, next page", () => listDeliveries(t.db, SYSTEM_ACTOR, { endpointId: old.id, after: firstPage.next! }));

    // Not here: GET /api/v1/exceptions, whose contract answers every exception of a status at once,
    // so its cost is the size of its answer by definition.

    // The reviewer UI: every list a keyset page in an index's order, counts capped or from counters,
    // the dashboard from rollups (server/records, server/events, server/ops/dashboard).
    // The rollups as autovacuum keeps them: the bulk seed above updated each counter row thousands of times in one statement.
    for (const table of ["EventRollup", "LatencyRollup", "ExceptionRollup", "RefusalRollup", "MetricCounter"]) await client.query(`VACUUM ANALYZE "${table}"`);
    const records = (input: object) => listRecords(t.db, recordListInput.parse(input));
    await hot("records list: first page", () => records({}));
    await hot("records list: search", () => records({ q: "subject 19999 " }));
    await hot("records list: search for a case id", () => records({ q: "SYN-1234" }));
    await hot("records list: filter by severity", () => records({ severity: ["S1"] }));
    await hot("records list: filter by open exception", () => records({ hasException: true }));
    await hot("records list: filter by tier and status", () => records({ tier: ["premium"], status: ["open", "pending"] }));
    await hot("records list: filter by cause", () => records({ cause: "ticket_update" }));
    for (const sort of ["severity", "case", "customer", "exceptions"] as const) {
      for (const dir of ["asc", "desc"] as const) await hot(`records list: sort by ${sort} ${dir}`, () => records({ sort, dir }));
    }
    let cursor = (await records({})).next!;
    for (let i = 0; i < 5; i++) cursor = (await records({ after: cursor })).next!;
    await hot("records list: a deep page", () => records({ after: cursor }));
    await hot("records list: back a page", () => records({ before: cursor }));
    await hot("record page: header", () => getRecordOverview(t.db, "SYN-500"));
    await hot("record page: timeline", () => listRecordVersions(t.db, { caseId: "SYN-500" }));
    await hot("record page: compare", () => compareVersions(t.db, "SYN-500", 1, 2));
    await hot("record page: lineage drill-down", () => getFieldHistory(t.db, "SYN-500", "/case/id", 2));
    await hot("exceptions queue: open", () => listExceptionQueue(t.db, exceptionQueueInput.parse({})));
    await hot("exceptions queue: open, one rule", () => listExceptionQueue(t.db, exceptionQueueInput.parse({ rule: "SEVERITY_CONFLICT" })));
    await hot("exceptions queue: resolved", () => listExceptionQueue(t.db, exceptionQueueInput.parse({ status: "resolved" })));
    const queue = await listExceptionQueue(t.db, exceptionQueueInput.parse({}));
    await hot("exceptions queue: next page", () => listExceptionQueue(t.db, exceptionQueueInput.parse({ after: queue.next! })));
    const events = (input: object) => listEvents(t.db, eventListInput.parse(input));
    await hot("event log: first page", () => events({}));
    await hot("event log: by status", () => events({ status: ["held", "failed"] }));
    await hot("event log: by a common status", () => events({ status: ["applied"] }));
    await hot("event log: by case", () => events({ caseId: "SYN-500" }));
    await hot("event log: by webhook id", () => events({ q: "syn-wh-t500-2" }));
    await hot("event log: by source and dates", () => events({ source: "diagnostics", from: new Date(Date.now() - 3_600_000) }));
    await hot("event log: next page", async () => events({ after: (await events({})).next! }));
    await hot("intake log: refusals", () => listRefusals(t.db, refusalListInput.parse({})));
    await hot("intake log: refusals of a source", () => listRefusals(t.db, refusalListInput.parse({ source: "ticketing" })));
    // An intake log 40 days long, 30,000 rows of which 8,640 are past the 30 days: the hourly prune
    // must read one batch through the indexes (an IN over its ids became a hash join over a
    // sequential scan of the table here).
    await t.db.$executeRawUnsafe(
      `INSERT INTO "Refusal" ("id", "sourceName", "httpStatus", "reason", "remoteAddr", "groupKey", "createdAt", "lastAt")
       SELECT 'ref_old_' || i, 'src' || (i % 7), 401, 'code:bad_signature', '10.0.' || (i % 250) || '.' || (i % 200), 'old-' || i, now() - interval '40 days' + make_interval(secs => i * 100), now()
       FROM generate_series(1, 30000) i`,
    );
    await client.query(`VACUUM ANALYZE "Refusal"`);
    await hot("intake log: prune old refusals", () => pruneRefusals(t.db, new Date()));
    for (const window of ["1h", "24h", "7d"] as const) await hot(`dashboard: ${window}`, () => getDashboard(t.db, window));
    await hot("dashboard: recurring exceptions", () => recurringExceptions(t.db, "24h", 10, { cases: false }));
  }, 600_000);

  afterAll(async () => {
    await client?.end();
    await t?.close();
  });

  it("captured every hot path's statements", () => {
    for (const [name, statements] of captured) expect(statements.length, name).toBeGreaterThan(0);
  });

  it("no hot statement scans a growing table or sorts more than a case owns", async () => {
    const problems: string[] = [];
    for (const [name, statements] of captured) {
      for (const s of statements) {
        const { problems: found, plan } = await checkPlan(client, s, { largeTables: LARGE_TABLES, maxRows: MAX_ROWS });
        if (found.length) problems.push(`${name}: ${found.join("; ")}\n${s.text.replace(/\s+/g, " ").slice(0, 400)}\n${renderPlan(plan)}`);
        // Named prepared statements may run a generic plan, and a refresh asks for generic plans for
        // all its statements (server/db/statement-names.ts, server/refresh/refresh-case.ts): those
        // plans must be as good.
        if (isPrepared(s.text) || name.startsWith("refresh:")) {
          const g = await checkPlan(client, s, { largeTables: LARGE_TABLES, maxRows: MAX_ROWS, generic: true });
          if (g.problems.length) problems.push(`${name} (generic plan): ${g.problems.join("; ")}\n${s.text.replace(/\s+/g, " ").slice(0, 400)}\n${renderPlan(g.plan)}`);
        }
      }
    }
    expect(problems, problems.join("\n")).toEqual([]);
  });
});
