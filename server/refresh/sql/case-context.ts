import type { LiveException } from "../../exceptions/sync-exceptions";
import type { OverrideRow } from "../active-overrides";
import type { LineageMap, RecordDoc } from "../types";
import { CANDIDATE_EVENTS_SQL, type CandidateEvent } from "./candidate-events";
import { CASE_INPUTS_SQL, type InputRow } from "./case-inputs";
import { query, type JsonColumn } from "./statement";

export type CaseContextParams = [caseId: string, eventIds: string[]];

/** A stored version as the refresh compares against it. */
export interface VersionRow {
  id: string;
  version: number;
  record: RecordDoc;
  lineage: LineageMap;
}

/** The one row of CASE_CONTEXT_SQL. */
export interface CaseContextRow {
  lastVersion: number;
  openExceptionCount: number;
  /** Active overrides, oldest first. */
  overrides: JsonColumn<OverrideRow[]>;
  approvals: JsonColumn<{ rule: string; fingerprint: string; exceptionId: string }[]>;
  /** Live exceptions (one per rule). */
  live: JsonColumn<LiveException[]>;
  current: JsonColumn<VersionRow> | null;
  /** The newest held candidate (there is at most one: a newer one supersedes it). */
  held: JsonColumn<VersionRow> | null;
  inputs: JsonColumn<InputRow[]>;
  events: JsonColumn<CandidateEvent[]>;
}

/**
 * Everything a refresh reads, in one statement: the case's counters, active overrides, approvals,
 * live exceptions, the current and held versions, the accepted state of its entities (the CTE
 * `inputs`, case-inputs.ts) and the events it may decide about (candidate-events.ts, which reads
 * `inputs`). The two fragments are composed here, once, when the module loads: the text is a
 * constant and runs as one named prepared statement.
 *
 * Records, lineage, inputs and events come back as JSON text and are parsed once by the caller
 * (server/refresh/load-case.ts): handed over as objects, every leaf would be walked by the client layer.
 */
export const CASE_CONTEXT_SQL = `WITH inputs AS (${CASE_INPUTS_SQL})
     SELECT c."lastVersion" AS "lastVersion", c."openExceptionCount" AS "openExceptionCount",
       COALESCE((SELECT json_agg(json_build_object('id', o."id", 'path', o."path", 'value', o."value", 'basisEntityId', o."basisEntityId",
           'basisVersion', o."basisVersion", 'exceptionId', o."exceptionId", 'createdAt', to_char(o."createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) ORDER BY o."createdAt", o."id")
         FROM "FieldOverride" o WHERE o."caseId" = c."id" AND o."active"), '[]') AS "overrides",
       COALESCE((SELECT json_agg(json_build_object('rule', a."rule", 'fingerprint', a."fingerprint", 'exceptionId', a."exceptionId"))
         FROM "ApprovedConflict" a WHERE a."caseId" = c."id"), '[]') AS "approvals",
       COALESCE((SELECT json_agg(json_build_object('id', x."id", 'rule', x."rule"))
         FROM "CaseException" x WHERE x."caseId" = c."id" AND x."liveKey" IS NOT NULL), '[]') AS "live",
       (SELECT json_build_object('id', v."id", 'version', v."version", 'record', v."record", 'lineage', v."lineage")::text
         FROM "RecordVersion" v WHERE v."caseId" = c."id" AND v."isCurrent") AS "current",
       (SELECT json_build_object('id', v."id", 'version', v."version", 'record', v."record", 'lineage', v."lineage")::text
         FROM "RecordVersion" v WHERE v."caseId" = c."id" AND v."status" = 'held' ORDER BY v."version" DESC LIMIT 1) AS "held",
       (SELECT COALESCE(json_agg(i), '[]')::text FROM inputs i) AS "inputs",
       (${CANDIDATE_EVENTS_SQL}) AS "events"
     FROM "Case" c WHERE c."id" = $1`;

/** One row: the refresh's first statement (lock-and-ensure-case.ts) made sure the Case exists. */
export const readCaseContext = query<CaseContextParams, CaseContextRow>(CASE_CONTEXT_SQL);
