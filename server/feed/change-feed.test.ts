import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET } from "../../app/api/v1/changes/route";
import { bearerHeaders, installTestRuntime, type TestRuntime } from "../../dev/testing/auth";
import { claimException, resolveException } from "../exceptions/resolve-exception";
import { AppError } from "../lib/errors";
import { drain } from "../refresh/process-events";
import { caseState, createUser } from "../../dev/testing/refresh";
import { incident, ticket } from "../../dev/testing/events";
import { ingest, ingestAndDrain } from "../../dev/testing/ingest";
import type { TestDb } from "../../dev/testing/test-db";
import { decodeCursor, encodeCursor } from "./feed-cursor";
import { FeedWaiters } from "./feed-waiters";
import { parseChangesQuery, readChanges, type ChangesPage } from "./read-changes";

/** GET /api/v1/changes: parameters, shape, what counts as a change, paging and long-poll. */
let tr: TestRuntime;
let t: TestDb;

beforeAll(async () => {
  tr = await installTestRuntime();
  t = tr.tdb;
});
afterAll(async () => tr?.close());

const get = (query: string, headers = bearerHeaders()) => GET(new Request(`http://127.0.0.1/api/v1/changes${query}`, { headers }));
const read = (after?: string, limit = 100, wait = 0) => readChanges(t.db, { after, limit, wait });

/** Everything from `after` on, a page of `limit` at a time, as a consumer passing back `next` sees it. */
async function follow(after: string | undefined, limit = 2): Promise<{ changes: ChangesPage["changes"]; next: string }> {
  const changes: ChangesPage["changes"] = [];
  let next = after;
  for (;;) {
    const page = await read(next, limit);
    changes.push(...page.changes);
    if (!page.changes.length) return { changes, next: page.next };
    next = page.next;
  }
}

describe("parameters", () => {
  const bad = (query: string) => {
    try {
      parseChangesQuery(new URLSearchParams(query));
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).code).toBe("BAD_REQUEST");
      return (e as AppError).message;
    }
    throw new Error(`accepted ${query}`);
  };

  it("defaults: from the beginning, 100 at a time, no wait", () => {
    expect(parseChangesQuery(new URLSearchParams(""))).toEqual({ after: undefined, limit: 100, wait: 0 });
    expect(parseChangesQuery(new URLSearchParams("limit=1000&wait=30"))).toEqual({ after: undefined, limit: 1000, wait: 30 });
    expect(parseChangesQuery(new URLSearchParams("limit=1&wait=0.5&after="))).toEqual({ after: undefined, limit: 1, wait: 0.5 });
  });

  it("refuses a limit outside 1..1000, a wait outside 0..30 s, repeated or malformed values", () => {
    for (const q of ["limit=0", "limit=1001", "limit=abc", "limit=1.5", "limit=-1", "limit=%201"]) expect(bad(q)).toBe("limit must be a whole number from 1 to 1000");
    for (const q of ["wait=31", "wait=-1", "wait=soon", "wait=1e1", "wait=30.5"]) expect(bad(q)).toBe("wait must be a number of seconds from 0 to 30");
    expect(bad("limit=1&limit=2")).toBe("limit is given more than once");
  });

  it("refuses a cursor it did not hand out", () => {
    const good = encodeCursor(12345n);
    expect(decodeCursor(good)).toBe(12345n);
    const b64 = (s: string) => "c1." + Buffer.from(s).toString("base64url");
    const forged = ["abc", "12", "c1.", "c1.!!", good + "A", b64("1.2"), b64("-1"), b64("012"), b64("9".repeat(19)), b64("1e3")];
    for (const c of forged) expect(bad(`after=${encodeURIComponent(c)}`)).toMatch(/^after must be a cursor this feed returned/);
  });

  it("over HTTP: 401 without a token, 400 with the message, 200 with the page", async () => {
    expect((await get("", new Headers())).status).toBe(401);
    const res = await get("?limit=0");
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "limit must be a whole number from 1 to 1000" });
    const badCursor = await get("?after=nope");
    expect(badCursor.status).toBe(400);
    expect(((await badCursor.json()) as { error: string }).error).toMatch(/^after must be a cursor/);
    const ok = await get("?limit=5");
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as ChangesPage;
    expect(Object.keys(body).sort()).toEqual(["changes", "next"]);
  });
});

describe("what the feed holds", () => {
  let start: string;
  beforeAll(async () => {
    start = (await follow(undefined)).next;
  });

  it("each new current version once, with its previous version, causes and summary; held candidates are not changes", async () => {
    await ingestAndDrain(t, ticket("FEED-1", 1, { severity: "S1" }), incident("FEED-INC-1", 1, { caseIds: ["FEED-1"], severity: "S2" }));
    await ingestAndDrain(t, ticket("FEED-2", 1, { severity: "S2" }));
    await ingestAndDrain(t, ticket("FEED-1", 2, { severity: "S1", subject: "Now blank invoices" }));
    // Held behind a SEVERITY_CONFLICT: not a change of the current version.
    await ingest(t, incident("FEED-INC-1", 2, { caseIds: ["FEED-1"], severity: "S3" }));
    await drain(t);
    const held = await caseState(t.db, "FEED-1");
    expect(held.live.map((e) => e.rule)).toEqual(["SEVERITY_CONFLICT"]);

    const { changes, next } = await follow(start);
    expect(changes.map((c) => [c.caseId, c.version, c.previousVersion])).toEqual([
      ["FEED-1", 1, null],
      ["FEED-2", 1, null],
      ["FEED-1", 2, 1],
    ]);
    const versions = await t.db.recordVersion.findMany({ where: { caseId: "FEED-1", version: 2 }, select: { summary: true, causes: true } });
    expect(changes[2]).toMatchObject({ summary: versions[0]!.summary, causes: versions[0]!.causes });
    for (const c of changes) expect(c.at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(new Set(changes.map((c) => c.cursor)).size).toBe(3);
    // Nothing new: the same `next` back.
    expect(await read(next)).toEqual({ changes: [], next });

    // The approval makes the held candidate current: one change, from version 2 to 3.
    const specialist = await createUser(t.db, "specialist", "Feed Specialist");
    await claimException(t, specialist, held.live[0]!.id);
    await resolveException(t, specialist, held.live[0]!.id, { kind: "approve", note: "incident severity confirmed" });
    const after = await read(next);
    expect(after.changes.map((c) => [c.caseId, c.version, c.previousVersion])).toEqual([["FEED-1", 3, 2]]);
    expect(after.changes[0]!.summary).toMatch(/Feed Specialist/);
  });

  it("from the beginning and page by page it is the same sequence; a change's cursor resumes right after it", async () => {
    const whole = await read(undefined, 1000);
    const paged = await follow(undefined, 1);
    expect(paged.changes).toEqual(whole.changes);
    const mid = whole.changes[1]!;
    expect((await read(mid.cursor, 1000)).changes).toEqual(whole.changes.slice(2));
  });
});

describe("long-poll", () => {
  it("an empty answer waits, and wakes within a second when a refresh here commits a change", async () => {
    const { next } = await follow(undefined);
    const started = Date.now();
    const polling = read(next, 100, 10);
    await new Promise((r) => setTimeout(r, 300));
    let committedAt = 0;
    const writing = ingestAndDrain(t, ticket("FEED-WAKE", 1)).then(() => (committedAt = Date.now()));
    const page = await polling;
    await writing;
    expect(page.changes.map((c) => c.caseId)).toEqual(["FEED-WAKE"]);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(Date.now() - committedAt).toBeLessThan(1_000);
  });

  it("wakes for a change written by another process (no in-process signal), within a second", async () => {
    const { next } = await follow(undefined);
    const polling = read(next, 100, 10);
    await new Promise((r) => setTimeout(r, 300));
    // As another process would, one that died before appending: the row commits, and nothing here is told.
    await t.db.$executeRawUnsafe(`INSERT INTO "FeedChange" ("caseId", "version", "previousVersion", "summary") VALUES ('FEED-ELSEWHERE', 1, NULL, 'elsewhere')`);
    const insertedAt = Date.now();
    const page = await polling;
    expect(page.changes.map((c) => c.caseId)).toEqual(["FEED-ELSEWHERE"]);
    expect(Date.now() - insertedAt).toBeLessThan(1_000);
  });

  it("with nothing new it answers empty, with the same next, after the wait", async () => {
    const { next } = await follow(undefined);
    const started = Date.now();
    const res = await get(`?after=${next}&wait=0.4`);
    expect(await res.json()).toEqual({ changes: [], next });
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
  });

  it("past the bound on waiting requests, an empty answer comes at once", async () => {
    const waiters = new FeedWaiters(t.db, 2);
    const from = 2n ** 62n;
    const abort = new AbortController();
    const held = [waiters.wait(from, 10_000, abort.signal), waiters.wait(from, 10_000, abort.signal)];
    expect(waiters.size).toBe(2);
    const started = Date.now();
    expect(await waiters.wait(from, 10_000)).toBe(false);
    expect(Date.now() - started).toBeLessThan(50);
    abort.abort();
    expect(await Promise.all(held)).toEqual([true, true]);
    expect(waiters.size).toBe(0);
  });
});
