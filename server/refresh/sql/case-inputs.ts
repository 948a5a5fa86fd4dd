/**
 * Fragment (not run on its own): the accepted current state of every source entity of the case
 * `$1`, as the body of the CTE `inputs` of the case-context read (case-context.ts). It is docs/domain.md's
 * fan-out table read backwards: the case's tickets and bundles, the incidents linked to it, and the
 * accounts and environments its tickets name. One row per entity; times as ISO-8601 text.
 *
 * Each branch is its own indexed look-up, so the cost is the case's, never the database's:
 * SourceEntity(caseId), EntityCaseLink(caseId), SourceEntity(entityKind, entityId), and the event by
 * primary key. Do not fold the branches into one WHERE with OR: PostgreSQL then cannot use the
 * indexes and scans SourceEntity and the whole event log on every refresh
 * (server/db/hot-statements.test.ts fails on that).
 */

/** One row of CASE_INPUTS_SQL (json_agg'd by the case-context read, so numbers arrive as numbers). */
export interface InputRow {
  rowId: string;
  sourceId: string;
  entityKind: string;
  entityId: string;
  eventId: string;
  webhookId: string;
  version: number;
  occurredAt: string;
  receivedAt: string;
  data: unknown;
}

// The one SELECT list every branch shares; written out once here so the branches cannot drift.
const SELECT = `SELECT se."id" AS "rowId", se."sourceId", se."entityKind", se."entityId", e."id" AS "eventId", e."webhookId",
  e."entityVersion" AS "version", to_char(e."occurredAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "occurredAt",
  to_char(e."receivedAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "receivedAt", e."data"
  FROM "SourceEntity" se JOIN "WebhookEvent" e ON e."id" = se."currentEventId"`;

export const CASE_INPUTS_SQL = `WITH mine AS (
       ${SELECT} WHERE se."caseId" = $1 AND se."entityKind" IN ('ticket', 'bundle')
       UNION ALL
       ${SELECT} JOIN "EntityCaseLink" l ON l."entityId" = se."id" WHERE l."caseId" = $1 AND se."entityKind" NOT IN ('ticket', 'bundle')),
     tickets AS (SELECT m."data" FROM mine m WHERE m."entityKind" = 'ticket')
     SELECT * FROM mine
     UNION ALL
     ${SELECT} WHERE se."entityKind" = 'account' AND se."entityId" IN (SELECT t."data"->>'accountId' FROM tickets t)
     UNION ALL
     ${SELECT} WHERE se."entityKind" = 'environment' AND se."entityId" IN (SELECT t."data"->>'environmentId' FROM tickets t)`;
