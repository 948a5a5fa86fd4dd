import type { Part } from "./statement";

/** The Case columns a refresh may change; only those present are written. */
export interface CaseColumnValues {
  lastVersion?: number;
  currentVersion?: number;
  lastCauses?: string[];
  lastSummary?: string;
  openExceptionCount?: number;
  accountId?: string | null;
  customerName?: string | null;
  subject?: string | null;
  severity?: string | null;
  status?: string | null;
  productCode?: string | null;
  tier?: string | null;
}

/** becameCurrent: the record became current, so lastRefreshedAt moves too. */
export type UpdateCaseColumnsParams = [caseId: string, values: CaseColumnValues, becameCurrent: boolean];

/**
 * Write part: the case's list columns and counters. The SET list names the columns present in
 * `values` (column names come from CaseColumnValues' keys, never from input), so each set of
 * columns is its own statement text.
 */
export const updateCaseColumns: Part<UpdateCaseColumnsParams> = (p, [caseId, values, becameCurrent]) => {
  const set = Object.entries(values).map(([k, v]) => `"${k}" = ${p.add(v)}${k === "lastCauses" ? '::text[]::"DeltaCause"[]' : ""}`);
  const refreshed = becameCurrent ? `, "lastRefreshedAt" = now()` : "";
  return `UPDATE "Case" SET ${set.join(", ")}${refreshed}, "updatedAt" = now() WHERE "id" = ${p.add(caseId)}`;
};
