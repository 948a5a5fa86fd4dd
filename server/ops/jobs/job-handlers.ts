import type { JobKind } from "../../db/generated/client";
import type { EngineContext } from "../../refresh/engine-context";
import { performResolutionRefresh, resolutionRefreshOf, resolutionRefreshResult } from "../../exceptions/resolution-refresh";
import { reviewExceptionCases } from "../../exceptions/review-exception-cases";
import { refreshCases } from "../../refresh/refresh-cases";
import { replayAll, replayCase, type ReplayCaseResult } from "../../refresh/replay";
import { casesAffectedBy, casesInWindow, casesWithRecords, type ReferenceScope } from "./affected-cases";
import { replayReport, snapshotCases } from "./replay-report";

export interface JobProgress {
  (done: number, total: number): Promise<void>;
}

export interface JobOutcome {
  result: Record<string, unknown>;
  /** Set when part of the work failed: the job ends failed, with the result of what did run. */
  error?: string;
  /** With error: the work must still be done; the runner tries the job again later (see JobRunner). */
  retry?: boolean;
}

export type JobHandler = (ctx: EngineContext, params: Record<string, unknown>, progress: JobProgress) => Promise<JobOutcome>;

function countBy(values: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

/** Refreshes each case in turn; one case failing does not stop the others, it is reported. */
async function refreshEach(ctx: EngineContext, caseIds: string[], progress: JobProgress): Promise<{ outcomes: Record<string, number>; failures: { caseId: string; error: string }[] }> {
  const { results, failures } = await refreshCases(ctx, caseIds, { onError: "continue", progress });
  return { outcomes: countBy(results.map((r) => r.outcome)), failures };
}

function failureText(failures: { caseId: string }[], total: number): string | undefined {
  if (!failures.length) return undefined;
  return `${failures.length} of ${total} cases could not be refreshed (${failures.slice(0, 5).map((f) => f.caseId).join(", ")}${failures.length > 5 ? ", …" : ""})`;
}

/** Cases with a live SCHEMA_INVALID exception, sorted. */
async function schemaInvalidCases(ctx: EngineContext): Promise<string[]> {
  const rows = await ctx.db.caseException.findMany({ where: { rule: "SCHEMA_INVALID", liveKey: { not: null } }, orderBy: { caseId: "asc" }, select: { caseId: true } });
  return rows.map((r) => r.caseId);
}

/** Every record against the active schema; the report says which cases newly fail it and which stopped failing. */
const schemaPublish: JobHandler = async (ctx, params, progress) => {
  // The job may run in another process than the one that published: read the schema afresh.
  ctx.reference.invalidate();
  const { ref } = await ctx.reference.get();
  const before = new Set(await schemaInvalidCases(ctx));
  const caseIds = await casesWithRecords(ctx.db);
  const { outcomes, failures } = await refreshEach(ctx, caseIds, progress);
  const after = await schemaInvalidCases(ctx);
  const afterSet = new Set(after);
  const opened = after.filter((c) => !before.has(c));
  const cleared = [...before].filter((c) => !afterSet.has(c)).sort();
  return {
    result: {
      schemaVersion: params.version,
      activeSchemaVersion: ref.schema.version,
      cases: caseIds.length,
      outcomes,
      schemaInvalid: after.length,
      schemaInvalidCases: after.slice(0, 20),
      opened: opened.length,
      openedCases: opened.slice(0, 20),
      cleared: cleared.length,
      clearedCases: cleared.slice(0, 20),
      failures: failures.slice(0, 50),
    },
    error: failureText(failures, caseIds.length),
  };
};

const referenceChange: JobHandler = async (ctx, params, progress) => {
  ctx.reference.invalidate();
  const scope = (params.scope ?? {}) as ReferenceScope;
  const caseIds = await casesAffectedBy(ctx.db, scope);
  const { outcomes, failures } = await refreshEach(ctx, caseIds, progress);
  return { result: { cases: caseIds.length, caseIds: caseIds.slice(0, 50), outcomes, failures: failures.slice(0, 50) }, error: failureText(failures, caseIds.length) };
};

const policyChange: JobHandler = async (ctx, params, progress) => {
  ctx.reference.invalidate();
  const source = String(params.source);
  const fields = Array.isArray(params.fields) ? params.fields.map(String) : [];
  const caseIds = await reviewExceptionCases(ctx.db, source, fields);
  const { outcomes, failures } = await refreshEach(ctx, caseIds, progress);
  const stillOpen = new Set(await reviewExceptionCases(ctx.db, source, fields));
  const settled = caseIds.filter((c) => !stillOpen.has(c));
  return {
    result: { source, fields, cases: caseIds.length, settled: settled.length, settledCases: settled.slice(0, 50), outcomes, failures: failures.slice(0, 50) },
    error: failureText(failures, caseIds.length),
  };
};

const replayOne: JobHandler = async (ctx, params, progress) => {
  const caseId = String(params.caseId);
  await progress(0, 1);
  const before = await snapshotCases(ctx.db, [caseId]);
  const r = await replayCase(ctx, caseId, { onProgress: (p) => (p.phase === "cases" ? progress(p.done, p.total) : undefined) });
  return { result: replayReport({ caseId }, r, before, await snapshotCases(ctx.db, [caseId])) };
};

const replayEvery: JobHandler = async (ctx, _params, progress) => {
  const before = await snapshotCases(ctx.db);
  const r = await replayAll(ctx, { onProgress: (p) => (p.phase === "cases" ? progress(p.done, p.total) : undefined) });
  return { result: replayReport({ all: true }, r, before, await snapshotCases(ctx.db)) };
};

/** A window replay is a case replay of every case an event of the window touched. */
const replayWindow: JobHandler = async (ctx, params, progress) => {
  const from = new Date(String(params.from));
  const to = new Date(String(params.to));
  const caseIds = await casesInWindow(ctx.db, from, to);
  await progress(0, caseIds.length);
  const before = await snapshotCases(ctx.db, caseIds);
  const cases: ReplayCaseResult[] = [];
  let entities = 0;
  for (const [i, caseId] of caseIds.entries()) {
    const r = await replayCase(ctx, caseId);
    entities += r.entities;
    cases.push(...r.cases);
    await progress(i + 1, caseIds.length);
  }
  return { result: replayReport({ from: from.toISOString(), to: to.toISOString() }, { entities, cases }, before, await snapshotCases(ctx.db, caseIds)) };
};

/**
 * The refresh a resolution owes (server/exceptions/resolution-refresh.ts), when the request's own
 * refresh failed or its process stopped: performed here with the approval lineage, and tried again
 * while a case still fails, since the resolution already stands.
 */
const exceptionRefresh: JobHandler = async (ctx, params, progress) => {
  const plan = resolutionRefreshOf(params);
  const r = await performResolutionRefresh(ctx, plan, progress);
  return { result: resolutionRefreshResult(plan, r), error: failureText(r.failures, plan.caseIds.length), retry: r.failures.length > 0 };
};

export const JOB_HANDLERS: Record<JobKind, JobHandler> = {
  schema_publish: schemaPublish,
  reference_change: referenceChange,
  policy_change: policyChange,
  exception_refresh: exceptionRefresh,
  replay_case: replayOne,
  replay_all: replayEvery,
  replay_window: replayWindow,
};
