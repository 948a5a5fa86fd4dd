import type { Db } from "../../server/db/client";

/**
 * Fills a migrated, seeded database with a plausible history in a few bulk statements, so that the
 * planner sees tables of realistic size (tens of thousands of rows and more) and chooses the plans
 * it would choose in production. Per case: a ticket with two versions, a diagnostics bundle, two
 * record versions (superseded and current) with delta entries; every fourth case shares an account,
 * every fifth has a linked incident, one in ten an open exception. Rows are consistent enough for
 * reading (lists, record pages, event status); the engine keeps working on them, but the records are
 * not what the engine would have built from these events (bench/scale seeds engine-built histories).
 */
export async function seedSyntheticHistory(db: Db, opts: { cases: number }): Promise<void> {
  const n = opts.cases;
  const src = Object.fromEntries((await db.source.findMany({ select: { id: true, name: true } })).map((s) => [s.name, s.id]));
  const exec = (sql: string, ...params: unknown[]) => db.$executeRawUnsafe(sql, ...params);
  const accounts = Math.max(1, Math.floor(n / 4));
  // Cases and their list columns.
  await exec(
    `INSERT INTO "Case" ("id", "accountId", "customerName", "subject", "severity", "status", "productCode", "tier", "currentVersion",
       "lastVersion", "lastCauses", "lastSummary", "lastRefreshedAt", "openExceptionCount", "updatedAt")
     SELECT 'SYN-' || i, 'SACC-' || (i % $2), 'Customer ' || (i % 997), 'Synthetic subject ' || i || ' about export latency',
       'S' || (1 + i % 4), (ARRAY['open','pending','solved','closed'])[1 + i % 4], (ARRAY['BILLING_API','CHECKOUT','IDENTITY','DATA_EXPORT'])[1 + i % 4],
       (ARRAY['standard','premium','enterprise'])[1 + i % 3], 2, 2, ARRAY['ticket_update']::"DeltaCause"[], 'Ticket updated.',
       now() - make_interval(secs => i), CASE WHEN i % 10 = 0 THEN 1 ELSE 0 END, now()
     FROM generate_series(1, $1) i`,
    n,
    accounts,
  );
  // Events: two ticket versions and a bundle per case; two versions per account; an incident per five cases.
  await exec(
    `INSERT INTO "WebhookEvent" ("id", "sourceId", "webhookId", "type", "caseId", "entityKind", "entityId", "entityVersion", "occurredAt",
       "receivedAt", "data", "status", "processedAt", "updatedAt")
     SELECT 'syn-evt-t' || i || '-' || v, $2, 'syn-wh-t' || i || '-' || v, 'ticket.updated', 'SYN-' || i, 'ticket', 'STCK-' || i, v,
       now() - make_interval(secs => i * 2 + 2 - v), now() - make_interval(secs => i * 2 + 2 - v),
       jsonb_build_object('accountId', 'SACC-' || (i % $6), 'customerName', 'Customer ' || (i % 997), 'subject', 'Synthetic subject ' || i,
         'status', 'open', 'severity', 'S' || (1 + i % 4), 'productArea', 'billing-api', 'environmentId', 'SENV-' || (i % $6),
         'reproduction', jsonb_build_object('status', 'in_progress', 'steps', 'Run the export'),
         'notes', jsonb_build_array(jsonb_build_object('id', 'n' || v, 'author', 'agent', 'body', 'Note ' || v, 'at', '2026-11-27T02:10:00Z'))),
       'applied'::"EventStatus", now(), now()
     FROM generate_series(1, $1) i, generate_series(1, 2) v
     UNION ALL
     SELECT 'syn-evt-b' || i, $3, 'syn-wh-b' || i, 'diagnostic_bundle.uploaded', 'SYN-' || i, 'bundle', 'SBND-' || i, 1, now(), now(),
       jsonb_build_object('bundleId', 'SBND-' || i, 'uri', 's3://bundles/' || i, 'sha256', repeat('a', 64), 'sizeBytes', 1024, 'integrity', 'ok',
         'approval', jsonb_build_object('status', 'customer_approved'), 'logs', '[]'::jsonb), 'applied'::"EventStatus", now(), now()
     FROM generate_series(1, $1) i
     UNION ALL
     SELECT 'syn-evt-a' || a || '-' || v, $4, 'syn-wh-a' || a || '-' || v, 'entitlement.changed', '*', 'account', 'SACC-' || a, v, now(), now(),
       jsonb_build_object('accountId', 'SACC-' || a, 'serviceTier', 'premium', 'status', 'active', 'contractId', 'C-' || a, 'validUntil', '2027-12-31'),
       'applied'::"EventStatus", now(), now()
     FROM generate_series(0, $6 - 1) a, generate_series(1, 2) v
     UNION ALL
     SELECT 'syn-evt-i' || i, $5, 'syn-wh-i' || i, 'incident.updated', 'SYN-' || i, 'incident', 'SINC-' || i, 1, now(), now(),
       jsonb_build_object('incidentId', 'SINC-' || i, 'title', 'Incident ' || i, 'severity', 'S2', 'status', 'investigating', 'classification', 'outage',
         'affectedAccounts', jsonb_build_array('SACC-' || (i % $6)), 'caseIds', jsonb_build_array('SYN-' || i)), 'applied'::"EventStatus", now(), now()
     FROM generate_series(5, $1, 5) i`,
    n,
    src.ticketing,
    src.diagnostics,
    src.entitlement,
    src.incident,
    accounts,
  );
  await exec(
    `INSERT INTO "SourceEntity" ("id", "sourceId", "entityKind", "entityId", "maxVersion", "currentEventId", "caseId", "accountId", "environmentId", "updatedAt")
     SELECT 'syn-ent-' || e."entityId", e."sourceId", e."entityKind", e."entityId", e."entityVersion", e."id",
       CASE WHEN e."entityKind" IN ('ticket', 'bundle') THEN e."caseId" END,
       CASE WHEN e."entityKind" = 'ticket' THEN e."data"->>'accountId' WHEN e."entityKind" = 'account' THEN e."entityId" END,
       CASE WHEN e."entityKind" = 'ticket' THEN e."data"->>'environmentId' END, now()
     FROM "WebhookEvent" e
     WHERE e."id" LIKE 'syn-evt-%' AND NOT EXISTS (
       SELECT 1 FROM "WebhookEvent" n WHERE n."sourceId" = e."sourceId" AND n."entityId" = e."entityId" AND n."entityVersion" > e."entityVersion")`,
  );
  await exec(
    `INSERT INTO "EntityCaseLink" ("id", "entityId", "caseId") SELECT 'syn-lnk-' || i, 'syn-ent-SINC-' || i, 'SYN-' || i FROM generate_series(5, $1, 5) i`,
    n,
  );
  await exec(
    `INSERT INTO "EventCase" ("id", "eventId", "caseId", "outcome", "recordVersion", "updatedAt")
     SELECT 'syn-evc-' || e."id", e."id", e."caseId", 'applied', CASE WHEN e."entityVersion" = 2 THEN 2 ELSE 1 END, now()
     FROM "WebhookEvent" e WHERE e."id" LIKE 'syn-evt-%' AND e."caseId" <> '*'`,
  );
  await exec(
    `INSERT INTO "RecordVersion" ("id", "caseId", "version", "status", "isCurrent", "record", "lineage", "summary", "causes", "basedOnVersion",
       "schemaVersion", "triggerEventId", "createdAt", "updatedAt")
     SELECT 'syn-ver-' || i || '-' || v, 'SYN-' || i, v, CASE WHEN v = 2 THEN 'current' ELSE 'superseded' END::"VersionStatus", CASE WHEN v = 2 THEN true END,
       jsonb_build_object('case', jsonb_build_object('id', 'SYN-' || i, 'accountId', 'SACC-' || (i % $2), 'subject', 'Synthetic subject ' || i,
         'severity', 'S' || (1 + i % 4), 'status', 'open', 'product', 'BILLING_API'), 'notes', '[]'::jsonb),
       jsonb_build_object('/case/id', jsonb_build_object('source', 'ticketing', 'entityKind', 'ticket', 'entityId', 'STCK-' || i, 'entityVersion', v,
         'webhookId', 'syn-wh-t' || i || '-' || v, 'occurredAt', '2026-11-27T02:10:00.000Z', 'receivedAt', '2026-11-27T02:10:00.000Z')),
       'Ticket updated.', ARRAY['ticket_update']::"DeltaCause"[], CASE WHEN v = 2 THEN 1 END, 1, 'syn-evt-t' || i || '-' || v,
       now() - make_interval(secs => i * 2 + 2 - v), now()
     FROM generate_series(1, $1) i, generate_series(1, 2) v`,
    n,
    accounts,
  );
  await exec(
    `INSERT INTO "DeltaEntry" ("id", "versionId", "caseId", "path", "before", "after", "cause", "lineage", "createdAt")
     SELECT 'syn-dlt-' || v."id" || '-' || k, v."id", v."caseId", '/notes/' || k, NULL, '"note"'::jsonb, 'routine_carry_forward', '{}'::jsonb, v."createdAt"
     FROM "RecordVersion" v, generate_series(0, 1) k WHERE v."id" LIKE 'syn-ver-%'`,
  );
  await exec(
    `INSERT INTO "CaseException" ("id", "caseId", "rule", "status", "liveKey", "candidateVersion", "detail", "sourceName", "field", "openedAt", "lastSeenAt", "updatedAt")
     SELECT 'syn-exc-' || i, 'SYN-' || i, 'SEVERITY_CONFLICT', 'open', 'SYN-' || i || ':SEVERITY_CONFLICT', 2,
       jsonb_build_object('message', 'Ticket S1 vs incident S3', 'hits', '[]'::jsonb), 'ticketing', 'case.severity',
       now() - make_interval(secs => i), now(), now()
     FROM generate_series(10, $1, 10) i`,
    n,
  );
  await exec(
    `INSERT INTO "Refusal" ("id", "sourceName", "httpStatus", "reason", "webhookId", "remoteAddr", "createdAt")
     SELECT 'syn-ref-' || i, 'ticketing', 401, 'signature', 'syn-bad-' || i, '127.0.0.1', now() - make_interval(secs => i) FROM generate_series(1, $1) i`,
    n,
  );
  await exec(
    `INSERT INTO "AuditLog" ("id", "actorLabel", "action", "targetType", "targetId", "createdAt")
     SELECT 'syn-aud-' || i, 'system', 'record.refreshed', 'case', 'SYN-' || i, now() - make_interval(secs => i) FROM generate_series(1, $1) i`,
    n,
  );
  for (const t of ["Case", "WebhookEvent", "SourceEntity", "EntityCaseLink", "EventCase", "RecordVersion", "DeltaEntry", "CaseException", "Refusal", "AuditLog"]) {
    await exec(`ANALYZE "${t}"`);
  }
}
