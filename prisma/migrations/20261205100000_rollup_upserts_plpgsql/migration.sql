-- The dashboard's rollup upserts, called by the statement-level triggers on "WebhookEvent" for every
-- delivery stored and every event a refresh settles, were SQL-language functions. PostgreSQL plans a
-- SQL function's INSERT ... ON CONFLICT afresh on every call (it cannot inline a data-modifying
-- one), which cost about 0.5 ms per call, most of intake's database time. As PL/pgSQL, each session
-- plans the statement once and keeps the plan. Same bodies, same results.
CREATE OR REPLACE FUNCTION "metrics_event_upsert"(d_at TIMESTAMP(3)[], d_src TEXT[], d_st TEXT[], d_n INTEGER[], d_arr INTEGER[], d_dep INTEGER[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN

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
    "arrived" = r."arrived" + EXCLUDED."arrived", "departed" = r."departed" + EXCLUDED."departed";
END $$;

CREATE OR REPLACE FUNCTION "metrics_latency_upsert"(d_at TIMESTAMP(3)[], d_kind TEXT[], d_ms DOUBLE PRECISION[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN

  INSERT INTO "LatencyRollup" AS r ("width", "bucket", "kind", "bin", "shard", "n")
  SELECT w.s, date_bin(make_interval(secs => w.s), d.at, TIMESTAMP '2000-01-01'), d.kind,
    CASE WHEN d.ms < 1 THEN 0 ELSE 1 + floor(ln(d.ms) / ln(1.1))::int END, pg_backend_pid(), count(*)
  FROM (VALUES (300), (3600), (21600)) w(s)
  CROSS JOIN unnest(d_at, d_kind, d_ms) AS d(at, kind, ms)
  GROUP BY 1, 2, 3, 4
  ON CONFLICT ("width", "bucket", "kind", "bin", "shard") DO UPDATE SET "n" = r."n" + EXCLUDED."n";
END $$;
