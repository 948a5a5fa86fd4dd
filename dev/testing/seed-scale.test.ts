import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { caseIdOf, groupToken, HISTORY_CASE_ID, seedScale, TEMPLATE_TOKEN, type ScaleSeedResult } from "../../bench/scale/seed";
import { drain } from "../../server/refresh/process-events";
import { replayCase } from "../../server/refresh/replay";
import { entitlement, ticket } from "./events";
import { ingest } from "./ingest";
import { createTestDb, type TestDb } from "./test-db";

// The scale seed clones one group of cases built through the real intake and engine; these tests
// prove a clone is what the engine would have made from the clone's own events.
const TEMPLATE_CASES = 20;
const GROUPS = 3;
let t: TestDb;
let seeded: ScaleSeedResult;

beforeAll(async () => {
  t = await createTestDb();
  seeded = await seedScale(t.handle, { cases: TEMPLATE_CASES * GROUPS, templateCases: TEMPLATE_CASES, historyVersions: 5 });
}, 600_000);
afterAll(() => t?.close());

/** Text of a value with group `k`'s token written as the template's. */
const asTemplate = (v: unknown, k: number) => JSON.stringify(v).replaceAll(groupToken(k), TEMPLATE_TOKEN);

async function groupCounts(token: string) {
  const [row] = await t.db.$queryRawUnsafe<Record<string, number>[]>(
    `SELECT (SELECT count(*) FROM "Case" WHERE "id" LIKE '%' || $1 || '%')::int AS cases,
       (SELECT count(*) FROM "WebhookEvent" WHERE "webhookId" LIKE '%' || $1 || '%')::int AS events,
       (SELECT count(*) FROM "SourceEntity" WHERE "entityId" LIKE '%' || $1 || '%')::int AS entities,
       (SELECT count(*) FROM "EntityCaseLink" WHERE "caseId" LIKE '%' || $1 || '%')::int AS links,
       (SELECT count(*) FROM "EventCase" WHERE "caseId" LIKE '%' || $1 || '%')::int AS outcomes,
       (SELECT count(*) FROM "RecordVersion" WHERE "caseId" LIKE '%' || $1 || '%')::int AS versions,
       (SELECT count(*) FROM "DeltaEntry" WHERE "caseId" LIKE '%' || $1 || '%')::int AS deltas,
       (SELECT count(*) FROM "CaseException" WHERE "caseId" LIKE '%' || $1 || '%' AND "liveKey" IS NOT NULL)::int AS live`,
    token,
  );
  return row!;
}

/** What a refresh left for a case, with its group's token written as the template's. */
async function caseState(caseId: string, k: number) {
  const c = await t.db.case.findUniqueOrThrow({ where: { id: caseId }, select: { currentVersion: true, lastVersion: true, openExceptionCount: true, severity: true, tier: true, lastCauses: true, lastSummary: true, customerName: true } });
  const versions = await t.db.recordVersion.findMany({
    where: { caseId },
    orderBy: { version: "asc" },
    select: { version: true, status: true, isCurrent: true, record: true, causes: true, summary: true, lineage: true, delta: { select: { path: true, before: true, after: true, cause: true }, orderBy: { path: "asc" } } },
  });
  const exceptions = await t.db.caseException.findMany({ where: { caseId }, orderBy: [{ rule: "asc" }, { status: "asc" }], select: { rule: true, status: true, candidateVersion: true, liveKey: true } });
  // Lineage's receivedAt of the new event differs between the two deliveries; everything else must not.
  const lineage = versions.map((v) => Object.fromEntries(Object.entries(v.lineage as Record<string, { receivedAt?: string }>).map(([p, l]) => [p, { ...l, receivedAt: undefined }])));
  return asTemplate({ c, versions: versions.map((v) => ({ ...v, lineage: undefined })), lineage, exceptions }, k);
}

describe("seedScale", () => {
  it("makes every group a copy of the template with its own ids", async () => {
    expect(seeded.groups).toBe(GROUPS);
    expect(seeded.cases).toBe(TEMPLATE_CASES * GROUPS + 1);
    const template = await groupCounts(TEMPLATE_TOKEN);
    expect(template.cases).toBe(TEMPLATE_CASES);
    expect(template.live).toBeGreaterThan(0);
    for (let k = 1; k < GROUPS; k++) expect(await groupCounts(groupToken(k))).toEqual(template);
    expect(await t.db.recordVersion.count({ where: { caseId: HISTORY_CASE_ID } })).toBe(5);
  });

  it("keeps the invariants the engine relies on", async () => {
    const broken = await t.db.$queryRawUnsafe<{ what: string; n: number }[]>(
      `SELECT 'current version' AS what, count(*)::int AS n FROM "Case" c
         WHERE c."currentVersion" IS DISTINCT FROM (SELECT v."version" FROM "RecordVersion" v WHERE v."caseId" = c."id" AND v."isCurrent")
       UNION ALL SELECT 'last version', count(*)::int FROM "Case" c
         WHERE c."lastVersion" <> COALESCE((SELECT max(v."version") FROM "RecordVersion" v WHERE v."caseId" = c."id"), 0)
       UNION ALL SELECT 'open exception count', count(*)::int FROM "Case" c
         WHERE c."openExceptionCount" <> (SELECT count(*) FROM "CaseException" x WHERE x."caseId" = c."id" AND x."liveKey" IS NOT NULL)
       UNION ALL SELECT 'entity current event', count(*)::int FROM "SourceEntity" se JOIN "WebhookEvent" e ON e."id" = se."currentEventId"
         WHERE e."sourceId" <> se."sourceId" OR e."entityId" <> se."entityId" OR e."entityVersion" <> se."maxVersion"
       UNION ALL SELECT 'event without outcome', count(*)::int FROM "WebhookEvent" e
         WHERE e."status" NOT IN ('stale', 'received') AND NOT EXISTS (SELECT 1 FROM "EventCase" c WHERE c."eventId" = e."id")
       UNION ALL SELECT 'unprocessed event', count(*)::int FROM "WebhookEvent" WHERE "status" = 'received'
       UNION ALL SELECT 'delta of another case', count(*)::int FROM "DeltaEntry" d JOIN "RecordVersion" v ON v."id" = d."versionId" WHERE v."caseId" <> d."caseId"
       UNION ALL SELECT 'orphan: ' || x.t, count(*)::int FROM (
         SELECT 'outcome' AS t FROM "EventCase" c WHERE NOT EXISTS (SELECT 1 FROM "WebhookEvent" e WHERE e."id" = c."eventId")
         UNION ALL SELECT 'entity' FROM "SourceEntity" se WHERE se."currentEventId" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM "WebhookEvent" e WHERE e."id" = se."currentEventId")
         UNION ALL SELECT 'link' FROM "EntityCaseLink" l WHERE NOT EXISTS (SELECT 1 FROM "SourceEntity" se WHERE se."id" = l."entityId")
         UNION ALL SELECT 'version' FROM "RecordVersion" v WHERE NOT EXISTS (SELECT 1 FROM "Case" c WHERE c."id" = v."caseId")
         UNION ALL SELECT 'delta' FROM "DeltaEntry" d WHERE NOT EXISTS (SELECT 1 FROM "RecordVersion" v WHERE v."id" = d."versionId")
         UNION ALL SELECT 'exception' FROM "CaseException" x WHERE NOT EXISTS (SELECT 1 FROM "Case" c WHERE c."id" = x."caseId")
         UNION ALL SELECT 'event source' FROM "WebhookEvent" e WHERE NOT EXISTS (SELECT 1 FROM "Source" s WHERE s."id" = e."sourceId")
       ) x GROUP BY x.t
       UNION ALL SELECT 'lineage time', count(*)::int FROM "RecordVersion" v CROSS JOIN LATERAL jsonb_each(v."lineage") l
         JOIN "WebhookEvent" e ON e."webhookId" = l."value"->>'webhookId'
         WHERE v."isCurrent" AND l."value"->>'receivedAt' <> to_char(e."receivedAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
       UNION ALL SELECT 'version before its event', count(*)::int FROM "RecordVersion" v JOIN "WebhookEvent" e ON e."id" = v."triggerEventId"
         WHERE v."createdAt" < e."receivedAt"
       UNION ALL SELECT 'link across groups', count(*)::int FROM "EntityCaseLink" l JOIN "SourceEntity" se ON se."id" = l."entityId"
         WHERE substring(se."entityId" FROM 'G[0-9]{5}') <> substring(l."caseId" FROM 'G[0-9]{5}')`,
    );
    expect(broken.filter((b) => Number(b.n) > 0)).toEqual([]);
    // Each clone's events queue in the template's order.
    const order = async (k: number) =>
      (await t.db.webhookEvent.findMany({ where: { webhookId: { contains: groupToken(k) } }, orderBy: { seq: "asc" }, select: { webhookId: true } })).map((e) => e.webhookId.replace(groupToken(k), TEMPLATE_TOKEN));
    expect(await order(2)).toEqual(await order(0));
  });

  it("refreshes a cloned case exactly as the template case given the same new events", async () => {
    const k = 2;
    // Case 0 is linked to an incident, 7 holds an open exception, 13 is a plain one.
    for (const i of [0, 7, 13]) {
      for (const token of [TEMPLATE_TOKEN, groupToken(k)]) {
        const caseId = caseIdOf(token, i);
        const se = await t.db.sourceEntity.findFirstOrThrow({ where: { caseId, entityKind: "ticket" }, select: { entityId: true, maxVersion: true, currentEvent: { select: { data: true } } } });
        const data = se.currentEvent!.data as { notes: unknown[] };
        const next = ticket(caseId, se.maxVersion + 1, { ...data, severity: "S3", notes: [...data.notes, { id: "new", author: "agent", body: `New on ${caseId}`, at: "2026-11-30T10:00:00.000Z" }] }, se.entityId);
        await ingest(t, next, `wh-${token}-new-${i}`);
      }
      await drain(t);
      expect(await caseState(caseIdOf(groupToken(k), i), k)).toBe(await caseState(caseIdOf(TEMPLATE_TOKEN, i), 0));
    }
    const statuses = async (token: string) =>
      (await t.db.webhookEvent.findMany({ where: { webhookId: { startsWith: `wh-${token}-new-` } }, orderBy: { webhookId: "asc" }, select: { status: true } })).map((e) => e.status);
    expect(await statuses(groupToken(k))).toEqual(await statuses(TEMPLATE_TOKEN));
    expect(await statuses(TEMPLATE_TOKEN)).toContain("applied");
  });

  it("fans an account's change out to the same cases of the clone's group", async () => {
    const k = 2;
    const touched: string[][] = [];
    for (const token of [TEMPLATE_TOKEN, groupToken(k)]) {
      const account = `ACC-${token}-001`;
      const ev = await ingest(t, entitlement(account, 3, { serviceTier: "enterprise", validUntil: "2028-01-31" }, caseIdOf(token, 4)), `wh-${token}-ent-3`);
      await drain(t);
      const rows = await t.db.eventCase.findMany({ where: { eventId: ev.eventId }, orderBy: { caseId: "asc" }, select: { caseId: true, outcome: true, recordVersion: true } });
      touched.push(rows.map((r) => asTemplate(r, k)));
    }
    expect(touched[0]!.length).toBe(4);
    expect(touched[1]).toEqual(touched[0]);
  });

  it("replays every case of a cloned group and the long-lived case from their events to the records they store", async () => {
    const k = 1;
    for (const caseId of [...Array.from({ length: TEMPLATE_CASES }, (_, i) => caseIdOf(groupToken(k), i)), HISTORY_CASE_ID]) {
      const before = await t.db.case.findUniqueOrThrow({ where: { id: caseId }, select: { lastVersion: true } });
      const r = await replayCase(t, caseId);
      expect({ caseId, differed: r.differed, version: r.cases[0]!.version }).toEqual({ caseId, differed: [], version: null });
      expect((await t.db.case.findUniqueOrThrow({ where: { id: caseId }, select: { lastVersion: true } })).lastVersion).toBe(before.lastVersion);
    }
  });
});
