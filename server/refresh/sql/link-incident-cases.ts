import { command } from "./statement";

/** ids: one fresh link id per listed case. */
export type LinkIncidentCasesParams = [entityId: string, ids: string[], caseIds: string[]];

/** Links an incident's SourceEntity to the cases it lists; links it already has stay (server/refresh/fan-out.ts). */
export const LINK_INCIDENT_CASES_SQL = `INSERT INTO "EntityCaseLink" ("id", "entityId", "caseId")
           SELECT x.id, $1, x.case_id FROM unnest($2::text[], $3::text[]) AS x(id, case_id)
           ON CONFLICT ("entityId", "caseId") DO NOTHING`;

/** Not a named statement: it runs only for incidents listing cases, as it did before it had a module. */
export const linkIncidentCases = command<LinkIncidentCasesParams>(LINK_INCIDENT_CASES_SQL, { named: false });
