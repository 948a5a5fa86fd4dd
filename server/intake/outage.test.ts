import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GET as recordRoute } from "@/app/api/v1/cases/[caseId]/record/route";
import { openDb, type DbHandle } from "../db/client";
import { migrate } from "../db/migrate";
import { log } from "../lib/log";
import { refusedFor } from "../../dev/testing/metrics";
import { ReferenceCache } from "../reference/load-reference";
import { seedReference } from "../reference/seed-reference";
import { startIntakeServer } from "../../dev/simulator/intake-server";
import { signWebhook } from "../../dev/simulator/sign";
import { ticket } from "../../dev/testing/events";
import { postgresBinDir, startPrivatePostgres, type PrivatePostgres } from "../../dev/testing/private-postgres";
import { TEST_DB_KIND, TEST_SECRET_KEY } from "../../dev/testing/test-db";
import { SourceRateLimiter } from "../sources/rate-limit";
import { SourceRegistry } from "../sources/registry";

/**
 * A real PostgreSQL server of the test's own (port 5490-5499), stopped, restarted and with its
 * connections killed while signed deliveries keep arriving at the intake lane and the in-process
 * refresh worker runs. While it is down every delivery gets 503 with Retry-After within a second
 * (never 500, never a hang) and so does the read API; within 5 s of its return deliveries are
 * accepted again, without a restart; in the end every acknowledged delivery is stored once and
 * processed, each refused one is accepted when sent again, and every case has exactly one current
 * version, that of its newest ticket. The outage is logged once, not once per poll.
 */
const SECRET = "whsec_" + Buffer.alloc(32, 71).toString("base64");
const TOKEN = "outage-test-token-0123456789";
const CASES = 12;

interface Shot {
  caseNo: number;
  version: number;
  webhookId: string;
  start: number;
  end: number;
  status: number | null;
  retryAfter: string | null;
  eventId?: string;
  error?: string;
}

const run = TEST_DB_KIND === "postgres" && postgresBinDir() !== null;

describe.skipIf(!run)("database outage (private PostgreSQL)", () => {
  let pg: PrivatePostgres;
  let handle: DbHandle;
  let limiter: SourceRateLimiter;
  let server: Awaited<ReturnType<typeof startIntakeServer>>;

  beforeAll(async () => {
    pg = await startPrivatePostgres();
    handle = await openDb({ databaseUrl: pg.url });
    await migrate(handle.db);
    await seedReference(handle.db);
    const secrets = { key: TEST_SECRET_KEY, envSecrets: { ticketing: [SECRET] } };
    limiter = new SourceRateLimiter(handle.pool);
    server = await startIntakeServer({ handle, db: handle.db, registry: new SourceRegistry(handle.db, secrets), reference: new ReferenceCache(handle.db), limiter, secrets, worker: true });
    server.rt.env.API_TOKEN = TOKEN;
  }, 90_000);

  afterAll(async () => {
    await server?.close();
    await limiter?.close();
    await handle?.close();
    await pg?.destroy();
  }, 60_000);

  async function deliver(caseNo: number, version: number, webhookId = `out-${caseNo}-${version}`): Promise<Shot> {
    const req = signWebhook({ baseUrl: server.url, source: "ticketing", secret: SECRET, webhookId, body: JSON.stringify(ticket(`CASE-OUT-${caseNo}`, version, { subject: `v${version}` }).body) });
    const start = performance.now();
    try {
      // A hang shows as a failure here, not as a test timeout.
      const res = await fetch(req.url, { method: "POST", headers: req.headers, body: req.body, signal: AbortSignal.timeout(5_000) });
      const body = (await res.json()) as { eventId?: string };
      return { caseNo, version, webhookId, start, end: performance.now(), status: res.status, retryAfter: res.headers.get("retry-after"), eventId: body.eventId };
    } catch (err) {
      return { caseNo, version, webhookId, start, end: performance.now(), status: null, retryAfter: null, error: (err as Error).message };
    }
  }

  async function readRecord(caseNo: number): Promise<{ status: number; retryAfter: string | null; body: Record<string, unknown>; ms: number }> {
    const start = performance.now();
    const res = await recordRoute(new Request(`http://local/api/v1/cases/CASE-OUT-${caseNo}/record`, { headers: { authorization: `Bearer ${TOKEN}` } }));
    return { status: res.status, retryAfter: res.headers.get("retry-after"), body: (await res.json()) as Record<string, unknown>, ms: performance.now() - start };
  }

  it("answers 503 with Retry-After while PostgreSQL is away, resumes on its own, and loses nothing acknowledged", async () => {
    const warn = vi.spyOn(log, "warn");
    const unavailableBefore = await refusedFor("database_unavailable");
    const shots: Shot[] = [];
    const nextVersion = Array.from({ length: CASES }, () => 1);
    let sending = true;
    // One sender per case, each delivery after the previous answer, so versions rise per entity.
    const senders = Array.from({ length: CASES }, async (_, caseNo) => {
      while (sending) {
        shots.push(await deliver(caseNo, nextVersion[caseNo]!++));
        await new Promise((r) => setTimeout(r, 15));
      }
    });
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const marks: Record<string, number> = {};
    const reads: Awaited<ReturnType<typeof readRecord>>[] = [];
    try {
      await sleep(1_500);
      // 1: a fast shutdown mid-load (open connections are told 57P01, new ones are refused).
      marks.stop1 = performance.now();
      await pg.stop("fast");
      marks.down1 = performance.now();
      await sleep(400);
      reads.push(await readRecord(0));
      await sleep(1_600);
      marks.start1 = performance.now();
      await pg.start();
      marks.up1 = performance.now();
      await sleep(5_500);
      // 2: every app connection killed by the server, twice.
      marks.kill = performance.now();
      await pg.terminateAll();
      await sleep(300);
      await pg.terminateAll();
      await sleep(1_500);
      marks.killed = performance.now();
      // 3: a crash-like stop (no shutdown handshake) while the worker refreshes.
      marks.stop2 = performance.now();
      await pg.stop("immediate");
      marks.down2 = performance.now();
      await sleep(1_500);
      marks.start2 = performance.now();
      await pg.start();
      marks.up2 = performance.now();
      await sleep(5_500);
    } finally {
      sending = false;
      await Promise.all(senders);
    }

    // Never a 500, never a hang or a dropped connection: 2xx, or 503 with Retry-After.
    const odd = shots.filter((s) => s.status !== 202 && s.status !== 200 && s.status !== 503);
    expect(odd.map((s) => `${s.webhookId}: ${s.status ?? s.error}`)).toEqual([]);
    const refused = shots.filter((s) => s.status === 503);
    expect(refused.filter((s) => s.retryAfter === null || !(Number(s.retryAfter) > 0)).length).toBe(0);
    // The metric names the cause of every one of them (an operator tells an outage from overload).
    expect((await refusedFor("database_unavailable")) - unavailableBefore).toBe(refused.length);

    let duringOutages = 0;
    for (const [down, start] of [
      ["down1", "start1"],
      ["down2", "start2"],
    ] as const) {
      // While it is down: 503 for every delivery.
      const during = shots.filter((s) => s.start >= marks[down]! && s.end <= marks[start]!);
      expect(during.length).toBeGreaterThan(CASES);
      expect(during.filter((s) => s.status !== 503).map((s) => s.webhookId)).toEqual([]);
      duringOutages += during.length;
    }
    // Never a hang: apart from the deliveries in flight when the database went away (one per
    // sender, each outage), every 503 was answered at once from what intake already knew, without
    // waiting on a connection (no wall-clock bound: the count of such refusals says it).
    expect(handle.availability!.refusedTotal).toBeGreaterThanOrEqual(duringOutages - 2 * CASES);
    for (const [up, next] of [
      ["up1", "kill"],
      ["up2", null],
    ] as const) {
      // Once it is back deliveries are accepted again, with no restart of the app, and stay accepted:
      // every sender's last delivery of the period was stored.
      const after = shots.filter((s) => s.start >= marks[up]! && (next === null || s.start < marks[next]!));
      expect(after.find((s) => s.status === 202), `no delivery accepted after ${up}`).toBeDefined();
      const lastPerSender = Array.from({ length: CASES }, (_, caseNo) => after.filter((s) => s.caseNo === caseNo).at(-1));
      expect(lastPerSender.filter((s) => s && s.status !== 202).map((s) => `${s!.webhookId}: ${s!.status}`)).toEqual([]);
    }
    // Killed connections cost a delivery nothing: it is stored on a fresh connection.
    const duringKill = shots.filter((s) => s.start >= marks.kill! && s.end <= marks.killed!);
    expect(duringKill.length).toBeGreaterThan(CASES);
    expect(duringKill.filter((s) => s.status !== 202).map((s) => `${s.webhookId}: ${s.status}`)).toEqual([]);

    // The read API says the same while the database is away.
    expect(reads.map((r) => ({ status: r.status, retryAfter: r.retryAfter, error: typeof r.body.error }))).toEqual([{ status: 503, retryAfter: "2", error: "string" }]);
    expect(JSON.stringify(reads[0]!.body)).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|Prisma/);

    // Each refused delivery is accepted when sent again afterwards (same webhook id, same body).
    for (const s of refused) {
      const again = await deliver(s.caseNo, s.version, s.webhookId);
      expect({ id: s.webhookId, status: again.status }).toEqual({ id: s.webhookId, status: 202 });
      s.eventId = again.eventId;
    }
    const acked = shots.filter((s) => s.eventId);
    expect(acked.length).toBe(shots.length);

    // Everything is processed: no event left waiting, none failed.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const waiting = await handle.db.webhookEvent.count({ where: { status: "received" } });
      if (!waiting) break;
      if (Date.now() > deadline) throw new Error(`${waiting} events still waiting for a refresh 30 s after the load`);
      await sleep(250);
    }
    const rows = await handle.db.webhookEvent.findMany({ select: { id: true, webhookId: true, status: true } });
    expect(rows.length).toBe(shots.length);
    const byWebhookId = new Map(rows.map((r) => [r.webhookId, r]));
    for (const s of acked) expect({ id: s.webhookId, eventId: byWebhookId.get(s.webhookId)?.id }).toEqual({ id: s.webhookId, eventId: s.eventId });
    expect(rows.filter((r) => r.status === "failed" || r.status === "received")).toEqual([]);

    // Exactly one current version per case, holding its newest ticket; the read API serves it.
    for (let caseNo = 0; caseNo < CASES; caseNo++) {
      const current = await handle.db.recordVersion.findMany({ where: { caseId: `CASE-OUT-${caseNo}`, status: "current" }, select: { version: true } });
      expect(current.length).toBe(1);
      const c = await handle.db.case.findUniqueOrThrow({ where: { id: `CASE-OUT-${caseNo}` }, select: { subject: true, currentVersion: true } });
      expect({ caseNo, subject: c.subject, version: c.currentVersion }).toEqual({ caseNo, subject: `v${nextVersion[caseNo]! - 1}`, version: current[0]!.version });
    }
    const read = await readRecord(0);
    expect(read.status).toBe(200);
    expect(read.body.version).toBe((await handle.db.case.findUniqueOrThrow({ where: { id: "CASE-OUT-0" } })).currentVersion);

    // Each outage is logged once by intake's tracker and once by the worker, as is each return: not
    // once per refused delivery or failed step. Three disruptions (two stops, the killed connections):
    // intake refuses during both stops; whether the worker's own step meets a stop (it may be between
    // polls for the whole 2 s) or a killed connection (a refresh in flight) depends on timing, so its
    // count is one to three, each pause followed by one return.
    const messages = warn.mock.calls.map((c) => String(c[1] ?? c[0]));
    const count = (m: string) => messages.filter((x) => x === m).length;
    const refusing = count("database unavailable: answering 503 and backing off until it returns");
    expect(refusing).toBeGreaterThanOrEqual(2);
    expect(refusing).toBeLessThanOrEqual(3);
    expect(count("database reachable again")).toBe(refusing);
    const paused = count("database unavailable: background work paused, retrying with backoff");
    expect(paused).toBeGreaterThanOrEqual(1);
    expect(paused).toBeLessThanOrEqual(3);
    expect(count("database reachable again: background work resumed")).toBe(paused);
    warn.mockRestore();
  }, 120_000);
});
