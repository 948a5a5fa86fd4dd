import type { Db } from "../../db/client";

/** SQL spelling of reference/normalise.ts normaliseAlias: lower-case, whitespace runs collapsed, trimmed. */
const NORMALISED = (expr: string) => `btrim(regexp_replace(lower(${expr}), '\\s+', ' ', 'g'))`;

export interface ReferenceScope {
  /** Canonical product codes whose name or existence changed. */
  productCodes?: string[];
  tierCodes?: string[];
  /** Normalised alias texts that now resolve differently (added, removed or moved). */
  productTexts?: string[];
  tierTexts?: string[];
}

/**
 * Cases a reference-data change can alter: records (current or held) that show an affected code,
 * and cases whose accepted source state uses an affected text. Sorted, each once.
 */
export async function casesAffectedBy(db: Db, scope: ReferenceScope): Promise<string[]> {
  const out = new Set<string>();
  const add = (rows: { caseId: string | null }[]) => rows.forEach((r) => r.caseId && out.add(r.caseId));
  const versionsWith = (pointer: string, codes: string[]) =>
    db.$queryRawUnsafe<{ caseId: string }[]>(
      `SELECT DISTINCT "caseId" FROM "RecordVersion" WHERE ("isCurrent" OR "status" = 'held') AND "record" #>> $1::text[] = ANY($2::text[])`,
      pointer.split("."),
      codes,
    );
  if (scope.productCodes?.length) add(await versionsWith("case.product", scope.productCodes));
  if (scope.tierCodes?.length) add(await versionsWith("entitlement.tier", scope.tierCodes));
  const ticketsUsing = (field: string, texts: string[]) =>
    db.$queryRawUnsafe<{ caseId: string | null }[]>(
      `SELECT DISTINCT se."caseId" FROM "SourceEntity" se JOIN "WebhookEvent" e ON e."id" = se."currentEventId"
       WHERE se."entityKind" = 'ticket' AND ${NORMALISED(`e."data"->>'${field}'`)} = ANY($1::text[])`,
      texts,
    );
  if (scope.productTexts?.length) add(await ticketsUsing("productArea", scope.productTexts));
  if (scope.tierTexts?.length) {
    add(await ticketsUsing("declaredServiceTier", scope.tierTexts));
    add(
      await db.$queryRawUnsafe<{ caseId: string | null }[]>(
        `SELECT DISTINCT t."caseId" FROM "SourceEntity" a JOIN "WebhookEvent" e ON e."id" = a."currentEventId"
         JOIN "SourceEntity" t ON t."entityKind" = 'ticket' AND t."accountId" = a."accountId"
         WHERE a."entityKind" = 'account' AND ${NORMALISED(`e."data"->>'serviceTier'`)} = ANY($1::text[])`,
        scope.tierTexts,
      ),
    );
  }
  return [...out].sort();
}

/** Every case that has a record (current or held) to re-materialise. */
export async function casesWithRecords(db: Db): Promise<string[]> {
  const rows = await db.$queryRawUnsafe<{ id: string }[]>(`SELECT "id" FROM "Case" WHERE "lastVersion" > 0 ORDER BY "id"`);
  return rows.map((r) => r.id);
}

/** Cases touched by events received in [from, to): the cases a window replay re-materialises. */
export async function casesInWindow(db: Db, from: Date, to: Date): Promise<string[]> {
  const rows = await db.$queryRawUnsafe<{ caseId: string }[]>(
    `SELECT c."caseId" FROM "EventCase" c JOIN "WebhookEvent" e ON e."id" = c."eventId"
       WHERE e."receivedAt" >= $1 AND e."receivedAt" < $2
     UNION
     SELECT e."caseId" FROM "WebhookEvent" e
       WHERE e."receivedAt" >= $1 AND e."receivedAt" < $2 AND e."caseId" <> '*' AND e."status" <> 'stale'
     ORDER BY 1`,
    from,
    to,
  );
  return rows.map((r) => r.caseId);
}
