-- Current records per severity, kept by the Case trigger beside "records": the records list's
-- total for a severity filter is then exact and costs the same at a million cases as at ten
-- (server/records/list-records.ts). Counter names: records.severity.<S1..S4, or '' for none>.
CREATE OR REPLACE FUNCTION "metrics_case_counters"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  o_rec BOOLEAN := false; o_exc BOOLEAN := false; n_rec BOOLEAN := false; n_exc BOOLEAN := false;
  o_sev TEXT; n_sev TEXT;
BEGIN
  IF TG_OP <> 'INSERT' THEN
    o_rec := OLD."currentVersion" IS NOT NULL; o_exc := o_rec AND OLD."openExceptionCount" > 0;
    IF o_rec THEN o_sev := COALESCE(OLD."severity", ''); END IF;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    n_rec := NEW."currentVersion" IS NOT NULL; n_exc := n_rec AND NEW."openExceptionCount" > 0;
    IF n_rec THEN n_sev := COALESCE(NEW."severity", ''); END IF;
  END IF;
  IF o_rec = n_rec AND o_exc = n_exc AND o_sev IS NOT DISTINCT FROM n_sev THEN RETURN NULL; END IF;
  INSERT INTO "MetricCounter" AS c ("name", "shard", "value")
  SELECT x.name, pg_backend_pid(), sum(x.v) FROM (VALUES
    ('records', n_rec::int - o_rec::int),
    ('recordsWithException', n_exc::int - o_exc::int),
    ('records.severity.' || o_sev, -1),
    ('records.severity.' || n_sev, 1)
  ) x(name, v)
  WHERE x.name IS NOT NULL GROUP BY x.name HAVING sum(x.v) <> 0
  ON CONFLICT ("name", "shard") DO UPDATE SET "value" = c."value" + EXCLUDED."value";
  RETURN NULL;
END $$;

DROP TRIGGER "Case_metrics_update" ON "Case";
CREATE TRIGGER "Case_metrics_update" AFTER UPDATE ON "Case" FOR EACH ROW
  WHEN ((OLD."currentVersion" IS NULL) IS DISTINCT FROM (NEW."currentVersion" IS NULL) OR (OLD."openExceptionCount" > 0) IS DISTINCT FROM (NEW."openExceptionCount" > 0)
    OR OLD."severity" IS DISTINCT FROM NEW."severity")
  EXECUTE FUNCTION "metrics_case_counters"();

INSERT INTO "MetricCounter" ("name", "shard", "value")
SELECT 'records.severity.' || COALESCE("severity", ''), 0, count(*) FROM "Case" WHERE "currentVersion" IS NOT NULL GROUP BY COALESCE("severity", '');
