import type { Db, Tx } from "../db/client";

/**
 * Cases with a live REVIEW_REQUIRED exception raised by `source` on one of `fields`: the ones a
 * widened overwrite policy may settle (docs/domain.md, "Governance edits re-evaluate"). Read through the
 * exception's hits, since one exception can name several sources and fields.
 */
export async function reviewExceptionCases(db: Db | Tx, source: string, fields: string[]): Promise<string[]> {
  if (!fields.length) return [];
  const rows = await db.$queryRawUnsafe<{ caseId: string }[]>(
    `SELECT DISTINCT x."caseId" FROM "CaseException" x, jsonb_array_elements(COALESCE(x."detail"->'hits', '[]'::jsonb)) h
     WHERE x."liveKey" IS NOT NULL AND x."rule" = 'REVIEW_REQUIRED' AND h->>'sourceName' = $1 AND h->>'field' = ANY($2::text[])
     ORDER BY x."caseId"`,
    source,
    fields,
  );
  return rows.map((r) => r.caseId);
}
