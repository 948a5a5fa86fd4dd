import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../../../dev/testing/test-db";
import { ingestAndDrain } from "../../../dev/testing/ingest";
import { ticket } from "../../../dev/testing/events";
import { CASE_CONTEXT_SQL } from "./case-context";

/**
 * The case-context read runs as a prepared statement with a generic plan (sql/statement.ts), and its
 * plan must stay a look-up by the case however the table's statistics lag behind its contents.
 * Found by the 30-minute soak: diagnostics bundles had piled up to 9,000 SourceEntity rows while the
 * statistics still described a small table; the plan combined SourceEntity(caseId) with
 * SourceEntity(entityKind, …) in a BitmapAnd and read every ticket and bundle entity of the
 * database on every refresh (10,011 index entries, 172 ms). SourceEntity(caseId, entityKind) makes
 * the case's own entities one index range whatever the estimates say.
 */
let t: TestDb;

/** Every plan node of an EXPLAIN (ANALYZE, FORMAT JSON) answer, flattened. */
function nodes(plan: Record<string, unknown>): Record<string, unknown>[] {
  const kids = (plan.Plans as Record<string, unknown>[] | undefined) ?? [];
  return [plan, ...kids.flatMap(nodes)];
}

beforeAll(async () => {
  t = await createTestDb();
  await ingestAndDrain(t, ticket("PLAN-1", 1));
  // A small database: a few hundred cases, each a ticket and a couple of bundles, with its statistics.
  await bulkEntities("SMALL", 300, (g) => (g % 3 === 0 ? "ticket" : "bundle"), 300);
  await t.db.$executeRawUnsafe(`ANALYZE "SourceEntity"`);
  // Then thousands of other cases' bundles arrive before the statistics are taken again.
  await bulkEntities("BULK", 12_000, () => "bundle", 500);
});

/** `n` entities of other cases (`cases` of them), straight into the table. */
async function bulkEntities(prefix: string, n: number, kind: (g: number) => "ticket" | "bundle", cases: number): Promise<void> {
  const kinds = Array.from({ length: n }, (_, g) => kind(g));
  await t.db.$executeRawUnsafe(
    `INSERT INTO "SourceEntity" ("id", "sourceId", "entityKind", "entityId", "maxVersion", "caseId", "updatedAt")
     SELECT $1 || '_' || g, (SELECT "id" FROM "Source" WHERE "name" = CASE WHEN k = 'ticket' THEN 'ticketing' ELSE 'diagnostics' END), k, $1 || '-' || g, 1, $1 || '-' || (g % $2), now()
     FROM unnest($3::text[]) WITH ORDINALITY AS x(k, g)`,
    prefix,
    cases,
    kinds,
  );
}

afterAll(async () => {
  await t?.close();
});

describe("the case-context read's generic plan", () => {
  it("reads the case's own entities through an index range of the case, not every ticket and bundle", async () => {
    await t.db.$transaction(async (tx) => {
      await tx.$executeRawUnsafe(`SET LOCAL plan_cache_mode = force_generic_plan`);
      await tx.$executeRawUnsafe(`PREPARE case_context_plan(text, text[]) AS ${CASE_CONTEXT_SQL}`);
      try {
        const [row] = await tx.$queryRawUnsafe<{ "QUERY PLAN": unknown }[]>(`EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE case_context_plan('PLAN-1', '{}')`);
        const raw = row!["QUERY PLAN"];
        const doc = (typeof raw === "string" ? JSON.parse(raw) : raw) as { Plan: Record<string, unknown> }[];
        const all = nodes(doc[0]!.Plan);
        const wide = all.filter((n) => Number(n["Actual Rows"] ?? 0) * Number(n["Actual Loops"] ?? 1) > 1_000);
        expect(
          wide.map((n) => `${n["Node Type"]} ${n["Index Name"] ?? n["Relation Name"] ?? ""}: ${n["Actual Rows"]} rows`),
          "plan nodes that read more than 1,000 rows for one case",
        ).toEqual([]);
        // The statistics here may or may not tempt the planner into the soak's BitmapAnd; whatever
        // they say, the case's own entities must be one range of the (caseId, entityKind) index.
        expect(all.filter((n) => n["Node Type"] === "BitmapAnd")).toEqual([]);
        const byCase = all.filter((n) => n["Relation Name"] === "SourceEntity" || String(n["Index Name"] ?? "").startsWith("SourceEntity_")).filter((n) => String(n["Index Cond"] ?? n["Recheck Cond"] ?? "").includes('"caseId"'));
        expect(byCase.length).toBeGreaterThan(0);
        for (const n of byCase) expect(n["Index Name"] ?? n["Plans"], JSON.stringify(n).slice(0, 300)).toBe("SourceEntity_caseId_entityKind_idx");
      } finally {
        await tx.$executeRawUnsafe(`DEALLOCATE case_context_plan`);
      }
    });
  });
});
