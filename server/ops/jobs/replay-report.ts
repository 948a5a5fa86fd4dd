import type { Db } from "../../db/client";
import { diffPaths, type PathDifference, type ReplayCaseResult, type ReplayResult } from "../../refresh/replay";
import type { Json } from "../../refresh/types";
import { describePath } from "../../../shared/format";

const MAX_REPORTED_CASES = 200;
const MAX_REPORTED_DIFFERENCES = 50;

/** A case's current record and held candidate (if any), as stored. */
export interface CaseSnapshot {
  current: Json | undefined;
  held: Json | undefined;
}

/** The current and newest held record of each case (every case when caseIds is omitted). */
export async function snapshotCases(db: Db, caseIds?: string[]): Promise<Map<string, CaseSnapshot>> {
  const rows = await db.$queryRawUnsafe<{ caseId: string; status: string; record: Json }[]>(
    `SELECT DISTINCT ON (v."caseId", v."status") v."caseId", v."status"::text AS "status", v."record"
     FROM "RecordVersion" v
     WHERE (v."isCurrent" OR v."status" = 'held') AND ($1::text[] IS NULL OR v."caseId" = ANY($1::text[]))
     ORDER BY v."caseId", v."status", v."version" DESC`,
    caseIds ?? null,
  );
  const out = new Map<string, CaseSnapshot>();
  for (const r of rows) {
    const s = out.get(r.caseId) ?? { current: undefined, held: undefined };
    const record = (typeof r.record === "string" ? JSON.parse(r.record) : r.record) as Json;
    if (r.status === "held") s.held = record;
    else s.current = record;
    out.set(r.caseId, s);
  }
  return out;
}

/** A difference, with the field's name for people ("Incidents › INC-5102 › Severity"); the path stays for the API. */
export type ReportedDifference = PathDifference & { record: "current" | "held"; label: string };

/**
 * What the replay screen shows. A case matched when its current record and its held candidate
 * (the change an open exception holds back) both came out of the replay exactly as they were
 * stored; otherwise every differing path is listed, saying which of the two it is in.
 */
export function replayReport(
  scope: Record<string, unknown>,
  r: Pick<ReplayResult, "entities" | "cases">,
  before: Map<string, CaseSnapshot>,
  after: Map<string, CaseSnapshot>,
): Record<string, unknown> {
  const judged = r.cases.map((c: ReplayCaseResult) => {
    const b = before.get(c.caseId);
    const a = after.get(c.caseId);
    const differences: ReportedDifference[] = [
      ...diffPaths(b?.current, a?.current).map((d) => ({ ...d, record: "current" as const, label: describePath(d.path, b?.current, a?.current) || "The whole record" })),
      ...diffPaths(b?.held, a?.held).map((d) => ({ ...d, record: "held" as const, label: describePath(d.path, b?.held, a?.held) || "The whole candidate" })),
    ];
    return { caseId: c.caseId, outcome: c.outcome, version: c.version, held: !!a?.held, differences };
  });
  const differed = judged.filter((c) => c.differences.length > 0);
  const outcomes: Record<string, number> = {};
  for (const c of judged) outcomes[c.outcome] = (outcomes[c.outcome] ?? 0) + 1;
  return {
    scope,
    entities: r.entities,
    cases: judged.length,
    matched: judged.length - differed.length,
    differedCount: differed.length,
    /** Cases that matched while an exception still holds a candidate back. */
    heldCases: judged.filter((c) => c.held).length,
    differed: differed.slice(0, MAX_REPORTED_CASES).map((c) => ({
      caseId: c.caseId,
      outcome: c.outcome,
      version: c.version,
      differenceCount: c.differences.length,
      differences: c.differences.slice(0, MAX_REPORTED_DIFFERENCES),
    })),
    outcomes,
  };
}
