import { afterClause } from "./refresh-writes";
import type { Part } from "./statement";

export type InsertVersionParams = [
  id: string,
  caseId: string,
  version: number,
  status: "current" | "held",
  /** true for a current version, null otherwise (the unique index on (caseId, isCurrent) allows one true). */
  isCurrent: true | null,
  /** Documents travel as JSON text cast to jsonb: as query arguments their hundreds of leaves would be walked and copied one by one. */
  recordJson: string,
  lineageJson: string,
  summary: string,
  causes: string[],
  basedOnVersion: number | null,
  schemaVersion: number,
  triggerEventId: string | null,
];

/**
 * Write part: a new RecordVersion, stamped with the moment of writing (clock_timestamp(), not the
 * transaction's start, which may precede the arrival of events it folds in). Returns its id for
 * insert-delta-entries.ts.
 */
export const insertVersion: Part<InsertVersionParams, { after: string | null }> = (p, v, { after }) =>
  `INSERT INTO "RecordVersion" ("id", "caseId", "version", "status", "isCurrent", "record", "lineage", "summary", "causes",
       "basedOnVersion", "schemaVersion", "triggerEventId", "createdAt", "updatedAt")
     SELECT ${p.add(v[0])}, ${p.add(v[1])}, ${p.add(v[2])}::int, ${p.add(v[3])}::"VersionStatus", ${p.add(v[4])}::boolean,
       ${p.add(v[5])}::jsonb, ${p.add(v[6])}::jsonb, ${p.add(v[7])}, ${p.add(v[8])}::text[]::"DeltaCause"[],
       ${p.add(v[9])}::int, ${p.add(v[10])}::int, ${p.add(v[11])}::text, clock_timestamp(), now()
     ${afterClause(after)}
     RETURNING "id"`;
