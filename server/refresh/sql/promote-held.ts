import { afterClause } from "./refresh-writes";
import type { Part } from "./statement";

export type PromoteHeldParams = [versionId: string, lineageJson: string, summary: string];

/** Write part: a held candidate equal to the new record becomes the current version (with the approval in its lineage). */
export const promoteHeld: Part<PromoteHeldParams, { after: string | null }> = (p, [versionId, lineageJson, summary], { after }) =>
  `UPDATE "RecordVersion" SET "status" = 'current', "isCurrent" = true, "lineage" = ${p.add(lineageJson)}::jsonb, "summary" = ${p.add(summary)}, "updatedAt" = now()
       ${afterClause(after)}WHERE "id" = ${p.add(versionId)}`;
