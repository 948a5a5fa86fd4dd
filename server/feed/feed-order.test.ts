import fc from "fast-check";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb } from "../db/client";
import { claimException, resolveException } from "../exceptions/resolve-exception";
import { SourceRegistry } from "../sources/registry";
import type { Actor } from "../lib/audit";
import { ReferenceCache } from "../reference/load-reference";
import type { EngineContext } from "../refresh/engine-context";
import { processBatch } from "../refresh/process-events";
import { createUser } from "../../dev/testing/refresh";
import { incident, ticket } from "../../dev/testing/events";
import { ingest } from "../../dev/testing/ingest";
import { createTestDb, TEST_DB_KIND, TEST_SECRET_KEY, type TestDb } from "../../dev/testing/test-db";
import { decodeCursor } from "./feed-cursor";
import { readChanges, type FeedChangeItem } from "./read-changes";

/**
 * The feed's promise under concurrent writers: a consumer that passes back each `next` while
 * refreshes and approvals of many cases commit in several "processes" (database handles with
 * their own pools and appenders) sees every change of a case's current version exactly once, each
 * case's changes in commit order (a chain: each change's previousVersion is the version before it,
 * ending at the current version). Beside them, slow writers hold a feed row uncommitted for a while
 * (as a refresh stuck on a slow round trip would), so rows inserted earlier commit later.
 */
const PROCESSES = TEST_DB_KIND === "postgres" ? 3 : 1;
let t: TestDb;
let contexts: EngineContext[] = [];
const closers: (() => Promise<void>)[] = [];
let specialist: Actor;

beforeAll(async () => {
  t = await createTestDb();
  contexts = [t];
  for (let i = 1; i < PROCESSES; i++) {
    const handle = await openDb({ databaseUrl: t.databaseUrl, dataDir: "memory://" });
    contexts.push({ db: handle.db, registry: new SourceRegistry(handle.db, { key: TEST_SECRET_KEY, envSecrets: {} }), reference: new ReferenceCache(handle.db) });
    closers.push(() => handle.close());
  }
  specialist = await createUser(t.db, "specialist", "Order Specialist");
}, 120_000);
afterAll(async () => {
  for (const c of closers) await c();
  await t?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Refreshes until the event has an outcome; other cases' scripts drain the same queue meanwhile. */
async function settle(ctx: EngineContext, eventId: string) {
  for (;;) {
    const e = await ctx.db.webhookEvent.findUniqueOrThrow({ where: { id: eventId }, select: { status: true } });
    if (e.status !== "received") return;
    if (!(await processBatch(ctx, 10, { concurrency: 2 }))) await sleep(5);
  }
}

type Step = "bump" | "incident";

/** One case's life: its ticket and incident move; a conflicting incident is approved by a specialist. */
async function runCase(caseId: string, steps: Step[], pick: (i: number) => EngineContext) {
  let ticketVersion = 1;
  let incidentVersion = 1;
  const send = async (i: number, ev: Parameters<typeof ingest>[1]) => {
    const ctx = pick(i);
    const stored = await ingest(ctx, ev);
    await settle(ctx, stored.eventId);
    for (const exc of await ctx.db.caseException.findMany({ where: { caseId, liveKey: { not: null } }, select: { id: true } })) {
      await claimException(ctx, specialist, exc.id);
      await resolveException(ctx, specialist, exc.id, { kind: "approve", note: "confirmed by the test" });
    }
  };
  await send(0, ticket(caseId, ticketVersion, { severity: "S1" }));
  await send(1, incident(`INC-${caseId}`, incidentVersion, { caseIds: [caseId], severity: "S2" }));
  for (const [i, step] of steps.entries()) {
    if (step === "bump") await send(i + 2, ticket(caseId, ++ticketVersion, { severity: "S1", subject: `Subject ${ticketVersion}` }));
    // S3 against the S1 ticket is a SEVERITY_CONFLICT (held, then approved); S2 is a plain change.
    else await send(i + 2, incident(`INC-${caseId}`, ++incidentVersion, { caseIds: [caseId], severity: incidentVersion % 2 === 0 ? "S3" : "S2" }));
  }
}

/** A writer whose feed rows commit `holdMs` after they were inserted, as another process's would. */
async function slowWriter(caseId: string, versions: number, holdMs: number) {
  const client = new pg.Client({ connectionString: t.databaseUrl });
  await client.connect();
  try {
    for (let v = 1; v <= versions; v++) {
      await client.query("BEGIN");
      await client.query(`INSERT INTO "FeedChange" ("caseId", "version", "previousVersion", "summary") VALUES ($1, $2, $3, 'slow writer')`, [caseId, v, v === 1 ? null : v - 1]);
      await sleep(holdMs);
      // No append after it: the consumer's reads position it, as they would a row whose writer died.
      await client.query("COMMIT");
    }
  } finally {
    await client.end();
  }
}

/** A consumer passing back each `next`, a few changes at a time, until told to stop and caught up. */
async function consume(from: string, done: () => boolean, limits: number[]): Promise<{ seen: FeedChangeItem[]; next: string }> {
  const seen: FeedChangeItem[] = [];
  let next = from;
  for (let i = 0; ; i++) {
    const finished = done();
    const page = await readChanges(contexts[i % contexts.length]!.db, { after: next, limit: limits[i % limits.length]!, wait: 0 });
    seen.push(...page.changes);
    next = page.next;
    if (finished && !page.changes.length) return { seen, next };
    if (!page.changes.length) await sleep(3);
  }
}

function expectChains(seen: FeedChangeItem[], current: Map<string, number>) {
  const positions = seen.map((c) => decodeCursor(c.cursor));
  for (let i = 1; i < positions.length; i++) expect(positions[i]! > positions[i - 1]!, "positions strictly increase").toBe(true);
  const byCase = new Map<string, FeedChangeItem[]>();
  for (const c of seen) byCase.set(c.caseId, [...(byCase.get(c.caseId) ?? []), c]);
  expect([...byCase.keys()].sort()).toEqual([...current.keys()].sort());
  for (const [caseId, changes] of byCase) {
    const chain = changes.map((c) => [c.previousVersion, c.version]);
    const expected = changes.map((c, i) => [i === 0 ? null : changes[i - 1]!.version, c.version]);
    expect({ caseId, chain }).toEqual({ caseId, chain: expected });
    expect({ caseId, last: changes.at(-1)!.version }).toEqual({ caseId, last: current.get(caseId) });
  }
}

describe("change feed order and completeness under concurrent writers", () => {
  let run = 0;
  // On PGlite one process owns the database (no second handle, no slow writer over the wire).
  it(`every current-version change exactly once, in commit order per case (${TEST_DB_KIND}, ${PROCESSES} process(es))`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.constantFrom<Step>("bump", "incident"), { minLength: 1, maxLength: 4 }), { minLength: 3, maxLength: 6 }),
        fc.array(fc.integer({ min: 0, max: PROCESSES - 1 }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 4 }),
        TEST_DB_KIND === "postgres" ? fc.array(fc.integer({ min: 20, max: 250 }), { minLength: 1, maxLength: 3 }) : fc.constant([] as number[]),
        async (scripts, placement, limits, holds) => {
          run++;
          const start = (await readChanges(t.db, { limit: 1000, wait: 0 })).next;
          let writing = true;
          const consumer = consume(start, () => !writing, limits);
          const pick = (i: number) => contexts[placement[i % placement.length]!]!;
          await Promise.all([
            ...scripts.map((steps, i) => runCase(`ORD-${run}-${i}`, steps, (k) => pick(i + k))),
            ...holds.map((ms, i) => slowWriter(`SLOW-${run}-${i}`, 3, ms)),
          ]);
          writing = false;
          const { seen } = await consumer;
          const cases = await t.db.recordVersion.findMany({ where: { caseId: { startsWith: `ORD-${run}-` }, isCurrent: true }, select: { caseId: true, version: true } });
          const current = new Map(cases.map((c) => [c.caseId, c.version]));
          holds.forEach((_, i) => current.set(`SLOW-${run}-${i}`, 3));
          expectChains(seen, current);
          // Exactly the rows written, nothing else: the consumer saw each row of the table once.
          const rows = await t.db.feedChange.count({ where: { OR: [{ caseId: { startsWith: `ORD-${run}-` } }, { caseId: { startsWith: `SLOW-${run}-` } }] } });
          expect(seen).toHaveLength(rows);
        },
      ),
      { numRuns: TEST_DB_KIND === "postgres" ? 6 : 3 },
    );
  }, 600_000);
});
