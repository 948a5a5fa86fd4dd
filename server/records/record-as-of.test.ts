import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GET } from "../../app/api/v1/cases/[caseId]/record/route";
import { installTestRuntime, TEST_API_TOKEN, type TestRuntime } from "../../dev/testing/auth";
import { claimException, resolveException } from "../exceptions/resolve-exception";
import { AppError } from "../lib/errors";
import { drain } from "../refresh/process-events";
import { createUser } from "../../dev/testing/refresh";
import { incident, nextWebhookId, ticket } from "../../dev/testing/events";
import { ingest } from "../../dev/testing/ingest";
import type { TestDb } from "../../dev/testing/test-db";
import { getRecordAsOf, parseAsOf, versionCurrentAt } from "./record-as-of";

/** docs/api.md "Current record" with ?asOf=: the version whose becoming-current time is the latest ≤ asOf. */
let runtime: TestRuntime;
let t: TestDb;
const CASE = "CASE-ASOF";
const ms = (d: Date, delta: number) => new Date(d.getTime() + delta);
let feed: { version: number; at: Date }[] = [];

beforeAll(async () => {
  // The route handler reads getRuntime(): the runtime is installed on the test database.
  runtime = await installTestRuntime();
  t = runtime.tdb;
  await ingest(t, ticket(CASE, 1, { severity: "S2" }), nextWebhookId());
  await drain(t);
  await ingest(t, ticket(CASE, 2, { severity: "S2", subject: "Second subject" }), nextWebhookId());
  await drain(t);
  // v3 is held (S4 incident against an S2 ticket) and becomes current only when approved.
  await ingest(t, incident("INC-ASOF", 1, { caseIds: [CASE], severity: "S4" }), nextWebhookId());
  await drain(t);
  const specialist = await createUser(t.db, "specialist", "Asha");
  const exc = await t.db.caseException.findFirstOrThrow({ where: { caseId: CASE } });
  await claimException(t, specialist, exc.id);
  await resolveException(t, specialist, exc.id, { kind: "approve", note: "Incident is right" });
  feed = await t.db.feedChange.findMany({ where: { caseId: CASE }, orderBy: { seq: "asc" }, select: { version: true, at: true } });
});
afterAll(async () => {
  await runtime?.close();
});

describe("the version current at a moment", () => {
  it("counts a version from the moment it became current, a held one from its approval", async () => {
    expect(feed.map((f) => f.version)).toEqual([1, 2, 3]);
    const v3 = await t.db.recordVersion.findUniqueOrThrow({ where: { caseId_version: { caseId: CASE, version: 3 } } });
    // v3 was created (held) before it became current: just before its approval, v2 was current.
    expect(v3.createdAt.getTime()).toBeLessThan(feed[2]!.at.getTime());
    expect((await versionCurrentAt(t.db, CASE, ms(feed[2]!.at, -1)))?.version).toBe(2);
    expect((await versionCurrentAt(t.db, CASE, feed[2]!.at))?.version).toBe(3);
  });

  it("at each becoming-current time and between them, answers that version (boundaries inclusive)", async () => {
    for (const [i, f] of feed.entries()) {
      const r = await getRecordAsOf(t.db, CASE, f.at);
      expect(r).toMatchObject({ caseId: CASE, version: f.version, becameCurrentAt: f.at.toISOString(), asOf: f.at.toISOString() });
      const next = feed[i + 1];
      if (next) expect((await getRecordAsOf(t.db, CASE, ms(next.at, -1))).version).toBe(f.version);
    }
    const first = await getRecordAsOf(t.db, CASE, feed[0]!.at);
    expect(first.status).toBe("superseded");
    expect((first.record as { case: { subject: string } }).case.subject).not.toBe("Second subject");
  });

  it("lists the exceptions open at that moment, not those opened later or resolved before", async () => {
    const exc = await t.db.caseException.findFirstOrThrow({ where: { caseId: CASE } });
    const beforeResolution = await getRecordAsOf(t.db, CASE, ms(exc.resolvedAt!, -1));
    expect(beforeResolution.openExceptions.map((e) => e.rule)).toEqual(["SEVERITY_CONFLICT"]);
    expect(beforeResolution.openExceptions[0]!.status).toBe("claimed");
    const justOpened = await getRecordAsOf(t.db, CASE, exc.openedAt);
    expect(justOpened.openExceptions.map((e) => e.status)).toEqual(exc.claimedAt! <= exc.openedAt ? ["claimed"] : ["open"]);
    expect((await getRecordAsOf(t.db, CASE, exc.resolvedAt!)).openExceptions).toEqual([]);
    expect((await getRecordAsOf(t.db, CASE, ms(exc.openedAt, -1))).openExceptions).toEqual([]);
  });

  it("before the first version became current: 404 with code NO_VERSION_AT_TIME", async () => {
    const err = await getRecordAsOf(t.db, CASE, ms(feed[0]!.at, -1)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("NOT_FOUND");
    expect((err as AppError).reason).toBe("NO_VERSION_AT_TIME");
  });
});

describe("parseAsOf", () => {
  it("takes ISO 8601 times with a zone", () => {
    expect(parseAsOf("2026-11-27T14:05:00Z").toISOString()).toBe("2026-11-27T14:05:00.000Z");
    expect(parseAsOf("2026-11-27T14:05Z").toISOString()).toBe("2026-11-27T14:05:00.000Z");
    expect(parseAsOf("2026-11-27T15:05:00.250+01:00").toISOString()).toBe("2026-11-27T14:05:00.250Z");
  });
  it.each(["", "yesterday", "2026-11-27", "2026-11-27T14:05:00", "2026-13-40T99:99:00Z", "1732716300000"])("refuses %j with a 400", (raw) => {
    const err = (() => {
      try {
        parseAsOf(raw);
        return null;
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).code).toBe("BAD_REQUEST");
  });
});

describe("GET /api/v1/cases/{caseId}/record?asOf=", () => {
  const call = (qs: string) =>
    GET(new Request(`http://localhost/api/v1/cases/${CASE}/record${qs}`, { headers: { authorization: `Bearer ${TEST_API_TOKEN}` } }));

  it("answers the version current then; without asOf, the current record as before", async () => {
    const then = await call(`?asOf=${encodeURIComponent(feed[1]!.at.toISOString())}`);
    expect(then.status).toBe(200);
    expect(await then.json()).toMatchObject({ version: 2, status: "superseded", becameCurrentAt: feed[1]!.at.toISOString() });
    const now = await call("");
    expect(now.status).toBe(200);
    const body = (await now.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ version: 3, status: "current" });
    expect(body).not.toHaveProperty("asOf");
  });

  it("400 for an unparsable time, 404 with a code before the first version", async () => {
    const bad = await call("?asOf=not-a-time");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/ISO 8601/);
    const early = await call(`?asOf=${encodeURIComponent(ms(feed[0]!.at, -1000).toISOString())}`);
    expect(early.status).toBe(404);
    expect(await early.json()).toMatchObject({ code: "NO_VERSION_AT_TIME" });
  });
});
