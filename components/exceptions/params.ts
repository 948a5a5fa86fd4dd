import type { ExceptionQueueInput } from "@/server/exceptions/list-queue";
import { cursorFromParams } from "../ui/cursor-params";

export type ExceptionQuery = Partial<Omit<ExceptionQueueInput, "pageSize">>;

interface ParamGetter {
  get(name: string): string | null;
}

const RULES = ["SEVERITY_CONFLICT", "ENTITLEMENT_INCONSISTENT", "DIAGNOSTIC_CORRUPTED", "UNAPPROVED_EVIDENCE", "CASE_BOUNDARY_CONFLICT", "SCHEMA_INVALID", "REVIEW_REQUIRED", "PROCESSING_FAILED"] as const;

/** /exceptions?status=claimed&rule=SEVERITY_CONFLICT&source=incident&case=CASE-1&mine=1, plus after=<cursor>&page=2 when paged; `me` is the signed-in user's id. */
export function exceptionQueryFromParams(sp: ParamGetter, me: string | null): ExceptionQuery {
  const out: ExceptionQuery = {};
  const status = sp.get("status");
  out.status = status === "claimed" || status === "resolved" ? status : "open";
  const rule = sp.get("rule");
  if (rule && (RULES as readonly string[]).includes(rule)) out.rule = rule as (typeof RULES)[number];
  const source = sp.get("source")?.trim();
  if (source) out.source = source.slice(0, 100);
  const caseId = sp.get("case")?.trim();
  if (caseId) out.caseId = caseId.slice(0, 200);
  if (sp.get("mine") === "1" && me && out.status !== "open") out.claimedById = me;
  Object.assign(out, cursorFromParams(sp));
  return out;
}
