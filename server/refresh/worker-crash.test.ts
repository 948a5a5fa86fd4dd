import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundle, entitlement, environment, incident, ticket, type TestEvent } from "../../dev/testing/events";
import { ingest } from "../../dev/testing/ingest";
import { createTestDb, TEST_DB_KIND, type TestDb } from "../../dev/testing/test-db";
import { refreshCase } from "./refresh-case";

/**
 * scripts/worker.ts as a child process: SIGKILLed in the middle of a burst, then replaced. Needs
 * PostgreSQL: an embedded PGlite database cannot be shared with a second process (the worker
 * refuses it, which the last test checks on every database).
 */
const ROOT = path.resolve(__dirname, "../..");
const children: ChildProcess[] = [];

function startWorker(env: Record<string, string | undefined>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  let output = "";
  // node with tsx's loader, not the tsx CLI: the CLI is a parent process, and a SIGKILL to it would leave the worker running.
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/worker.ts"], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: "info", WORKER_BATCH: "4", WORKER_POLL_MS: "50", WORKER_LEASE_SECONDS: "2", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  child.stdout!.on("data", (d) => (output += String(d)));
  child.stderr!.on("data", (d) => (output += String(d)));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Polls the database until `done` holds; the deadline only stops a hung test, it asserts nothing about speed. */
async function until(what: string, done: () => Promise<boolean>, deadlineMs = 120_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  while (!(await done())) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let t: TestDb | null = null;
beforeAll(async () => {
  if (TEST_DB_KIND === "postgres") t = await createTestDb();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await t?.close();
});

/** Distinct entities only, so every accepted event's own state ends up in a record. */
function burst(): TestEvent[] {
  const events: TestEvent[] = [];
  for (let i = 0; i < 24; i++) {
    const caseId = `CASE-W${i}`;
    const account = `ACC-W${i % 4}`;
    // Half the cases get their bundles before their ticket: those wait, then fold in.
    if (i % 2) events.push(bundle(caseId, `BND-W${i}-a`, 1));
    events.push(ticket(caseId, 1, { accountId: account, environmentId: `ENV-W${i % 3}`, subject: `Burst case ${i}` }));
    events.push(bundle(caseId, `BND-W${i}-b`, 1, { logs: [] }));
    if (i % 2 === 0) events.push(bundle(caseId, `BND-W${i}-a`, 1));
    if (i % 6 === 0) events.push(incident(`INC-W${i}`, 1, { caseIds: [caseId, `CASE-W${i + 1}`], affectedAccounts: [account, `ACC-W${(i + 1) % 4}`] }));
    if (i < 4) events.push(entitlement(account, 1, { serviceTier: "enterprise" }));
    if (i < 3) events.push(environment(`ENV-W${i}`, 1, {}, caseId));
  }
  return events;
}

describe("refresh worker process", () => {
  it.skipIf(TEST_DB_KIND !== "postgres")(
    "killed with SIGKILL mid-burst and replaced: every event counts exactly once, one current version per case (PostgreSQL only: PGlite cannot be shared between processes)",
    async () => {
      const db = t!;
      const events = burst();
      const first = startWorker({ DATABASE_URL: db.databaseUrl });
      const half = Math.floor(events.length / 2);
      for (const e of events.slice(0, half)) await ingest(db, e);
      await until("the first worker to apply something", async () => (await db.db.eventCase.count({ where: { outcome: "applied" } })) > 0);
      first.child.kill("SIGKILL");
      await first.exited;
      // Killed mid-burst: some refreshes committed, and events remain (the killed batch's leased ones among them).
      const committedAtKill = await db.db.eventCase.count();
      const pendingAtKill = await db.db.webhookEvent.count({ where: { status: "received" } });
      for (const e of events.slice(half)) await ingest(db, e);
      expect(committedAtKill).toBeGreaterThan(0);
      expect(pendingAtKill).toBeGreaterThan(0);

      const second = startWorker({ DATABASE_URL: db.databaseUrl });
      await until("the queue to drain", async () => (await db.db.webhookEvent.count({ where: { status: "received" } })) === 0);
      second.child.kill("SIGTERM");
      expect(await second.exited).toBe(0);
      expect(second.output()).toMatch(/refresh worker stopped/);

      const all = await db.db.webhookEvent.findMany({ select: { id: true, status: true, cases: { select: { caseId: true, outcome: true, recordVersion: true } } } });
      expect(all).toHaveLength(events.length);
      for (const e of all) {
        expect(e.status, e.id).toBe("applied");
        expect(e.cases.length, e.id).toBeGreaterThan(0);
        for (const c of e.cases) {
          expect(c.outcome, `${e.id} ${c.caseId}`).toBe("applied");
          expect(c.recordVersion, `${e.id} ${c.caseId}`).not.toBeNull();
        }
      }

      const duplicates = await db.db.$queryRawUnsafe<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM (SELECT "eventId", "caseId" FROM "EventCase" GROUP BY 1, 2 HAVING count(*) > 1) d`,
      );
      expect(duplicates[0]!.n).toBe(0);
      const sameRecordTwice = await db.db.$queryRawUnsafe<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM (SELECT "caseId", md5("record"::text) FROM "RecordVersion" GROUP BY 1, 2 HAVING count(*) > 1) d`,
      );
      expect(sameRecordTwice[0]!.n).toBe(0);
      const perCase = await db.db.$queryRawUnsafe<{ caseId: string; current: number }[]>(
        `SELECT "caseId", count(*) FILTER (WHERE "isCurrent")::int AS current FROM "RecordVersion" GROUP BY 1 ORDER BY 1`,
      );
      expect(perCase).toHaveLength(24);
      for (const c of perCase) expect(c.current, c.caseId).toBe(1);
      // Each record is what the accepted state gives: refreshing again changes nothing.
      for (const c of perCase) expect((await refreshCase(db, c.caseId)).outcome, c.caseId).toBe("no_change");
    },
    240_000,
  );

  it("refuses to start without DATABASE_URL, naming the embedded database's one-process limit", async () => {
    const w = startWorker({ DATABASE_URL: "" });
    expect(await w.exited).toBe(1);
    expect(w.output()).toMatch(/DATABASE_URL is required/);
    expect(w.output()).toMatch(/PGlite/);
  });
});
