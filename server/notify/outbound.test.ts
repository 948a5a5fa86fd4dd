import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createUserRow } from "../../dev/testing/auth";
import { openDb } from "../db/client";
import { readChanges } from "../feed/read-changes";
import type { Actor } from "../lib/audit";
import { metrics } from "../ops/metrics";
import { ticket } from "../../dev/testing/events";
import { ingestAndDrain } from "../../dev/testing/ingest";
import { OutboundReceiver } from "../../dev/testing/outbound-receiver";
import { createTestDb, TEST_DB_KIND, TEST_SECRET_KEY, type TestDb } from "../../dev/testing/test-db";
import { redeliver, sendTestEvent, listDeliveries } from "./delivery-log";
import { createEndpoint, outboundNotices, rotateEndpointSecret, setEndpointEnabled, type NotifyContext } from "./manage-endpoints";
import { OutboundWorker } from "./outbound-worker";
import { pruneDeliveries } from "./prune-deliveries";

/**
 * Outbound notifications against a real HTTP receiver that verifies every signature
 * (docs/change-feed.md, "Outbound notifications"). Time is the worker's injected clock, moved
 * forward by hours: no test waits for a retry.
 */
let t: TestDb;
let n: NotifyContext;
let admin: Actor;
const receivers: OutboundReceiver[] = [];
let clock = new Date(Date.now() + 60_000);
const now = () => clock;
const advance = (ms: number) => (clock = new Date(clock.getTime() + ms));
const HOUR = 3_600_000;

beforeAll(async () => {
  t = await createTestDb();
  n = { db: t.db, key: TEST_SECRET_KEY };
  const u = await createUserRow(t.db, "admin");
  admin = { id: u.id, label: u.name, role: "admin" };
});
afterAll(async () => {
  for (const r of receivers) await r.stop();
  await t?.close();
});

async function endpoint(opts: { caseIdPrefix?: string } = {}) {
  const rx = new OutboundReceiver();
  receivers.push(rx);
  const url = await rx.start();
  const made = await createEndpoint(n, admin, { url, description: "test receiver", ...opts });
  rx.secrets = [made.secret];
  return { rx, id: made.id, secret: made.secret };
}

const worker = (extra: ConstructorParameters<typeof OutboundWorker>[1] = {}) => new OutboundWorker(n, { now, random: () => 0.5, timeoutMs: 3_000, ...extra });
const label = (d: Record<string, unknown>) => `${String(d.caseId)}@${String(d.version)}`;

/** Every change the feed holds after `fromPosition` for cases starting with `prefix`, in feed order. */
async function feedFor(prefix: string): Promise<string[]> {
  const page = await readChanges(t.db, { limit: 1000, wait: 0 });
  return page.changes.filter((c) => c.caseId.startsWith(prefix)).map((c) => `${c.caseId}@${c.version}`);
}

function expectInOrderPerCase(received: Record<string, unknown>[]) {
  const last = new Map<string, number>();
  for (const d of received) {
    const prev = last.get(String(d.caseId)) ?? null;
    expect(d.previousVersion ?? null, `${label(d)} follows the case's previous delivery`).toBe(prev);
    last.set(String(d.caseId), Number(d.version));
  }
}

describe("outbound notifications", () => {
  it("an endpoint that fails for hours receives every change once it recovers, in order, each id once", async () => {
    const { rx, id } = await endpoint({ caseIdPrefix: "REC-" });
    rx.mode = "fail";
    await ingestAndDrain(t, ticket("REC-1", 1), ticket("REC-2", 1));
    const w = worker();
    for (let i = 0; i < 6; i++) {
      await w.drain();
      if (i === 2) await ingestAndDrain(t, ticket("REC-1", 2, { subject: "Second subject" }), ticket("REC-3", 1));
      advance(3 * HOUR);
    }
    // One attempt per due retry, all of the oldest change (feed order), all refused.
    expect(rx.requests.length).toBe(6);
    expect(new Set(rx.requests.map((r) => r.webhookId)).size).toBe(1);
    expect(rx.accepted).toEqual([]);
    await ingestAndDrain(t, ticket("REC-2", 2, { subject: "Changed while failing" }));

    rx.mode = "ok";
    advance(9 * HOUR);
    await w.drain();
    const got = rx.accepted.map((a) => a.data);
    expect(got.map(label)).toEqual(await feedFor("REC-"));
    expect(got.map(label)).toEqual(["REC-1@1", "REC-2@1", "REC-1@2", "REC-3@1", "REC-2@2"]);
    expect(new Set(rx.accepted.map((a) => a.webhookId)).size).toBe(rx.accepted.length);
    expect(rx.accepted.every((a) => a.type === "record.changed")).toBe(true);
    // The retried delivery kept its webhook-id: the receiver could drop a repeat.
    expect(rx.accepted[0]!.webhookId).toBe(rx.requests[0]!.webhookId);
    expect(rx.badSignatures).toEqual([]);
    expectInOrderPerCase(got);
    const log = await listDeliveries(t.db, admin, { endpointId: id });
    expect(log.rows.every((d) => d.status === "succeeded")).toBe(true);
    const first = log.rows.find((d) => d.id === rx.requests[0]!.webhookId)!;
    expect(first.attempts).toBe(7);
    expect(first.attemptLog.map((a) => a.statusCode)).toEqual([500, 500, 500, 500, 500, 500, 204]);
    const ep = await t.db.outboundEndpoint.findUniqueOrThrow({ where: { id } });
    expect(ep.consecutiveFailures).toBe(0);
    expect(ep.lastSuccessAt).not.toBeNull();
  });

  it("a timeout is a failed attempt with its reason, counted in the metrics", async () => {
    const { rx, id } = await endpoint({ caseIdPrefix: "TMO-" });
    rx.mode = "hang";
    await ingestAndDrain(t, ticket("TMO-1", 1));
    await worker({ timeoutMs: 300 }).drain();
    const d = await t.db.outboundDelivery.findFirstOrThrow({ where: { endpointId: id }, include: { attemptLog: true } });
    expect(d.status).toBe("pending");
    expect(d.attemptLog[0]!.error).toMatch(/no answer within 0.3 s/);
    expect(d.nextAttemptAt!.getTime()).toBeGreaterThan(clock.getTime());
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/escalation_outbound_attempts_total\{outcome="timeout",trigger="automatic"\} [1-9]/);
    await t.db.outboundEndpoint.update({ where: { id }, data: { enabled: false } });
  });

  it("stored deliveries resume after a restart: new loops (another process on PostgreSQL) deliver them", async () => {
    const { rx, id } = await endpoint({ caseIdPrefix: "RST-" });
    rx.mode = "fail";
    await ingestAndDrain(t, ticket("RST-1", 1), ticket("RST-2", 1));
    await ingestAndDrain(t, ticket("RST-1", 2, { subject: "Again" }));
    expect(await feedFor("RST-")).toEqual(["RST-1@1", "RST-2@1", "RST-1@2"]);
    const first = worker({ pollMs: 20 });
    first.start();
    await vi.waitFor(() => expect(rx.requests.length).toBeGreaterThan(0), { timeout: 10_000 });
    await first.stop();
    // As if the stopped process had died mid-delivery: its lease is still held.
    await t.db.outboundEndpoint.update({ where: { id }, data: { lockedUntil: new Date(clock.getTime() + 60_000) } });
    rx.mode = "ok";
    advance(HOUR);
    const second = TEST_DB_KIND === "postgres" ? await openDb({ databaseUrl: t.databaseUrl, dataDir: "memory://" }) : null;
    const next = new OutboundWorker({ db: second?.db ?? t.db, key: TEST_SECRET_KEY }, { now, pollMs: 20, timeoutMs: 3_000 });
    next.start();
    try {
      await vi.waitFor(() => expect(rx.accepted.length).toBe(3), { timeout: 15_000 });
    } finally {
      await next.stop();
      await second?.close();
    }
    expect(rx.accepted.map((a) => label(a.data))).toEqual(await feedFor("RST-"));
    expect(new Set(rx.accepted.map((a) => a.webhookId)).size).toBe(3);
  });

  it("an endpoint failing past the threshold is disabled with a notice; re-enabled, it gets its backlog in order", async () => {
    const { rx, id } = await endpoint({ caseIdPrefix: "DIS-" });
    rx.mode = "fail";
    await ingestAndDrain(t, ticket("DIS-1", 1));
    const w = worker();
    for (let i = 0; i < 20; i++) {
      await w.drain();
      if (!(await t.db.outboundEndpoint.findUniqueOrThrow({ where: { id } })).enabled) break;
      advance(8 * HOUR);
    }
    const ep = await t.db.outboundEndpoint.findUniqueOrThrow({ where: { id } });
    expect(ep.enabled).toBe(false);
    expect(ep.autoDisabled).toBe(true);
    expect(ep.consecutiveFailures).toBeGreaterThanOrEqual(10);
    expect(ep.disabledReason).toMatch(/Disabled automatically.*HTTP 500/);
    expect((await outboundNotices(t.db, admin)).map((x) => x.id)).toContain(id);
    expect(await t.db.auditLog.count({ where: { action: "outbound_endpoint.auto_disable", targetId: id } })).toBe(1);
    const tried = rx.requests.length;

    // While disabled: nothing is sent, changes wait.
    await ingestAndDrain(t, ticket("DIS-2", 1), ticket("DIS-1", 2, { subject: "While disabled" }));
    advance(8 * HOUR);
    await w.drain();
    expect(rx.requests.length).toBe(tried);

    rx.mode = "ok";
    await setEndpointEnabled(n, admin, { id, enabled: true });
    expect((await outboundNotices(t.db, admin)).map((x) => x.id)).not.toContain(id);
    await w.drain();
    expect(rx.accepted.map((a) => label(a.data))).toEqual(await feedFor("DIS-"));
    expectInOrderPerCase(rx.accepted.map((a) => a.data));
  });

  it("manual redelivery resends with the same webhook-id; a test event and a rotated secret verify", async () => {
    const { rx, id, secret } = await endpoint({ caseIdPrefix: "MAN-" });
    await ingestAndDrain(t, ticket("MAN-1", 1));
    await worker().drain();
    expect(rx.accepted.length).toBe(1);
    const delivered = rx.accepted[0]!.webhookId;
    const again = await redeliver(n, admin, { id: delivered });
    expect(again).toMatchObject({ queued: false, ok: true, statusCode: 204 });
    expect(rx.accepted.map((a) => a.webhookId)).toEqual([delivered, delivered]);
    const row = await t.db.outboundDelivery.findUniqueOrThrow({ where: { id: delivered }, include: { attemptLog: { orderBy: { number: "asc" } } } });
    expect(row.attemptLog.map((a) => a.manual)).toEqual([false, true]);

    const test = await sendTestEvent(n, admin, { id });
    expect(test).toMatchObject({ ok: true, statusCode: 204 });
    expect(rx.accepted.at(-1)).toMatchObject({ webhookId: test.deliveryId, type: "endpoint.test" });

    const rotated = await rotateEndpointSecret(n, admin, { id });
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(secret);
    // During the overlap both secrets sign: a receiver on either one verifies.
    rx.secrets = [secret];
    await sendTestEvent(n, admin, { id });
    rx.secrets = [rotated.secret];
    await sendTestEvent(n, admin, { id });
    expect(rx.badSignatures).toEqual([]);
    expect(rx.accepted.at(-1)!.signatures).toBe(2);
    // No secret reaches the audit log.
    const audits = await t.db.auditLog.findMany({ where: { targetId: { in: [id, delivered] } } });
    expect(audits.map((a) => a.action)).toEqual(expect.arrayContaining(["outbound_endpoint.create", "outbound_endpoint.rotate_secret", "outbound_delivery.redeliver", "outbound_endpoint.test"]));
    expect(JSON.stringify(audits)).not.toContain(secret.slice(6, 20));
    expect(JSON.stringify(audits)).not.toContain(rotated.secret.slice(6, 20));
  });

  it("a test event in flight is never also sent by the delivery loop", async () => {
    const { rx, id } = await endpoint({ caseIdPrefix: "TST-" });
    // What sendTestEvent leaves while its own attempt is under way: a pending test delivery.
    await t.db.outboundDelivery.create({ data: { id: "msg_inflight_test", endpointId: id, kind: "test", eventType: "endpoint.test", body: JSON.stringify({ type: "endpoint.test", data: {} }) } });
    await worker().drain();
    expect(rx.requests.map((r) => r.webhookId)).not.toContain("msg_inflight_test");
  });

  it("a pending delivery's redelivery makes it due now; while the endpoint is disabled it is refused", async () => {
    const { rx, id } = await endpoint({ caseIdPrefix: "PND-" });
    rx.mode = "fail";
    await ingestAndDrain(t, ticket("PND-1", 1));
    await worker().drain();
    const pending = await t.db.outboundDelivery.findFirstOrThrow({ where: { endpointId: id } });
    expect(pending.status).toBe("pending");
    await setEndpointEnabled(n, admin, { id, enabled: false, note: "maintenance" });
    await expect(redeliver(n, admin, { id: pending.id })).rejects.toThrow(/disabled: enable it/);
    await setEndpointEnabled(n, admin, { id, enabled: true });
    rx.mode = "ok";
    expect(await redeliver(n, admin, { id: pending.id })).toMatchObject({ queued: true });
    await worker().drain();
    expect(rx.accepted.map((a) => a.webhookId)).toEqual([pending.id]);
  });

  it("the delivery log keeps 30 days of finished deliveries and every pending one", async () => {
    const { rx, id } = await endpoint({ caseIdPrefix: "OLD-" });
    await ingestAndDrain(t, ticket("OLD-1", 1));
    await worker().drain();
    rx.mode = "fail";
    await ingestAndDrain(t, ticket("OLD-2", 1));
    await worker().drain();
    const rows = await t.db.outboundDelivery.findMany({ where: { endpointId: id }, select: { id: true, status: true } });
    expect(rows.map((r) => r.status).sort()).toEqual(["pending", "succeeded"]);
    await t.db.outboundDelivery.updateMany({ where: { endpointId: id }, data: { createdAt: new Date(clock.getTime() - 31 * 86_400_000) } });
    expect(await pruneDeliveries(t.db, clock)).toBeGreaterThanOrEqual(1);
    const left = await t.db.outboundDelivery.findMany({ where: { endpointId: id }, select: { status: true } });
    expect(left.map((r) => r.status)).toEqual(["pending"]);
    expect(await t.db.outboundAttempt.count({ where: { deliveryId: rows.find((r) => r.status === "succeeded")!.id } })).toBe(0);
  });

  it("two processes share the work: every change is sent once, in feed order (the endpoint's lease)", async () => {
    const { rx } = await endpoint({ caseIdPrefix: "TWO-" });
    for (let v = 1; v <= 3; v++) await ingestAndDrain(t, ticket("TWO-1", v, { subject: `Subject ${v}` }), ticket("TWO-2", v, { subject: `Subject ${v}` }));
    const expected = await feedFor("TWO-");
    expect(expected.length).toBe(6);
    const other = TEST_DB_KIND === "postgres" ? await openDb({ databaseUrl: t.databaseUrl, dataDir: "memory://" }) : null;
    const workers = [worker({ pollMs: 5 }), new OutboundWorker({ db: other?.db ?? t.db, key: TEST_SECRET_KEY }, { now, pollMs: 5, timeoutMs: 3_000, deliveriesPerClaim: 1 })];
    for (const w of workers) w.start();
    try {
      await vi.waitFor(() => expect(rx.accepted.length).toBe(6), { timeout: 20_000 });
    } finally {
      for (const w of workers) await w.stop();
      await other?.close();
    }
    expect(rx.requests.length).toBe(6);
    expect(new Set(rx.requests.map((r) => r.webhookId)).size).toBe(6);
    expect(rx.accepted.map((a) => label(a.data))).toEqual(expected);
  });

  it("a secret this server cannot unseal fails that endpoint's attempt, visibly, and other endpoints still get theirs", async () => {
    const broken = await endpoint({ caseIdPrefix: "KEY-" });
    const fine = await endpoint({ caseIdPrefix: "KEY-" });
    await t.db.outboundEndpoint.update({ where: { id: broken.id }, data: { secretSealed: "v1.AAAA.AAAA.AAAA" } });
    await ingestAndDrain(t, ticket("KEY-1", 1));
    await worker().drain();
    expect(fine.rx.accepted.map((a) => label(a.data))).toEqual(["KEY-1@1"]);
    expect(broken.rx.requests).toEqual([]);
    const ep = await t.db.outboundEndpoint.findUniqueOrThrow({ where: { id: broken.id } });
    expect(ep.consecutiveFailures).toBe(1);
    expect(ep.lastError).toMatch(/cannot be unsealed/);
    expect(await metrics.registry.metrics()).toMatch(/escalation_outbound_attempts_total\{outcome="secret_error",trigger="automatic"\} 1/);
  });
});
