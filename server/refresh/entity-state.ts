import type { Db, Tx } from "../db/client";

/** Which source entities to recompute: all, some by key, or every entity that may feed one case. */
export type EntityScope =
  | { all: true }
  | { keys: { sourceId: string; entityId: string }[] }
  | { caseId: string };

function scopePredicate(scope: EntityScope): { sql: string; params: unknown[] } {
  if ("all" in scope) return { sql: "TRUE", params: [] };
  if ("keys" in scope) {
    return {
      sql: `(w."sourceId", w."entityId") IN (SELECT * FROM unnest($1::text[], $2::text[]))`,
      params: [scope.keys.map((k) => k.sourceId), scope.keys.map((k) => k.entityId)],
    };
  }
  // A superset is harmless (recomputing any entity is correct); missing one would leave it stale.
  return {
    sql: `w."caseId" = $1
      OR (w."entityKind" = 'incident' AND w."data"->'caseIds' @> jsonb_build_array($1::text))
      OR (w."entityKind" = 'account' AND w."entityId" IN (SELECT t."data"->>'accountId' FROM "WebhookEvent" t WHERE t."caseId" = $1 AND t."entityKind" = 'ticket'))
      OR (w."entityKind" = 'environment' AND w."entityId" IN (SELECT t."data"->>'environmentId' FROM "WebhookEvent" t WHERE t."caseId" = $1 AND t."entityKind" = 'ticket'))`,
    params: [scope.caseId],
  };
}

/**
 * Derives SourceEntity rows from the event log: maxVersion is the highest version ever accepted
 * (quarantined included), currentEventId the newest event that is neither stale nor quarantined,
 * and the routing keys come from that event (as intake sets them). Rows are created when missing.
 * A row that intake has meanwhile moved past is left alone, so a concurrent delivery is never undone.
 */
export async function recomputeEntityState(db: Db | Tx, scope: EntityScope): Promise<number> {
  if ("keys" in scope && !scope.keys.length) return 0;
  const where = scopePredicate(scope);
  return db.$executeRawUnsafe(
    `WITH scope AS (SELECT DISTINCT w."sourceId", w."entityId" FROM "WebhookEvent" w WHERE ${where.sql}),
     ev AS (SELECT e."id", e."seq", e."sourceId", e."entityId", e."entityKind", e."entityVersion", e."caseId", e."data", e."status"
            FROM "WebhookEvent" e JOIN scope s ON s."sourceId" = e."sourceId" AND s."entityId" = e."entityId"),
     mx AS (SELECT "sourceId", "entityId", max("entityVersion") AS "maxVersion" FROM ev GROUP BY "sourceId", "entityId"),
     top AS (SELECT DISTINCT ON ("sourceId", "entityId") * FROM ev ORDER BY "sourceId", "entityId", "entityVersion" DESC, "seq" ASC),
     cur AS (SELECT DISTINCT ON ("sourceId", "entityId") * FROM ev WHERE "status" NOT IN ('stale', 'quarantined')
             ORDER BY "sourceId", "entityId", "entityVersion" DESC, "seq" ASC),
     src AS (
       SELECT mx."sourceId", mx."entityId", top."entityKind" AS kind, mx."maxVersion", cur."id" AS "currentEventId",
              CASE WHEN cur."id" IS NULL THEN top."caseId" ELSE cur."caseId" END AS "caseId",
              CASE WHEN cur."id" IS NULL THEN top."data" ELSE cur."data" END AS "data"
       FROM mx JOIN top ON top."sourceId" = mx."sourceId" AND top."entityId" = mx."entityId"
       LEFT JOIN cur ON cur."sourceId" = mx."sourceId" AND cur."entityId" = mx."entityId")
     INSERT INTO "SourceEntity" ("id", "sourceId", "entityKind", "entityId", "maxVersion", "currentEventId", "caseId", "accountId", "environmentId", "updatedAt")
     SELECT 'ent_' || replace(gen_random_uuid()::text, '-', ''), s."sourceId", s.kind, s."entityId", s."maxVersion", s."currentEventId",
            CASE WHEN s.kind IN ('ticket', 'bundle') THEN s."caseId" END,
            CASE s.kind WHEN 'ticket' THEN s."data"->>'accountId' WHEN 'account' THEN s."entityId" END,
            CASE s.kind WHEN 'ticket' THEN s."data"->>'environmentId' WHEN 'environment' THEN s."entityId" END,
            now()
     FROM src s
     ON CONFLICT ("sourceId", "entityId") DO UPDATE SET
       "maxVersion" = EXCLUDED."maxVersion", "currentEventId" = EXCLUDED."currentEventId", "caseId" = EXCLUDED."caseId",
       "accountId" = EXCLUDED."accountId", "environmentId" = EXCLUDED."environmentId", "updatedAt" = now()
     WHERE EXCLUDED."maxVersion" >= "SourceEntity"."maxVersion"`,
    ...where.params,
  );
}

/** Every case an incident has listed in an accepted event is linked to it (docs/domain.md: "now or before"). */
export async function rebuildIncidentLinks(db: Db | Tx, caseId?: string): Promise<number> {
  return db.$executeRawUnsafe(
    `INSERT INTO "EntityCaseLink" ("id", "entityId", "caseId")
     SELECT DISTINCT ON (se."id", c.case_id) 'lnk_' || replace(gen_random_uuid()::text, '-', ''), se."id", c.case_id
     FROM "WebhookEvent" e
     JOIN "SourceEntity" se ON se."sourceId" = e."sourceId" AND se."entityId" = e."entityId"
     CROSS JOIN LATERAL jsonb_array_elements_text(CASE WHEN jsonb_typeof(e."data"->'caseIds') = 'array' THEN e."data"->'caseIds' ELSE '[]'::jsonb END) AS c(case_id)
     WHERE e."entityKind" = 'incident' AND e."status" <> 'stale' AND ($1::text IS NULL OR c.case_id = $1)
     ON CONFLICT ("entityId", "caseId") DO NOTHING`,
    caseId ?? null,
  );
}
