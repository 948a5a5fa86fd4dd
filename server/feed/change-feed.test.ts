import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
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
import { feedWaiters, FeedWaiters } from "./feed-waiters";
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
    expect(await res.json()).toEqual({ error: "limit must be a whole number from 1 to 1000", issues: [{ path: "", message: "limit must be a whole number from 1 to 1000" }] });
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
  // Each wait below is proved by the order of events, never by reading the clock: a timer of the
  // poll's own length, set before the poll starts, fires no later than the poll's timeout can. A
  // poll that answers with the change before that timer fired was woken by the change; one that
  // only answered when its timeout fired (it re-reads then, and would find the change too) comes
  // after the timer. A working wake takes milliseconds, so the 30 s allowed never decide a pass.
  const WAIT_S = 30;

  /** Starts a long poll from `next` and resolves once it is waiting (registered with the process's waiters). */
  async function startPoll(next: string, events: string[]) {
    const deadline = setTimeout(() => events.push("poll's own timeout could have fired"), WAIT_S * 1000);
    const polling = read(next, 100, WAIT_S).then((page) => {
      events.push("poll answered");
      clearTimeout(deadline);
      return page;
    });
    await vi.waitFor(() => expect(feedWaiters(t.db).size).toBe(1), { timeout: 60_000, interval: 10 });
    return { polling };
  }

  it("an empty answer waits, and a refresh here that commits a change wakes it", async () => {
    const { next } = await follow(undefined);
    const events: string[] = [];
    const { polling } = await startPoll(next, events);
    events.push("writing");
    const writing = ingestAndDrain(t, ticket("FEED-WAKE", 1));
    const page = await polling;
    await writing;
    expect(page.changes.map((c) => c.caseId)).toEqual(["FEED-WAKE"]);
    expect(events).toEqual(["writing", "poll answered"]);
    expect(feedWaiters(t.db).size).toBe(0);
  });

  it("wakes for a change written by another process (no in-process signal)", async () => {
    const { next } = await follow(undefined);
    const events: string[] = [];
    const { polling } = await startPoll(next, events);
    // As another process would, one that died before appending: the row commits, and nothing here is told.
    events.push("inserted elsewhere");
    await t.db.$executeRawUnsafe(`INSERT INTO "FeedChange" ("caseId", "version", "previousVersion", "summary") VALUES ('FEED-ELSEWHERE', 1, NULL, 'elsewhere')`);
    const page = await polling;
    expect(page.changes.map((c) => c.caseId)).toEqual(["FEED-ELSEWHERE"]);
    expect(events).toEqual(["inserted elsewhere", "poll answered"]);
  });

  it("with nothing new it answers empty, with the same next, after the wait", async () => {
    const { next } = await follow(undefined);
    const events: string[] = [];
    // Shorter than the poll's wait: an answer that did not wait comes before it.
    const shorter = setTimeout(() => events.push("most of the wait passed"), 300);
    const res = await get(`?after=${next}&wait=0.4`);
    events.push("answered");
    clearTimeout(shorter);
    expect(await res.json()).toEqual({ changes: [], next });
    expect(events).toEqual(["most of the wait passed", "answered"]);
  });

  it("past the bound on waiting requests, an empty answer comes at once", async () => {
    const waiters = new FeedWaiters(t.db, 2);
    const from = 2n ** 62n;
    const abort = new AbortController();
    const held = [waiters.wait(from, 10_000, abort.signal), waiters.wait(from, 10_000, abort.signal)];
    expect(waiters.size).toBe(2);
    // At once: before the event loop turns even once (no timer, no I/O).
    const later = new Promise<"later">((resolve) => setImmediate(() => resolve("later")));
    expect(await Promise.race([waiters.wait(from, 10_000), later])).toBe(false);
    expect(waiters.size).toBe(2);
    abort.abort();
    expect(await Promise.all(held)).toEqual([true, true]);
    expect(waiters.size).toBe(0);
  });
});
