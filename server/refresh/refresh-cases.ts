import type { EngineContext } from "./engine-context";
import { refreshCase, type RefreshOptions, type RefreshResult } from "./refresh-case";

export interface RefreshCasesOptions {
  /** Options of each case's refresh (an approval names the exception it settles, for instance). */
  options?: (caseId: string) => RefreshOptions;
  /** Runs before a case's refresh (replay reads the record it will compare with). */
  before?: (caseId: string) => Promise<void>;
  /** Runs after each case refreshed (replay compares the record with what it read before). */
  after?: (caseId: string, result: RefreshResult) => Promise<void>;
  /** How many of how many cases are done, failed ones included; called once with 0 before the first. */
  progress?: (done: number, total: number) => Promise<void>;
  /** "continue": a case that fails is reported in `failures` and the others go on; "stop" (default): the first failure throws. */
  onError?: "stop" | "continue";
}

export interface RefreshCasesResult {
  results: RefreshResult[];
  failures: { caseId: string; error: string }[];
}

/**
 * Re-materialises a list of cases, one transaction each, in the given order: the one loop behind
 * replay, governance and reference edits, schema publication and exception resolution
 * (docs/domain.md, "Governance edits re-evaluate"; docs/architecture.md, "Refresh").
 */
export async function refreshCases(ctx: EngineContext, caseIds: readonly string[], opts: RefreshCasesOptions = {}): Promise<RefreshCasesResult> {
  const results: RefreshResult[] = [];
  const failures: RefreshCasesResult["failures"] = [];
  await opts.progress?.(0, caseIds.length);
  for (const [i, caseId] of caseIds.entries()) {
    await opts.before?.(caseId);
    try {
      const result = await refreshCase(ctx, caseId, opts.options?.(caseId) ?? {});
      results.push(result);
      await opts.after?.(caseId, result);
    } catch (err) {
      if (opts.onError !== "continue") throw err;
      failures.push({ caseId, error: (err as Error).message.slice(0, 500) });
    }
    await opts.progress?.(i + 1, caseIds.length);
  }
  return { results, failures };
}
