-- The reviewer UI's reads cost the same at 100,000 cases / 1,000,000 events as at 1,000:
-- every list is read through an index in its own order with keyset paging, searches use
-- trigram indexes, and the dashboard reads rollups the write path keeps up to date.

-- Records list: substring search over case id, account, customer and subject. One trigram index
-- over the four columns joined by U+001F, a character a search never contains (list-records.ts
-- strips it), so a match never spans two columns.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX "Case_search_trgm_idx" ON "Case" USING gin ((E'\x1f' || "id" || E'\x1f' || COALESCE("accountId", '') || E'\x1f' || COALESCE("customerName", '') || E'\x1f' || COALESCE("subject", '')) gin_trgm_ops) WHERE "currentVersion" IS NOT NULL;

-- Records list: the cause filter, and one index per sort in the sort's own column order (the
-- expressions are the keyset the list pages by; list-records.ts writes them identically).
CREATE INDEX "Case_lastCauses_idx" ON "Case" USING gin ("lastCauses") WHERE "currentVersion" IS NOT NULL;
CREATE INDEX "Case_list_refreshed_idx" ON "Case" ((COALESCE("lastRefreshedAt", '-infinity'::timestamp)), "id") WHERE "currentVersion" IS NOT NULL;
CREATE INDEX "Case_list_severity_idx" ON "Case" ((COALESCE("severity", '')), (COALESCE("lastRefreshedAt", '-infinity'::timestamp)), "id") WHERE "currentVersion" IS NOT NULL;
CREATE INDEX "Case_list_customer_idx" ON "Case" ((COALESCE("customerName", '')), "id") WHERE "currentVersion" IS NOT NULL;
CREATE INDEX "Case_list_exceptions_idx" ON "Case" ("openExceptionCount", (COALESCE("lastRefreshedAt", '-infinity'::timestamp)), "id") WHERE "currentVersion" IS NOT NULL;
-- "Records with an open exception" (the dashboard links there) in the default order, page and count.
CREATE INDEX "Case_list_held_refreshed_idx" ON "Case" ((COALESCE("lastRefreshedAt", '-infinity'::timestamp)), "id") WHERE "currentVersion" IS NOT NULL AND "openExceptionCount" > 0;

-- Exceptions queue: each tab in its order, with or without a rule.
DROP INDEX "CaseException_status_rule_idx";
CREATE INDEX "CaseException_status_rule_openedAt_id_idx" ON "CaseException"("status", "rule", "openedAt", "id");
CREATE INDEX "CaseException_status_openedAt_id_idx" ON "CaseException"("status", "openedAt", "id");
CREATE INDEX "CaseException_status_resolvedAt_id_idx" ON "CaseException"("status", "resolvedAt", "id");

-- Event log: newest first by receipt (seq breaks ties), and the statuses a reviewer filters on
-- that are rare among stored events, so a filter on them never walks the whole log.
DROP INDEX "WebhookEvent_receivedAt_idx";
CREATE INDEX "WebhookEvent_receivedAt_seq_idx" ON "WebhookEvent"("receivedAt", "seq");
CREATE INDEX "WebhookEvent_unsettled_idx" ON "WebhookEvent"("status", "receivedAt", "seq") WHERE "status" IN ('received', 'held', 'waiting', 'quarantined', 'failed');

-- Intake log: refusals newest first, with id breaking ties.
DROP INDEX "Refusal_createdAt_idx";
CREATE INDEX "Refusal_createdAt_id_idx" ON "Refusal"("createdAt", "id");
DROP INDEX "Refusal_sourceName_createdAt_idx";
CREATE INDEX "Refusal_sourceName_createdAt_id_idx" ON "Refusal"("sourceName", "createdAt", "id");

-- Dashboard rollups. Triggers keep them in the writer's own transaction. Their rows are counters
-- updated many times a second: half-empty pages (fillfactor 50) keep those updates HOT, so the
-- indexes do not fill with dead entries between vacuums. Every writer adds to
-- rows of its own shard (its backend pid), so concurrent transactions never wait on each other's
-- counter rows; server/admin/metrics-maintenance.ts folds the shards into shard 0 now and then.
-- Widths are the dashboard's bucket widths (300 s for the last hour, 3,600 s for 24 hours,
-- 21,600 s for 7 days); buckets start at multiples of the width since 2000-01-01 UTC.

-- Events by receipt bucket, source and current status; arrived/departed count moves into and
-- out of the backlog (status received) during the bucket.
CREATE TABLE "EventRollup" (
    "width" INTEGER NOT NULL,
    "bucket" TIMESTAMP(3) NOT NULL,
    "sourceId" TEXT NOT NULL,
    "shard" INTEGER NOT NULL,
    "received" INTEGER NOT NULL DEFAULT 0,
    "applied" INTEGER NOT NULL DEFAULT 0,
    "held" INTEGER NOT NULL DEFAULT 0,
    "noChange" INTEGER NOT NULL DEFAULT 0,
    "stale" INTEGER NOT NULL DEFAULT 0,
    "waiting" INTEGER NOT NULL DEFAULT 0,
    "quarantined" INTEGER NOT NULL DEFAULT 0,
    "failed" INTEGER NOT NULL DEFAULT 0,
    "arrived" INTEGER NOT NULL DEFAULT 0,
    "departed" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "EventRollup_pkey" PRIMARY KEY ("width", "bucket", "sourceId", "shard")
) WITH (fillfactor = 50);

-- Event-to-current latency histogram by receipt bucket: bin 0 is under 1 ms, bin b >= 1 holds
-- [1.1^(b-1), 1.1^b) ms. kind 'direct': the event became current without being held; 'held': it
-- was held behind an exception first (its time includes the wait for a specialist).
CREATE TABLE "LatencyRollup" (
    "width" INTEGER NOT NULL,
    "bucket" TIMESTAMP(3) NOT NULL,
    "kind" TEXT NOT NULL,
    "bin" INTEGER NOT NULL,
    "shard" INTEGER NOT NULL,
    "n" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "LatencyRollup_pkey" PRIMARY KEY ("width", "bucket", "kind", "bin", "shard")
) WITH (fillfactor = 50);

-- Exceptions by opening bucket and rule: scope 'rule' counts each exception once; scope 'pair'
-- counts it under each (source, field) its newest candidate involves ('' when none).
CREATE TABLE "ExceptionRollup" (
    "width" INTEGER NOT NULL,
    "bucket" TIMESTAMP(3) NOT NULL,
    "rule" "ConflictRule" NOT NULL,
    "scope" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "field" TEXT NOT NULL,
    "shard" INTEGER NOT NULL,
    "opened" INTEGER NOT NULL DEFAULT 0,
    "open" INTEGER NOT NULL DEFAULT 0,
    "claimed" INTEGER NOT NULL DEFAULT 0,
    "approve" INTEGER NOT NULL DEFAULT 0,
    "reject" INTEGER NOT NULL DEFAULT 0,
    "override" INTEGER NOT NULL DEFAULT 0,
    "cleared" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "ExceptionRollup_pkey" PRIMARY KEY ("width", "bucket", "rule", "scope", "source", "field", "shard")
) WITH (fillfactor = 50);

-- Refused deliveries by bucket, source name and HTTP status.
CREATE TABLE "RefusalRollup" (
    "width" INTEGER NOT NULL,
    "bucket" TIMESTAMP(3) NOT NULL,
    "sourceName" TEXT NOT NULL,
    "httpStatus" INTEGER NOT NULL,
    "shard" INTEGER NOT NULL,
    "n" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "RefusalRollup_pkey" PRIMARY KEY ("width", "bucket", "sourceName", "httpStatus", "shard")
) WITH (fillfactor = 50);

-- Whole-database counts: records (cases with a current version), records with an open
-- exception, exceptions per status (exceptions.<status>), and per status and rule
-- (exceptions.<status>.rule.<rule>) or source (exceptions.<status>.source.<source>) for the
-- queue's tabs.
CREATE TABLE "MetricCounter" (
    "name" TEXT NOT NULL,
    "shard" INTEGER NOT NULL,
    "value" BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT "MetricCounter_pkey" PRIMARY KEY ("name", "shard")
) WITH (fillfactor = 50);

-- Versions whose lineage and delta trace the audit has still to check (server/admin/lineage-audit.ts),
-- and the versions it found incomplete.
CREATE TABLE "LineageAuditQueue" (
    "versionId" TEXT NOT NULL,
    "queuedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "LineageAuditQueue_pkey" PRIMARY KEY ("versionId")
);
CREATE INDEX "LineageAuditQueue_queuedAt_idx" ON "LineageAuditQueue"("queuedAt");

CREATE TABLE "IncompleteVersion" (
    "versionId" TEXT NOT NULL,
    "caseId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "lined" BOOLEAN NOT NULL,
    "traced" BOOLEAN NOT NULL,
    "auditedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "IncompleteVersion_pkey" PRIMARY KEY ("versionId")
);
CREATE INDEX "IncompleteVersion_caseId_version_idx" ON "IncompleteVersion"("caseId", "version");

-- Adds event deltas (receipt time, source, status, +1/-1, into/out of the backlog) to the rollup.
CREATE FUNCTION "metrics_event_upsert"(d_at TIMESTAMP(3)[], d_src TEXT[], d_st TEXT[], d_n INTEGER[], d_arr INTEGER[], d_dep INTEGER[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO "EventRollup" AS r ("width", "bucket", "sourceId", "shard", "received", "applied", "held", "noChange", "stale", "waiting", "quarantined", "failed", "arrived", "departed")
  SELECT w.s, date_bin(make_interval(secs => w.s), d.at, TIMESTAMP '2000-01-01'), d.src, pg_backend_pid(),
    sum(CASE WHEN d.st = 'received' THEN d.n ELSE 0 END), sum(CASE WHEN d.st = 'applied' THEN d.n ELSE 0 END),
    sum(CASE WHEN d.st = 'held' THEN d.n ELSE 0 END), sum(CASE WHEN d.st = 'no_change' THEN d.n ELSE 0 END),
    sum(CASE WHEN d.st = 'stale' THEN d.n ELSE 0 END), sum(CASE WHEN d.st = 'waiting' THEN d.n ELSE 0 END),
    sum(CASE WHEN d.st = 'quarantined' THEN d.n ELSE 0 END), sum(CASE WHEN d.st = 'failed' THEN d.n ELSE 0 END),
    sum(d.arr), sum(d.dep)
  FROM (VALUES (300), (3600), (21600)) w(s)
  CROSS JOIN unnest(d_at, d_src, d_st, d_n, d_arr, d_dep) AS d(at, src, st, n, arr, dep)
  GROUP BY 1, 2, 3
  ON CONFLICT ("width", "bucket", "sourceId", "shard") DO UPDATE SET
    "received" = r."received" + EXCLUDED."received", "applied" = r."applied" + EXCLUDED."applied",
    "held" = r."held" + EXCLUDED."held", "noChange" = r."noChange" + EXCLUDED."noChange",
    "stale" = r."stale" + EXCLUDED."stale", "waiting" = r."waiting" + EXCLUDED."waiting",
    "quarantined" = r."quarantined" + EXCLUDED."quarantined", "failed" = r."failed" + EXCLUDED."failed",
    "arrived" = r."arrived" + EXCLUDED."arrived", "departed" = r."departed" + EXCLUDED."departed"
$$;

-- Adds latency samples (receipt time, kind, milliseconds) to the histogram.
CREATE FUNCTION "metrics_latency_upsert"(d_at TIMESTAMP(3)[], d_kind TEXT[], d_ms DOUBLE PRECISION[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO "LatencyRollup" AS r ("width", "bucket", "kind", "bin", "shard", "n")
  SELECT w.s, date_bin(make_interval(secs => w.s), d.at, TIMESTAMP '2000-01-01'), d.kind,
    CASE WHEN d.ms < 1 THEN 0 ELSE 1 + floor(ln(d.ms) / ln(1.1))::int END, pg_backend_pid(), count(*)
  FROM (VALUES (300), (3600), (21600)) w(s)
  CROSS JOIN unnest(d_at, d_kind, d_ms) AS d(at, kind, ms)
  GROUP BY 1, 2, 3, 4
  ON CONFLICT ("width", "bucket", "kind", "bin", "shard") DO UPDATE SET "n" = r."n" + EXCLUDED."n"
$$;

-- Once per statement, from its transition tables: a bulk insert or a refresh settling a batch
-- of events makes one upsert, not one per row. An update that moves no status, receipt time or
-- source (a lease, a retry time) writes nothing.
CREATE FUNCTION "metrics_event_rollup"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  t TIMESTAMP(3) := now();
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM "metrics_event_upsert"(array_agg(d.at), array_agg(d.src), array_agg(d.st), array_agg(d.n), array_agg(d.arr), array_agg(d.dep))
    FROM (
      SELECT n."receivedAt" AS at, n."sourceId" AS src, n."status"::text AS st, 1 AS n, 0 AS arr, 0 AS dep FROM new_rows n
      UNION ALL
      SELECT t, n."sourceId", NULL, 0, 1, 0 FROM new_rows n WHERE n."status" = 'received'
    ) d HAVING count(*) > 0;
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM "metrics_event_upsert"(array_agg(d.at), array_agg(d.src), array_agg(d.st), array_agg(d.n), array_agg(d.arr), array_agg(d.dep))
    FROM (
      SELECT o."receivedAt" AS at, o."sourceId" AS src, o."status"::text AS st, -1 AS n, 0 AS arr, 0 AS dep,
        n."receivedAt" AS n_at, n."sourceId" AS n_src, n."status"::text AS n_st
      FROM old_rows o JOIN new_rows n ON n."id" = o."id"
      WHERE o."status" <> n."status" OR o."receivedAt" <> n."receivedAt" OR o."sourceId" <> n."sourceId"
    ) c
    CROSS JOIN LATERAL (VALUES
      (c.at, c.src, c.st, -1, 0, 0),
      (c.n_at, c.n_src, c.n_st, 1, 0, 0),
      (t, c.n_src, NULL, 0, (c.n_st = 'received' AND c.st <> 'received')::int, (c.st = 'received' AND c.n_st <> 'received')::int)
    ) d(at, src, st, n, arr, dep)
    WHERE d.st IS NOT NULL OR d.arr + d.dep > 0
    HAVING count(*) > 0;
    PERFORM "metrics_latency_upsert"(array_agg(n."receivedAt"), array_agg(CASE WHEN o."status" = 'held' THEN 'held' ELSE 'direct' END),
      array_agg(GREATEST(0, EXTRACT(EPOCH FROM (t - n."receivedAt")) * 1000)::double precision))
    FROM old_rows o JOIN new_rows n ON n."id" = o."id"
    WHERE n."status" = 'applied' AND o."status" <> 'applied'
    HAVING count(*) > 0;
  ELSE
    PERFORM "metrics_event_upsert"(array_agg(o."receivedAt"), array_agg(o."sourceId"), array_agg(o."status"::text),
      array_agg(-1), array_agg(0), array_agg((o."status" = 'received')::int))
    FROM old_rows o HAVING count(*) > 0;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "WebhookEvent_metrics_insert" AFTER INSERT ON "WebhookEvent" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "metrics_event_rollup"();
CREATE TRIGGER "WebhookEvent_metrics_update" AFTER UPDATE ON "WebhookEvent" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "metrics_event_rollup"();
CREATE TRIGGER "WebhookEvent_metrics_delete" AFTER DELETE ON "WebhookEvent" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "metrics_event_rollup"();

CREATE FUNCTION "metrics_refusal_rollup"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "RefusalRollup" AS r ("width", "bucket", "sourceName", "httpStatus", "shard", "n")
  SELECT w.s, date_bin(make_interval(secs => w.s), x."createdAt", TIMESTAMP '2000-01-01'), x."sourceName", x."httpStatus", pg_backend_pid(), sum(x.n)
  FROM (VALUES (300), (3600), (21600)) w(s)
  CROSS JOIN (SELECT n."createdAt", n."sourceName", n."httpStatus", 1 AS n FROM new_rows n) x
  GROUP BY 1, 2, 3, 4
  ON CONFLICT ("width", "bucket", "sourceName", "httpStatus", "shard") DO UPDATE SET "n" = r."n" + EXCLUDED."n";
  RETURN NULL;
END $$;

CREATE TRIGGER "Refusal_metrics_insert" AFTER INSERT ON "Refusal" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "metrics_refusal_rollup"();

-- The (scope, source, field) rows one exception counts under.
CREATE FUNCTION "metrics_exception_parts"(detail JSONB, src TEXT, fld TEXT) RETURNS TABLE ("scope" TEXT, "source" TEXT, "field" TEXT) LANGUAGE sql IMMUTABLE AS $$
  SELECT 'rule', '', ''
  UNION
  SELECT 'pair', COALESCE(h ->> 'sourceName', src, ''), COALESCE(h ->> 'field', fld, '')
  FROM jsonb_array_elements(CASE WHEN jsonb_typeof(detail -> 'hits') = 'array' AND jsonb_array_length(detail -> 'hits') > 0 THEN detail -> 'hits' ELSE '[null]'::jsonb END) h
$$;

CREATE FUNCTION "metrics_exception_rollup"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  o_at TIMESTAMP(3); o_rule "ConflictRule"; o_st TEXT; o_res TEXT; o_detail JSONB; o_src TEXT; o_fld TEXT;
  n_at TIMESTAMP(3); n_rule "ConflictRule"; n_st TEXT; n_res TEXT; n_detail JSONB; n_src TEXT; n_fld TEXT;
BEGIN
  IF TG_OP <> 'INSERT' THEN
    o_at := OLD."openedAt"; o_rule := OLD."rule"; o_st := OLD."status"::text; o_res := OLD."resolution"::text; o_detail := OLD."detail"; o_src := OLD."sourceName"; o_fld := OLD."field";
  END IF;
  IF TG_OP <> 'DELETE' THEN
    n_at := NEW."openedAt"; n_rule := NEW."rule"; n_st := NEW."status"::text; n_res := NEW."resolution"::text; n_detail := NEW."detail"; n_src := NEW."sourceName"; n_fld := NEW."field";
  END IF;
  INSERT INTO "ExceptionRollup" AS r ("width", "bucket", "rule", "scope", "source", "field", "shard", "opened", "open", "claimed", "approve", "reject", "override", "cleared")
  SELECT * FROM (
    SELECT w.s, date_bin(make_interval(secs => w.s), d.at, TIMESTAMP '2000-01-01'), d.rule, d.scope, d.source, d.field, pg_backend_pid(),
      sum(d.n)::int AS opened, sum(CASE WHEN d.st = 'open' THEN d.n ELSE 0 END)::int AS open, sum(CASE WHEN d.st = 'claimed' THEN d.n ELSE 0 END)::int AS claimed,
      sum(CASE WHEN d.st = 'resolved' AND d.res = 'approve' THEN d.n ELSE 0 END)::int AS approve, sum(CASE WHEN d.st = 'resolved' AND d.res = 'reject' THEN d.n ELSE 0 END)::int AS reject,
      sum(CASE WHEN d.st = 'resolved' AND d.res = 'override' THEN d.n ELSE 0 END)::int AS override, sum(CASE WHEN d.st = 'resolved' AND d.res = 'cleared' THEN d.n ELSE 0 END)::int AS cleared
    FROM (VALUES (300), (3600), (21600)) w(s)
    CROSS JOIN (
      SELECT o_at AS at, o_rule AS rule, o_st AS st, o_res AS res, -1 AS n, p.* FROM "metrics_exception_parts"(o_detail, o_src, o_fld) p WHERE o_at IS NOT NULL
      UNION ALL
      SELECT n_at, n_rule, n_st, n_res, 1, p.* FROM "metrics_exception_parts"(n_detail, n_src, n_fld) p WHERE n_at IS NOT NULL
    ) d
    GROUP BY 1, 2, 3, 4, 5, 6
  ) g
  -- Rows whose changes cancel out (a new candidate naming the same fields) are not written.
  WHERE (g.opened, g.open, g.claimed, g.approve, g.reject, g.override, g.cleared) <> (0, 0, 0, 0, 0, 0, 0)
  ON CONFLICT ("width", "bucket", "rule", "scope", "source", "field", "shard") DO UPDATE SET
    "opened" = r."opened" + EXCLUDED."opened", "open" = r."open" + EXCLUDED."open", "claimed" = r."claimed" + EXCLUDED."claimed",
    "approve" = r."approve" + EXCLUDED."approve", "reject" = r."reject" + EXCLUDED."reject",
    "override" = r."override" + EXCLUDED."override", "cleared" = r."cleared" + EXCLUDED."cleared";
  IF o_st IS DISTINCT FROM n_st OR o_rule IS DISTINCT FROM n_rule OR o_src IS DISTINCT FROM n_src THEN
    INSERT INTO "MetricCounter" AS c ("name", "shard", "value")
    SELECT x.name, pg_backend_pid(), sum(x.v) FROM (VALUES
      ('exceptions.' || o_st, -1), ('exceptions.' || o_st || '.rule.' || o_rule, -1), ('exceptions.' || o_st || '.source.' || COALESCE(o_src, ''), -1),
      ('exceptions.' || n_st, 1), ('exceptions.' || n_st || '.rule.' || n_rule, 1), ('exceptions.' || n_st || '.source.' || COALESCE(n_src, ''), 1)
    ) x(name, v)
    WHERE x.name IS NOT NULL GROUP BY x.name HAVING sum(x.v) <> 0
    ON CONFLICT ("name", "shard") DO UPDATE SET "value" = c."value" + EXCLUDED."value";
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "CaseException_metrics_insert" AFTER INSERT ON "CaseException" FOR EACH ROW EXECUTE FUNCTION "metrics_exception_rollup"();
CREATE TRIGGER "CaseException_metrics_update" AFTER UPDATE ON "CaseException" FOR EACH ROW
  WHEN (OLD."status" IS DISTINCT FROM NEW."status" OR OLD."resolution" IS DISTINCT FROM NEW."resolution" OR OLD."rule" IS DISTINCT FROM NEW."rule"
    OR OLD."openedAt" IS DISTINCT FROM NEW."openedAt" OR OLD."sourceName" IS DISTINCT FROM NEW."sourceName" OR OLD."field" IS DISTINCT FROM NEW."field"
    OR OLD."detail" -> 'hits' IS DISTINCT FROM NEW."detail" -> 'hits')
  EXECUTE FUNCTION "metrics_exception_rollup"();
CREATE TRIGGER "CaseException_metrics_delete" AFTER DELETE ON "CaseException" FOR EACH ROW EXECUTE FUNCTION "metrics_exception_rollup"();

CREATE FUNCTION "metrics_case_counters"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  o_rec BOOLEAN := false; o_exc BOOLEAN := false; n_rec BOOLEAN := false; n_exc BOOLEAN := false;
BEGIN
  IF TG_OP <> 'INSERT' THEN o_rec := OLD."currentVersion" IS NOT NULL; o_exc := o_rec AND OLD."openExceptionCount" > 0; END IF;
  IF TG_OP <> 'DELETE' THEN n_rec := NEW."currentVersion" IS NOT NULL; n_exc := n_rec AND NEW."openExceptionCount" > 0; END IF;
  IF o_rec = n_rec AND o_exc = n_exc THEN RETURN NULL; END IF;
  INSERT INTO "MetricCounter" AS c ("name", "shard", "value")
  SELECT x.name, pg_backend_pid(), x.v FROM (VALUES ('records', n_rec::int - o_rec::int), ('recordsWithException', n_exc::int - o_exc::int)) x(name, v)
  WHERE x.v <> 0
  ON CONFLICT ("name", "shard") DO UPDATE SET "value" = c."value" + EXCLUDED."value";
  RETURN NULL;
END $$;

CREATE TRIGGER "Case_metrics_insert" AFTER INSERT ON "Case" FOR EACH ROW EXECUTE FUNCTION "metrics_case_counters"();
CREATE TRIGGER "Case_metrics_update" AFTER UPDATE ON "Case" FOR EACH ROW
  WHEN ((OLD."currentVersion" IS NULL) IS DISTINCT FROM (NEW."currentVersion" IS NULL) OR (OLD."openExceptionCount" > 0) IS DISTINCT FROM (NEW."openExceptionCount" > 0))
  EXECUTE FUNCTION "metrics_case_counters"();
CREATE TRIGGER "Case_metrics_delete" AFTER DELETE ON "Case" FOR EACH ROW EXECUTE FUNCTION "metrics_case_counters"();

-- A version's lineage or delta trace changed: audit it again.
CREATE FUNCTION "metrics_queue_version_audit"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'RecordVersion' THEN
    INSERT INTO "LineageAuditQueue" ("versionId") SELECT n."id" FROM new_rows n ON CONFLICT DO NOTHING;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO "LineageAuditQueue" ("versionId") SELECT DISTINCT o."versionId" FROM old_rows o ON CONFLICT DO NOTHING;
  ELSE
    INSERT INTO "LineageAuditQueue" ("versionId") SELECT DISTINCT n."versionId" FROM new_rows n ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$;

CREATE TRIGGER "RecordVersion_audit_insert" AFTER INSERT ON "RecordVersion" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "metrics_queue_version_audit"();
CREATE FUNCTION "metrics_queue_version_row"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "LineageAuditQueue" ("versionId") VALUES (NEW."id") ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER "RecordVersion_audit_update" AFTER UPDATE ON "RecordVersion" FOR EACH ROW
  WHEN (OLD."lineage" IS DISTINCT FROM NEW."lineage" OR OLD."record" IS DISTINCT FROM NEW."record")
  EXECUTE FUNCTION "metrics_queue_version_row"();
CREATE TRIGGER "DeltaEntry_audit_insert" AFTER INSERT ON "DeltaEntry" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "metrics_queue_version_audit"();
CREATE TRIGGER "DeltaEntry_audit_update" AFTER UPDATE ON "DeltaEntry" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "metrics_queue_version_audit"();
CREATE TRIGGER "DeltaEntry_audit_delete" AFTER DELETE ON "DeltaEntry" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "metrics_queue_version_audit"();

-- Back-fill from what is stored. The triggers above already exist and lock their tables against
-- writers until this migration commits, so nothing written meanwhile is missed or counted twice.
-- Only the last eight days: no dashboard window reaches further.
INSERT INTO "EventRollup" ("width", "bucket", "sourceId", "shard", "received", "applied", "held", "noChange", "stale", "waiting", "quarantined", "failed", "arrived")
SELECT w.s, date_bin(make_interval(secs => w.s), e."receivedAt", TIMESTAMP '2000-01-01'), e."sourceId", 0,
  count(*) FILTER (WHERE e."status" = 'received'), count(*) FILTER (WHERE e."status" = 'applied'),
  count(*) FILTER (WHERE e."status" = 'held'), count(*) FILTER (WHERE e."status" = 'no_change'),
  count(*) FILTER (WHERE e."status" = 'stale'), count(*) FILTER (WHERE e."status" = 'waiting'),
  count(*) FILTER (WHERE e."status" = 'quarantined'), count(*) FILTER (WHERE e."status" = 'failed'),
  count(*) FILTER (WHERE e."status" <> 'stale')
FROM "WebhookEvent" e CROSS JOIN (VALUES (300), (3600), (21600)) w(s)
WHERE e."receivedAt" >= now() - interval '8 days'
GROUP BY 1, 2, 3;

INSERT INTO "EventRollup" AS r ("width", "bucket", "sourceId", "shard", "departed")
SELECT w.s, date_bin(make_interval(secs => w.s), e."processedAt", TIMESTAMP '2000-01-01'), e."sourceId", 0, count(*)
FROM "WebhookEvent" e CROSS JOIN (VALUES (300), (3600), (21600)) w(s)
WHERE e."processedAt" >= now() - interval '8 days' AND e."status" NOT IN ('received', 'stale')
GROUP BY 1, 2, 3
ON CONFLICT ("width", "bucket", "sourceId", "shard") DO UPDATE SET "departed" = EXCLUDED."departed";

INSERT INTO "LatencyRollup" ("width", "bucket", "kind", "bin", "shard", "n")
SELECT w.s, date_bin(make_interval(secs => w.s), e."receivedAt", TIMESTAMP '2000-01-01'), 'direct',
  CASE WHEN m.ms < 1 THEN 0 ELSE 1 + floor(ln(m.ms) / ln(1.1))::int END, 0, count(*)
FROM "WebhookEvent" e
CROSS JOIN LATERAL (SELECT GREATEST(0, EXTRACT(EPOCH FROM (e."processedAt" - e."receivedAt")) * 1000) AS ms) m
CROSS JOIN (VALUES (300), (3600), (21600)) w(s)
WHERE e."receivedAt" >= now() - interval '8 days' AND e."status" = 'applied' AND e."processedAt" IS NOT NULL
GROUP BY 1, 2, 4;

INSERT INTO "RefusalRollup" ("width", "bucket", "sourceName", "httpStatus", "shard", "n")
SELECT w.s, date_bin(make_interval(secs => w.s), r."createdAt", TIMESTAMP '2000-01-01'), r."sourceName", r."httpStatus", 0, count(*)
FROM "Refusal" r CROSS JOIN (VALUES (300), (3600), (21600)) w(s)
WHERE r."createdAt" >= now() - interval '8 days'
GROUP BY 1, 2, 3, 4;

INSERT INTO "ExceptionRollup" ("width", "bucket", "rule", "scope", "source", "field", "shard", "opened", "open", "claimed", "approve", "reject", "override", "cleared")
SELECT w.s, date_bin(make_interval(secs => w.s), x."openedAt", TIMESTAMP '2000-01-01'), x."rule", p."scope", p."source", p."field", 0,
  count(*), count(*) FILTER (WHERE x."status" = 'open'), count(*) FILTER (WHERE x."status" = 'claimed'),
  count(*) FILTER (WHERE x."status" = 'resolved' AND x."resolution" = 'approve'), count(*) FILTER (WHERE x."status" = 'resolved' AND x."resolution" = 'reject'),
  count(*) FILTER (WHERE x."status" = 'resolved' AND x."resolution" = 'override'), count(*) FILTER (WHERE x."status" = 'resolved' AND x."resolution" = 'cleared')
FROM (VALUES (300), (3600), (21600)) w(s)
CROSS JOIN "CaseException" x
CROSS JOIN LATERAL "metrics_exception_parts"(x."detail", x."sourceName", x."field") p
WHERE x."openedAt" >= now() - interval '8 days'
GROUP BY 1, 2, 3, 4, 5, 6;

INSERT INTO "MetricCounter" ("name", "shard", "value")
SELECT 'records', 0, count(*) FROM "Case" WHERE "currentVersion" IS NOT NULL
UNION ALL SELECT 'recordsWithException', 0, count(*) FROM "Case" WHERE "currentVersion" IS NOT NULL AND "openExceptionCount" > 0
UNION ALL SELECT 'exceptions.' || "status", 0, count(*) FROM "CaseException" GROUP BY "status"
UNION ALL SELECT 'exceptions.' || "status" || '.rule.' || "rule", 0, count(*) FROM "CaseException" GROUP BY "status", "rule"
UNION ALL SELECT 'exceptions.' || "status" || '.source.' || COALESCE("sourceName", ''), 0, count(*) FROM "CaseException" GROUP BY "status", COALESCE("sourceName", '');

-- The audit looks at what the dashboard can show: current versions and those of the last eight days.
INSERT INTO "LineageAuditQueue" ("versionId")
SELECT "id" FROM "RecordVersion" WHERE "isCurrent" OR "createdAt" >= now() - interval '8 days';
