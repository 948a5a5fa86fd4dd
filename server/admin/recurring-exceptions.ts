import { z } from "zod";
import { assertRole } from "../auth/authorize";
import type { Db } from "../db/client";
import type { Actor } from "../lib/audit";
import { AppError } from "../lib/errors";
import { setFieldPolicies, type PolicyContext, type PolicyChange } from "./manage-policies";
import { POLICY_FIELDS } from "./policy-fields";
import { activeAddedFields, policyFieldsOf } from "./source-fields";
import { WINDOWS, windowKey, type WindowKey } from "./windows";

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
 * Exceptions opened in the window, grouped by source, field and rule, with how they ended
 * (counted in SQL), most frequent first; each group carries the field's current overwrite policy.
 * An exception whose newest candidate involves several (source, field) pairs, such as a review of
 * several fields, counts under each of them.
 */
export async function recurringExceptions(db: Db, window: WindowKey, limit = 100): Promise<{ window: WindowKey; since: Date; exceptions: number; groups: RecurringGroup[] }> {
  const w = WINDOWS[windowKey.parse(window)];
  const since = new Date(Date.now() - w.seconds * 1000);
  const rows = await db.$queryRawUnsafe<Row[]>(
    `WITH x AS (
       SELECT * FROM "CaseException" WHERE "openedAt" >= $1
     ),
     pairs AS (
       SELECT DISTINCT x."id", COALESCE(h ->> 'sourceName', x."sourceName") AS "source", COALESCE(h ->> 'field', x."field") AS "field"
       FROM x CROSS JOIN LATERAL jsonb_array_elements(
         CASE WHEN jsonb_typeof(x."detail" -> 'hits') = 'array' AND jsonb_array_length(x."detail" -> 'hits') > 0 THEN x."detail" -> 'hits' ELSE '[null]'::jsonb END
       ) h
     )
     SELECT g.*, s."kind"::text AS "kind",
       CASE WHEN s."id" IS NULL THEN NULL ELSE COALESCE(p."mode", s."defaultPolicy")::text END AS "policy"
     FROM (
       SELECT pr."source", pr."field", x."rule"::text AS "rule",
         count(*)::int AS "total",
         count(DISTINCT x."caseId")::int AS "cases",
         count(*) FILTER (WHERE x."status" = 'open')::int AS "open",
         count(*) FILTER (WHERE x."status" = 'claimed')::int AS "claimed",
         count(*) FILTER (WHERE x."resolution" = 'approve')::int AS "approve",
         count(*) FILTER (WHERE x."resolution" = 'reject')::int AS "reject",
         count(*) FILTER (WHERE x."resolution" = 'override')::int AS "override",
         count(*) FILTER (WHERE x."resolution" = 'cleared')::int AS "cleared",
         min(x."openedAt") AS "firstOpenedAt",
         max(x."openedAt") AS "lastOpenedAt"
       FROM pairs pr JOIN x ON x."id" = pr."id"
       GROUP BY pr."source", pr."field", x."rule"
     ) g
     LEFT JOIN "Source" s ON s."name" = g."source"
     LEFT JOIN "FieldPolicy" p ON p."sourceId" = s."id" AND p."field" = g."field"
     ORDER BY g."total" DESC, g."lastOpenedAt" DESC, g."source", g."field", g."rule"
     LIMIT $2`,
    since,
    limit,
  );
  const [exceptions, added] = await Promise.all([db.caseException.count({ where: { openedAt: { gte: since } } }), activeAddedFields(db)]);
  return {
    window,
    since,
    exceptions,
    groups: rows.map(({ kind, ...r }) => ({
      ...r,
      canWiden: !!kind && !!r.source && !!r.field && policyFieldsOf({ name: r.source, kind }, added).includes(r.field) && r.policy === "review",
    })),
  };
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
    note: `${input.note} (from the recurring-exceptions report, ${WINDOWS[input.window].label})`,
  });
  if (!result.changed.length) throw new AppError("CONFLICT", `${input.field} of ${input.source} is already auto`);
  return result;
}
