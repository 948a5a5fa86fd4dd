import { z } from "zod";
import { assertRole } from "../auth/authorize";
import type { Db } from "../db/client";
import type { Actor } from "../lib/audit";
import { AppError } from "../lib/errors";
import { setFieldPolicies, type PolicyContext, type PolicyChange } from "../ops/governance/manage-policies";
import { POLICY_FIELDS } from "../ops/governance/policy-fields";
import { windowRange } from "../ops/dashboard/dashboard-rollups";
import { activeAddedFields, policyFieldsOf } from "../ops/governance/source-fields";
import { WINDOWS, windowKey, type WindowKey } from "../ops/dashboard/windows";

export interface RecurringGroup {
  source: string | null;
  field: string | null;
  rule: string;
  total: number;
  cases: number;
  open: number;
  claimed: number;
  approve: number;
  reject: number;
  override: number;
  cleared: number;
  firstOpenedAt: Date;
  lastOpenedAt: Date;
  /** Effective overwrite policy of (source, field) now; null when the group names no known source field. */
  policy: "auto" | "review" | null;
  /** The group's field is one this source writes, so its policy can be moved to auto. */
  canWiden: boolean;
}

interface Row {
  source: string | null;
  field: string | null;
  rule: string;
  total: number;
  cases: number;
  open: number;
  claimed: number;
  approve: number;
  reject: number;
  override: number;
  cleared: number;
  firstOpenedAt: Date;
  lastOpenedAt: Date;
  kind: keyof typeof POLICY_FIELDS | null;
  policy: "auto" | "review" | null;
}

/**
 * Exceptions opened in the window, grouped by source, field and rule, with how they ended, most
 * frequent first; each group carries the field's current overwrite policy. An exception whose
 * newest candidate involves several (source, field) pairs, such as a review of several fields,
 * counts under each of them. Counts come from ExceptionRollup (kept by a trigger on
 * CaseException), so the report reads a few hundred rows however many exceptions there are;
 * first/last opened are to the window's bucket width. `cases` (distinct cases per group) cannot
 * be summed from buckets: only the full report asks for it, at the cost of reading the window's
 * exceptions (the dashboard's top ten do without).
 */
export async function recurringExceptions(
  db: Db,
  window: WindowKey,
  limit = 100,
  opts: { cases?: boolean } = {},
): Promise<{ window: WindowKey; since: Date; exceptions: number; groups: RecurringGroup[] }> {
  const range = windowRange(windowKey.parse(window));
  const rows = await db.$queryRawUnsafe<Row[]>(
    `SELECT g.*, s."kind"::text AS "kind",
       CASE WHEN s."id" IS NULL THEN NULL ELSE COALESCE(p."mode", s."defaultPolicy")::text END AS "policy"
     FROM (
       SELECT NULLIF(r."source", '') AS "source", NULLIF(r."field", '') AS "field", r."rule"::text AS "rule",
         sum(r."opened")::int AS "total", 0 AS "cases",
         sum(r."open")::int AS "open", sum(r."claimed")::int AS "claimed", sum(r."approve")::int AS "approve",
         sum(r."reject")::int AS "reject", sum(r."override")::int AS "override", sum(r."cleared")::int AS "cleared",
         min(r."bucket") FILTER (WHERE r."opened" > 0) AS "firstOpenedAt",
         max(r."bucket") FILTER (WHERE r."opened" > 0) + make_interval(secs => $1) AS "lastOpenedAt"
       FROM "ExceptionRollup" r
       WHERE r."width" = $1 AND r."bucket" >= $2::timestamp AND r."scope" = 'pair'
       GROUP BY r."source", r."field", r."rule"
       HAVING sum(r."opened") > 0
     ) g
     LEFT JOIN "Source" s ON s."name" = g."source"
     LEFT JOIN "FieldPolicy" p ON p."sourceId" = s."id" AND p."field" = g."field"
     ORDER BY g."total" DESC, g."lastOpenedAt" DESC, g."source", g."field", g."rule"
     LIMIT $3`,
    range.width,
    range.since,
    limit,
  );
  const [total] = await db.$queryRawUnsafe<{ n: number }[]>(
    `SELECT COALESCE(sum("opened"), 0)::int AS "n" FROM "ExceptionRollup" WHERE "width" = $1 AND "bucket" >= $2::timestamp AND "scope" = 'rule'`,
    range.width,
    range.since,
  );
  const cases = opts.cases === false || !rows.length ? new Map<string, number>() : await distinctCases(db, range.since);
  const added = await activeAddedFields(db);
  return {
    window,
    since: range.since,
    exceptions: total?.n ?? 0,
    groups: rows.map(({ kind, ...r }) => ({
      ...r,
      cases: cases.get(`${r.source ?? ""}\u0000${r.field ?? ""}\u0000${r.rule}`) ?? 0,
      canWiden: !!kind && !!r.source && !!r.field && policyFieldsOf({ name: r.source, kind }, added).includes(r.field) && r.policy === "review",
    })),
  };
}

/** Distinct cases per (source, field, rule) of the exceptions opened since `since`: reads those exceptions. */
async function distinctCases(db: Db, since: Date): Promise<Map<string, number>> {
  const rows = await db.$queryRawUnsafe<{ source: string; field: string; rule: string; cases: number }[]>(
    `SELECT p."source", p."field", x."rule"::text AS "rule", count(DISTINCT x."caseId")::int AS "cases"
     FROM "CaseException" x CROSS JOIN LATERAL "metrics_exception_parts"(x."detail", x."sourceName", x."field") p
     WHERE x."openedAt" >= $1::timestamp AND p."scope" = 'pair'
     GROUP BY 1, 2, 3`,
    since,
  );
  return new Map(rows.map((r) => [`${r.source}\u0000${r.field}\u0000${r.rule}`, r.cases]));
}

export const widenFromReportInput = z.object({
  source: z.string().trim().min(1).max(100),
  field: z.string().trim().min(1).max(200),
  window: windowKey,
  note: z.string().trim().min(3, "say why, in a few words (at least 3 characters)").max(1000),
});

/** "Move this field to auto" from a report group: the policy change, audited like any other, noting where it came from. */
export async function widenFromReport(ctx: PolicyContext, actor: Actor, raw: z.input<typeof widenFromReportInput>): Promise<PolicyChange> {
  assertRole(actor, "admin");
  const input = widenFromReportInput.parse(raw);
  const result = await setFieldPolicies(ctx, actor, {
    source: input.source,
    fields: [input.field],
    mode: "auto",
    note: `${input.note} (from the recurring-exceptions report, ${WINDOWS[input.window].phrase})`,
  });
  if (!result.changed.length) throw new AppError("CONFLICT", `${input.field} of ${input.source} is already auto`);
  return result;
}
