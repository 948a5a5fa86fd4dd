-- Refusals are kept as aggregated counts: one row per (reason, status, source, remote address,
-- minute), counted up by an upsert on "groupKey", so junk traffic cannot grow the table without
-- bound. Rows from before keep a NULL key and a count of 1.
ALTER TABLE "Refusal" ADD COLUMN "count" INTEGER NOT NULL DEFAULT 1;
ALTER TABLE "Refusal" ADD COLUMN "lastAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;
ALTER TABLE "Refusal" ADD COLUMN "groupKey" TEXT;
CREATE UNIQUE INDEX "Refusal_groupKey_key" ON "Refusal"("groupKey");

-- The dashboard's rollup counted one per inserted row; it now adds each row's count on insert
-- and the growth of the count on update.
CREATE OR REPLACE FUNCTION "metrics_refusal_rollup"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "RefusalRollup" AS r ("width", "bucket", "sourceName", "httpStatus", "shard", "n")
  SELECT w.s, date_bin(make_interval(secs => w.s), x."createdAt", TIMESTAMP '2000-01-01'), x."sourceName", x."httpStatus", pg_backend_pid(), sum(x.n)
  FROM (VALUES (300), (3600), (21600)) w(s)
  CROSS JOIN (SELECT n."createdAt", n."sourceName", n."httpStatus", n."count" AS n FROM new_rows n) x
  GROUP BY 1, 2, 3, 4
  ON CONFLICT ("width", "bucket", "sourceName", "httpStatus", "shard") DO UPDATE SET "n" = r."n" + EXCLUDED."n";
  RETURN NULL;
END $$;

CREATE FUNCTION "metrics_refusal_rollup_update"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "RefusalRollup" AS r ("width", "bucket", "sourceName", "httpStatus", "shard", "n")
  SELECT w.s, date_bin(make_interval(secs => w.s), x."createdAt", TIMESTAMP '2000-01-01'), x."sourceName", x."httpStatus", pg_backend_pid(), sum(x.n)
  FROM (VALUES (300), (3600), (21600)) w(s)
  CROSS JOIN (SELECT n."createdAt", n."sourceName", n."httpStatus", n."count" - o."count" AS n FROM new_rows n JOIN old_rows o ON o."id" = n."id") x
  GROUP BY 1, 2, 3, 4
  HAVING sum(x.n) <> 0
  ON CONFLICT ("width", "bucket", "sourceName", "httpStatus", "shard") DO UPDATE SET "n" = r."n" + EXCLUDED."n";
  RETURN NULL;
END $$;

CREATE TRIGGER "Refusal_metrics_update" AFTER UPDATE ON "Refusal" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "metrics_refusal_rollup_update"();
