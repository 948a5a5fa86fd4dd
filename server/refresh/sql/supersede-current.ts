import type { Part } from "./statement";

export type SupersedeCurrentParams = [versionId: string];

/** Write part: the current version stops being current. RETURNING 1 so a later part can wait for it (RefreshWrites.after). */
export const supersedeCurrent: Part<SupersedeCurrentParams> = (p, [versionId]) =>
  `UPDATE "RecordVersion" SET "status" = 'superseded', "isCurrent" = NULL, "updatedAt" = now() WHERE "id" = ${p.add(versionId)} RETURNING 1`;
