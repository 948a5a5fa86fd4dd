import type { Db, Tx } from "../db/client";
import type { Prisma } from "../db/generated/client";
import type { Actor } from "../lib/audit";
import { newId } from "../lib/ids";
import { OPS_RUNNER } from "../ops/jobs/jobs";
import type { EngineContext } from "../refresh/engine-context";
import type { RefreshOptions } from "../refresh/refresh-case";
import { refreshCases, type RefreshCasesResult } from "../refresh/refresh-cases";

/**
 * The refresh a resolution owes its cases (docs/domain.md, "A resolution's refresh cannot be
 * lost"): which cases, and the approval their new versions' lineage records. It is written in the
 * resolution's own transaction as an exception_refresh job that the request itself holds
 * (status running); the request performs it at once and marks it done. When that refresh fails,
 * the job goes back to the queue, and the job runner (server/ops/jobs/job-runner.ts) performs it,
 * retrying while it fails; when the process stops mid-way, the runner takes the job over once its
 * row has not moved for the runner's stale time.
 */
export interface ResolutionRefresh {
  exceptionId: string;
  caseIds: string[];
  approval?: NonNullable<RefreshOptions["approval"]>;
}

/** Records the owed refresh; call inside the resolution's transaction. Returns the job's id. */
export async function recordResolutionRefresh(tx: Tx | Db, actor: Actor, plan: ResolutionRefresh, resolution: string): Promise<string> {
  const id = newId("job");
  const now = new Date();
  const label = `Refresh ${plan.caseIds.join(", ")} after exception ${plan.exceptionId} was resolved (${resolution})`;
  await tx.job.create({
    data: {
      id,
      kind: "exception_refresh",
      status: "running",
      startedAt: now,
      total: plan.caseIds.length,
      params: { runner: OPS_RUNNER, label, ...plan } as unknown as Prisma.InputJsonValue,
      createdBy: actor.id,
    },
  });
  return id;
}

/** Reads a plan back from a job's params (written by recordResolutionRefresh). */
export function resolutionRefreshOf(params: Record<string, unknown>): ResolutionRefresh {
  const approval = params.approval as ResolutionRefresh["approval"] | undefined;
  return {
    exceptionId: String(params.exceptionId),
    caseIds: Array.isArray(params.caseIds) ? params.caseIds.map(String) : [],
    ...(approval ? { approval: { exceptionId: String(approval.exceptionId), by: String(approval.by), at: String(approval.at) } } : {}),
  };
}

/** Refreshes the plan's cases, each with the approval; a case that fails is reported and the others go on. */
export function performResolutionRefresh(ctx: EngineContext, plan: ResolutionRefresh, progress?: (done: number, total: number) => Promise<void>): Promise<RefreshCasesResult> {
  const options: RefreshOptions = plan.approval ? { approval: plan.approval } : {};
  return refreshCases(ctx, plan.caseIds, { options: () => options, onError: "continue", progress });
}

export function resolutionRefreshResult(plan: ResolutionRefresh, r: RefreshCasesResult): Record<string, unknown> {
  return {
    exceptionId: plan.exceptionId,
    cases: plan.caseIds.length,
    results: r.results.map((x) => ({ caseId: x.caseId, outcome: x.outcome, version: x.version })),
    failures: r.failures.slice(0, 50),
  };
}
