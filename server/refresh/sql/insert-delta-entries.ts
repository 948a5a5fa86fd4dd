import type { Part } from "./statement";

/** Parallel arrays, one element per changed path; before, after and lineage as JSON text (null: absent). */
export type InsertDeltaEntriesParams = [
  caseId: string,
  ids: string[],
  paths: string[],
  before: (string | null)[],
  after: (string | null)[],
  causes: string[],
  lineage: string[],
];

/** Write part: the delta entries of the version inserted by the CTE `version` (insert-version.ts). */
export const insertDeltaEntries: Part<InsertDeltaEntriesParams, { version: string }> = (p, [caseId, ids, paths, before, after, causes, lineage], { version }) =>
  `INSERT INTO "DeltaEntry" ("id", "versionId", "caseId", "path", "before", "after", "cause", "lineage")
     SELECT d.id, ${version}."id", ${p.add(caseId)}, d.path, d.before::jsonb, d.after::jsonb, d.cause::"DeltaCause", d.lineage::jsonb
     FROM ${version}, unnest(${p.add(ids)}::text[], ${p.add(paths)}::text[], ${p.add(before)}::text[],
       ${p.add(after)}::text[], ${p.add(causes)}::text[], ${p.add(lineage)}::text[]) AS d(id, path, before, after, cause, lineage)`;
