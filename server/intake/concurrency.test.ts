import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST } from "@/app/api/webhooks/[source]/route";
import { installRuntime } from "../../dev/simulator/intake-server";
import { signWebhook } from "../../dev/simulator/sign";
import { Random } from "../../dev/simulator/random";
import { entitlement, ticket, type TestEvent } from "../../dev/testing/events";
import { createTestDb, TEST_DB_KIND, TEST_SECRET_KEY, type TestDb } from "../../dev/testing/test-db";

/**
 * Concurrent deliveries through the real route handler. On PostgreSQL (TEST_DB=postgres) the
 * requests really run in parallel on a connection pool; on PGlite they interleave on one.
 */
const SECRET = "whsec_" + Buffer.alloc(32, 11).toString("base64");
const ENV_SECRETS = { ticketing: [SECRET], entitlement: [SECRET] };

let t: TestDb;
let uninstall: () => Promise<void>;

beforeAll(async () => {
  t = await createTestDb({ envSecrets: ENV_SECRETS });
  ({ uninstall } = installRuntime({ ...t, secrets: { key: TEST_SECRET_KEY, envSecrets: ENV_SECRETS } }));
});

afterAll(async () => {
  await uninstall?.();
  await t?.close();
});

async function post(ev: TestEvent, webhookId: string): Promise<{ status: number; body: { status?: string; eventId?: string; error?: string } }> {
  const signed = signWebhook({ baseUrl: "http://127.0.0.1", source: ev.kind, secret: SECRET, webhookId, body: JSON.stringify(ev.body) });
  const res = await POST(new Request(signed.url, { method: "POST", headers: signed.headers, body: signed.body }), { params: Promise.resolve({ source: ev.kind }) });
  return { status: res.status, body: (await res.json()) as { status?: string; eventId?: string } };
}

const tally = (results: { status: number; body: { status?: string } }[]) => {
  const out: Record<string, number> = {};
  for (const r of results) out[`${r.status} ${r.body.status ?? r.body}`] = (out[`${r.status} ${r.body.status ?? r.body}`] ?? 0) + 1;
  return out;
};

describe(`concurrent deliveries (${TEST_DB_KIND})`, () => {
  it("the same webhook-id posted 50 times at once: one 202, 49 duplicates, one row", async () => {
    const ev = ticket("CASE-C1", 1, {}, "TCK-C1");
    const results = await Promise.all(Array.from({ length: 50 }, () => post(ev, "msg_concurrent_same")));
    expect(tally(results)).toEqual({ "202 accepted": 1, "200 duplicate": 49 });
    const eventId = results.find((r) => r.status === 202)!.body.eventId;
    expect(results.every((r) => r.body.eventId === eventId)).toBe(true);
    const rows = await t.db.webhookEvent.findMany({ where: { webhookId: "msg_concurrent_same" }, select: { id: true } });
    expect(rows).toEqual([{ id: eventId }]);
    const entity = await t.db.sourceEntity.findMany({ where: { entityId: "TCK-C1" }, select: { maxVersion: true, currentEventId: true } });
    expect(entity).toEqual([{ maxVersion: 1, currentEventId: eventId }]);
  });

  it("ten webhook-ids, each delivered five times at once: ten rows, the rest duplicates of them", async () => {
    const evs = Array.from({ length: 10 }, (_, i) => ticket(`CASE-C2-${i}`, 1, {}, `TCK-C2-${i}`));
    const jobs = new Random(7).shuffle(evs.flatMap((ev, i) => Array.from({ length: 5 }, () => ({ ev, id: `msg_c2_${i}` }))));
    const results = await Promise.all(jobs.map((j) => post(j.ev, j.id).then((r) => ({ ...r, id: j.id }))));
    expect(tally(results)).toEqual({ "202 accepted": 10, "200 duplicate": 40 });
    for (let i = 0; i < 10; i++) {
      const mine = results.filter((r) => r.id === `msg_c2_${i}`);
      expect(new Set(mine.map((r) => r.body.eventId)).size).toBe(1);
    }
    expect(await t.db.webhookEvent.count({ where: { webhookId: { startsWith: "msg_c2_" } } })).toBe(10);
  });

  it("one version from 50 different webhook-ids at once: one applied state, 49 stale, all stored", async () => {
    const ev = entitlement("ACC-C3", 4);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => post(ev, `msg_c3_${i}`)));
    expect(tally(results)).toEqual({ "202 accepted": 1, "202 stale": 49 });
    const accepted = results.find((r) => r.body.status === "accepted")!.body.eventId;
    const entity = await t.db.sourceEntity.findFirstOrThrow({ where: { entityId: "ACC-C3" }, select: { maxVersion: true, currentEventId: true } });
    expect(entity).toEqual({ maxVersion: 4, currentEventId: accepted });
    expect(await t.db.webhookEvent.count({ where: { webhookId: { startsWith: "msg_c3_" }, status: "stale" } })).toBe(49);
  });

  it("versions 1..50 of one entity in random order at once: the newest wins, whatever the interleaving", async () => {
    const versions = new Random(13).shuffle(Array.from({ length: 50 }, (_, i) => i + 1));
    const results = await Promise.all(versions.map((v) => post(ticket("CASE-C4", v, { subject: `version ${v}` }, "TCK-C4"), `msg_c4_${v}`).then((r) => ({ ...r, v }))));
    expect(results.every((r) => r.status === 202)).toBe(true);
    const newest = results.find((r) => r.v === 50)!;
    expect(newest.body.status).toBe("accepted");
    const entity = await t.db.sourceEntity.findFirstOrThrow({ where: { entityId: "TCK-C4" }, select: { maxVersion: true, currentEventId: true } });
    expect(entity).toEqual({ maxVersion: 50, currentEventId: newest.body.eventId });
    // Each answer matches what is stored.
    const rows = await t.db.webhookEvent.findMany({ where: { webhookId: { startsWith: "msg_c4_" } }, select: { id: true, status: true } });
    expect(rows).toHaveLength(50);
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const r of results) expect(byId.get(r.body.eventId!)!.status === "stale", `v${r.v}`).toBe(r.body.status === "stale");
  });
});
