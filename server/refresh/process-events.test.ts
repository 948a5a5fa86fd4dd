import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getEventStatus } from "../api/read-api";
import { claimException, resolveException } from "../exceptions/resolve-exception";
import { bundle, entitlement, incident, nextWebhookId, ticket, type TestEvent } from "../../dev/testing/events";
import { ingest } from "../../dev/testing/ingest";
import { createTestDb, type TestDb } from "../../dev/testing/test-db";
import { drain, MAX_ATTEMPTS, processBatch, retryDelayMs } from "./process-events";
import { caseState, createUser, currentRecord } from "../../dev/testing/refresh";
import { metrics } from "../ops/metrics";

let t: TestDb;
let n = 0;
const fresh = () => `CASE-E${++n}`;

beforeAll(async () => {
  t = await createTestDb();
});
afterAll(async () => {
  await t?.close();
});

/** Stores an event and returns its webhook id, for docs/api.md's event-status look-up. */
async function send(ev: TestEvent): Promise<{ webhookId: string; eventId: string; status: string }> {
  const webhookId = nextWebhookId();
  const stored = await ingest(t, ev, webhookId);
  return { webhookId, ...stored };
}
const status = (ev: { webhookId: string }, source: string) => getEventStatus(t.db, source, ev.webhookId);

describe("event status (docs/api.md)", () => {
  it("received until its cases are refreshed, then applied with the version it made", async () => {
    const caseId = fresh();
    const e = await send(ticket(caseId, 1));
    expect(await status(e, "ticketing")).toEqual({ eventId: e.eventId, status: "received", caseIds: [caseId], recordVersions: [], cases: [] });
    await drain(t);
    expect(await status(e, "ticketing")).toEqual({ eventId: e.eventId, status: "applied", caseIds: [caseId], recordVersions: [{ caseId, version: 1 }], cases: [{ caseId, outcome: "applied", version: 1 }] });
  });

  it("a re-delivered webhook-id reports the original event", async () => {
    const caseId = fresh();
    const webhookId = nextWebhookId();
    const first = await ingest(t, ticket(caseId, 1), webhookId);
    const again = await ingest(t, ticket(caseId, 1, { subject: "a different body under the same id" }), webhookId);
    expect(again).toEqual({ status: "duplicate", eventId: first.eventId });
    await drain(t);
    expect((await getEventStatus(t.db, "ticketing", webhookId)).eventId).toBe(first.eventId);
  });

  it("no_change when a new version changes nothing in the record", async () => {
    const caseId = fresh();
    await send(ticket(caseId, 1));
    await drain(t);
    const same = await send(ticket(caseId, 2));
    await drain(t);
    expect(await status(same, "ticketing")).toMatchObject({ status: "no_change", caseIds: [caseId], recordVersions: [] });
    expect((await caseState(t.db, caseId)).versions).toHaveLength(1);
  });

  it("stale when at or below the entity's newest accepted version", async () => {
    const caseId = fresh();
    await send(ticket(caseId, 5));
    const older = await send(ticket(caseId, 3, { subject: "older" }));
    const equal = await send(ticket(caseId, 5, { subject: "same version, new id" }));
    expect(older.status).toBe("stale");
    expect(equal.status).toBe("stale");
    await drain(t);
    expect(await status(older, "ticketing")).toMatchObject({ status: "stale" });
    expect(await status(equal, "ticketing")).toMatchObject({ status: "stale" });
    const rec = await t.db.recordVersion.findFirstOrThrow({ where: { caseId, isCurrent: true } });
    expect((rec.record as { case: { subject: string } }).case.subject).not.toBe("older");
  });

  it("held when a case holds it behind an exception, with the held candidate's version", async () => {
    const caseId = fresh();
    await send(ticket(caseId, 1, { severity: "S1" }));
    await drain(t);
    const e = await send(incident(`INC-${caseId}`, 1, { caseIds: [caseId], severity: "S4" }));
    await drain(t);
    expect(await status(e, "incident")).toEqual({ eventId: e.eventId, status: "held", caseIds: [caseId], recordVersions: [{ caseId, version: 2 }], cases: [{ caseId, outcome: "held", version: 2 }] });
  });

  it("held wins over applied across the cases an event fans out to", async () => {
    const a = fresh();
    const b = fresh();
    await send(ticket(a, 1, { accountId: "ACC-FAN", declaredServiceTier: "premium" }));
    await send(ticket(b, 1, { accountId: "ACC-FAN", declaredServiceTier: "enterprise" }));
    await drain(t);
    const e = await send(entitlement("ACC-FAN", 1, { serviceTier: "premium" }));
    await drain(t);
    const s = await status(e, "entitlement");
    expect(s.status).toBe("held");
    expect(s.caseIds).toEqual([a, b].sort());
    expect((await caseState(t.db, a)).current).toBe(2);
    expect((await caseState(t.db, b)).live.map((x) => x.rule)).toEqual(["ENTITLEMENT_INCONSISTENT"]);
  });

  it("waiting until the case has a ticket, then folded in and applied with the ticket's first version", async () => {
    const caseId = fresh();
    const b1 = await send(bundle(caseId, `BND-${caseId}`, 1));
    const inc = await send(incident(`INC-${caseId}`, 1, { caseIds: [caseId] }));
    await drain(t);
    expect(await status(b1, "diagnostics")).toMatchObject({ status: "waiting", caseIds: [caseId], recordVersions: [] });
    expect(await status(inc, "incident")).toMatchObject({ status: "waiting" });
    const b2 = await send(bundle(caseId, `BND-${caseId}`, 2, { uri: "s3://diag/v2.zip" }));
    await drain(t);
    expect(await status(b2, "diagnostics")).toMatchObject({ status: "waiting" });

    await send(ticket(caseId, 1));
    await drain(t);
    expect(await status(b2, "diagnostics")).toEqual({ eventId: b2.eventId, status: "applied", caseIds: [caseId], recordVersions: [{ caseId, version: 1 }], cases: [{ caseId, outcome: "applied", version: 1 }] });
    expect(await status(inc, "incident")).toMatchObject({ status: "applied", recordVersions: [{ caseId, version: 1 }] });
    // Version 1 of the bundle was superseded before the case existed: nothing of it is in the record.
    expect(await status(b1, "diagnostics")).toMatchObject({ status: "no_change", recordVersions: [] });
    const rec = await t.db.recordVersion.findFirstOrThrow({ where: { caseId, isCurrent: true } });
    expect((rec.record as { artifacts: { uri: string }[] }).artifacts.map((a) => a.uri)).toEqual(["s3://diag/v2.zip"]);
  });

  it("an entitlement for every case of an account ('*') waits for the account's first case", async () => {
    const caseId = fresh();
    const e = await send(entitlement("ACC-LATE", 1, { serviceTier: "enterprise" }));
    await drain(t);
    expect(await status(e, "entitlement")).toMatchObject({ status: "waiting", caseIds: [] });
    await send(ticket(caseId, 1, { accountId: "ACC-LATE" }));
    await drain(t);
    expect(await status(e, "entitlement")).toMatchObject({ status: "applied", caseIds: [caseId], recordVersions: [{ caseId, version: 1 }], cases: [{ caseId, outcome: "applied", version: 1 }] });
  });

  it("waiting events folded into a held first version are held, then applied when approved", async () => {
    const caseId = fresh();
    const b = await send(bundle(caseId, `BND-${caseId}`, 1));
    await drain(t);
    await send(ticket(caseId, 1, { productArea: "unknown product" }));
    await drain(t);
    expect(await status(b, "diagnostics")).toMatchObject({ status: "held", recordVersions: [{ caseId, version: 1 }] });
    const specialist = await createUser(t.db, "specialist", "Sam");
    const exc = (await caseState(t.db, caseId)).live[0]!;
    await claimException(t, specialist, exc.id);
    await resolveException(t, specialist, exc.id, { kind: "approve", note: "New product line, taxonomy follows" });
    expect(await status(b, "diagnostics")).toMatchObject({ status: "applied", recordVersions: [{ caseId, version: 1 }] });
  });

  it("held events whose conflict a newer event clears are released from held", async () => {
    const caseId = fresh();
    await send(ticket(caseId, 1, { severity: "S1" }));
    await drain(t);
    const bad = await send(incident(`INC-${caseId}`, 1, { caseIds: [caseId], severity: "S4" }));
    await drain(t);
    expect((await status(bad, "incident")).status).toBe("held");
    const good = await send(incident(`INC-${caseId}`, 2, { caseIds: [caseId], severity: "S2" }));
    await drain(t);
    expect((await status(good, "incident")).status).toBe("applied");
    expect((await status(bad, "incident")).status).toBe("no_change");
    expect((await caseState(t.db, caseId)).live).toEqual([]);
  });

  it("quarantined after a specialist rejects it", async () => {
    const caseId = fresh();
    await send(ticket(caseId, 1, { severity: "S1" }));
    await drain(t);
    const bad = await send(incident(`INC-${caseId}`, 1, { caseIds: [caseId], severity: "S3" }));
    await drain(t);
    const specialist = await createUser(t.db, "specialist", "Quinn");
    const exc = (await caseState(t.db, caseId)).live[0]!;
    await claimException(t, specialist, exc.id);
    await resolveException(t, specialist, exc.id, { kind: "reject", note: "Wrong incident linked" });
    expect(await status(bad, "incident")).toMatchObject({ status: "quarantined", caseIds: [caseId] });
  });
});

describe("failing events", () => {
  it("backs off exponentially", () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8].map(retryDelayMs);
    for (let i = 1; i < delays.length; i++) expect(delays[i]!).toBeGreaterThanOrEqual(delays[i - 1]!);
    expect(delays[1]).toBe(2 * delays[0]!);
    expect(retryDelayMs(50)).toBe(30_000);
  });

  it("an event that keeps failing is retried with backoff, then failed with an exception, without blocking the case's later events", async () => {
    const caseId = fresh();
    await send(ticket(caseId, 1));
    await drain(t);
    const poison = await send(incident(`INC-${caseId}`, 1, { caseIds: [caseId] }));
    // The stored state is damaged after intake validated it, so fanning it out throws every time.
    await t.db.$executeRawUnsafe(`UPDATE "WebhookEvent" SET "data" = jsonb_set("data", '{caseIds}', '"not-a-list"') WHERE "id" = $1`, poison.eventId);
    const later = await send(ticket(caseId, 2, { subject: "A later update" }));

    const before = Date.now();
    await processBatch(t);
    let row = await t.db.webhookEvent.findUniqueOrThrow({ where: { id: poison.eventId } });
    expect(row).toMatchObject({ status: "received", attempts: 1, lockedUntil: null });
    expect(row.lastError).toMatch(/fan-out failed/);
    expect(row.nextAttemptAt.getTime()).toBeGreaterThanOrEqual(before + retryDelayMs(1));
    // The case's later event was not blocked.
    expect((await status(later, "ticketing")).status).toBe("applied");
    // Not due yet: a batch now does not touch it.
    await processBatch(t);
    expect((await t.db.webhookEvent.findUniqueOrThrow({ where: { id: poison.eventId } })).attempts).toBe(1);

    for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) {
      // Let the backoff elapse without sleeping.
      await t.db.webhookEvent.update({ where: { id: poison.eventId }, data: { nextAttemptAt: new Date(Date.now() - 1000) } });
      await processBatch(t);
      row = await t.db.webhookEvent.findUniqueOrThrow({ where: { id: poison.eventId } });
      expect(row.attempts).toBe(attempt);
      expect(row.status).toBe(attempt < MAX_ATTEMPTS ? "received" : "failed");
    }
    expect(await status(poison, "incident")).toMatchObject({ status: "failed" });
    const exc = await t.db.caseException.findFirstOrThrow({ where: { caseId, rule: "PROCESSING_FAILED", liveKey: { not: null } } });
    expect((exc.detail as { eventId: string; message: string }).eventId).toBe(poison.eventId);
    expect((exc.detail as { message: string }).message).toMatch(/failed 5 times/);

    // A later event of the case still refreshes it, and does not clear the failure exception.
    const after = await send(ticket(caseId, 3, { subject: "Even later" }));
    await drain(t);
    expect((await status(after, "ticketing")).status).toBe("applied");
    expect(await t.db.caseException.count({ where: { id: exc.id, liveKey: { not: null } } })).toBe(1);

    // A specialist rejecting the failure exception quarantines the failed event.
    const specialist = await createUser(t.db, "specialist", "Fay");
    await claimException(t, specialist, exc.id);
    await resolveException(t, specialist, exc.id, { kind: "reject", note: "Corrupted in storage; the source will resend" });
    expect(await status(poison, "incident")).toMatchObject({ status: "quarantined" });
    expect(await t.db.quarantinedEvent.count({ where: { eventId: poison.eventId, exceptionId: exc.id } })).toBe(1);
    expect((await caseState(t.db, caseId)).live).toEqual([]);
  });
});

describe("a batch takes along the due events of its cases", () => {
  it("claims the oldest event and every other due event of the same case: one refresh folds them all", async () => {
    await drain(t);
    const a = fresh();
    const b = fresh();
    await send(ticket(a, 1, { subject: "first" }));
    await send(ticket(b, 1));
    await send(bundle(a, `BND-${a}`, 1));
    await send(ticket(a, 2, { subject: "second" }));
    await send(ticket(a, 3, { subject: "third" }));
    // A batch of one: the oldest event is case a's; the three later events of a come with it, b's does not.
    expect(await processBatch(t, 1)).toBe(4);
    expect((await caseState(t.db, a)).versions.map((v) => v.version)).toEqual([1]);
    expect(((await currentRecord(t.db, a))!.record as { case: { subject: string } }).case.subject).toBe("third");
    expect(await t.db.webhookEvent.count({ where: { caseId: b, status: "received" } })).toBe(1);
    expect(await t.db.webhookEvent.count({ where: { caseId: a, status: "received" } })).toBe(0);
    expect(await processBatch(t, 1)).toBe(1);
  });
});

describe("a batch of refreshes and the event loop", () => {
  it("lets timers and requests run between the refreshes of a batch (the embedded database never yields on its own)", async () => {
    const refreshes = async () => (await metrics.refreshDuration.get()).values.filter((v) => v.metricName?.endsWith("_count")).reduce((n, v) => n + v.value, 0);
    const cases = Array.from({ length: 6 }, () => fresh());
    for (const c of cases) await send(ticket(c, 1));
    const before = await refreshes();
    let doneWhenTimerFired: number | null = null;
    const timer = new Promise<void>((resolve) =>
      setTimeout(() => {
        void refreshes().then((n) => {
          doneWhenTimerFired = n - before;
          resolve();
        });
      }, 0),
    );
    await processBatch(t, 100);
    await timer;
    expect(await refreshes()).toBe(before + cases.length);
    // The timer came due at once; it ran before the batch's last refresh, not after all of them.
    expect(doneWhenTimerFired).not.toBeNull();
    expect(doneWhenTimerFired!).toBeLessThan(cases.length);
  });
});
