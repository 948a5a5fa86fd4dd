import type { SourceKind } from "../intake/event-schemas";
import type { CaseInputs, EntityState } from "./types";

export interface SourceLookup {
  byId: Map<string, { name: string; kind: SourceKind }>;
}

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

const ISO = (col: string) => `to_char(${col}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

const SELECT = `SELECT se."id" AS "rowId", se."sourceId", se."entityKind", se."entityId", e."id" AS "eventId", e."webhookId",
  e."entityVersion" AS "version", ${ISO('e."occurredAt"')} AS "occurredAt", ${ISO('e."receivedAt"')} AS "receivedAt", e."data"
  FROM "SourceEntity" se JOIN "WebhookEvent" e ON e."id" = se."currentEventId"`;

/**
 * SQL for the accepted current state of every source entity of the case `$1` (docs/domain.md's fan-out
 * table, read backwards): its tickets and bundles, the incidents linked to it, and the accounts and
 * environments its tickets name. One row per entity; times as ISO-8601 text.
 *
 * Each branch is its own indexed look-up, so the cost is the case's, never the database's:
 * SourceEntity(caseId), EntityCaseLink(caseId), SourceEntity(entityKind, entityId), and the event by
 * primary key. Do not fold the branches into one WHERE with OR: PostgreSQL then cannot use the
 * indexes and scans SourceEntity and the whole event log on every refresh
 * (server/db/hot-statements.test.ts fails on that).
 */
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

function toState(row: InputRow, sources: SourceLookup): EntityState<unknown> | null {
  const source = sources.byId.get(row.sourceId);
  if (!source) return null;
  return {
    sourceId: row.sourceId,
    sourceName: source.name,
    sourceKind: source.kind,
    rowId: row.rowId,
    entityKind: row.entityKind,
    entityId: row.entityId,
    version: Number(row.version),
    eventId: row.eventId,
    webhookId: row.webhookId,
    occurredAt: new Date(row.occurredAt).toISOString(),
    receivedAt: new Date(row.receivedAt).toISOString(),
    data: typeof row.data === "string" ? JSON.parse(row.data) : row.data,
  };
}

const newest = <T>(states: EntityState<T>[]) =>
  [...states].sort((a, b) => b.occurredAt.localeCompare(a.occurredAt) || b.version - a.version || a.sourceName.localeCompare(b.sourceName))[0] ?? null;

/** Sorts the rows of CASE_INPUTS_SQL into a case's inputs; the newest ticket decides which account and environment count. */
export function toCaseInputs(caseId: string, rows: InputRow[], sources: SourceLookup): CaseInputs {
  const states = rows.map((r) => toState(r, sources)).filter((s): s is EntityState<unknown> => s !== null);
  const of = (kind: SourceKind, entityKinds: string[]) => states.filter((s) => s.sourceKind === kind && entityKinds.includes(s.entityKind));
  const inputs: CaseInputs = {
    caseId,
    tickets: of("ticketing", ["ticket"]) as CaseInputs["tickets"],
    bundles: of("diagnostics", ["bundle"]) as CaseInputs["bundles"],
    incidents: of("incident", ["incident"]) as CaseInputs["incidents"],
    entitlement: null,
    environment: null,
  };
  const ticket = newest(inputs.tickets);
  if (!ticket) return inputs;
  const { accountId, environmentId } = ticket.data;
  inputs.entitlement = newest(of("entitlement", ["account"]).filter((s) => s.entityId === accountId)) as CaseInputs["entitlement"];
  inputs.environment = environmentId
    ? (newest(of("environment", ["environment"]).filter((s) => s.entityId === environmentId)) as CaseInputs["environment"])
    : null;
  return inputs;
}
