import type { Tx } from "../db/client";
import { log } from "../lib/log";
import type { EngineContext } from "./engine-context";
import { rebuildIncidentLinks, recomputeEntityState } from "./entity-state";
import { canonical, escapeToken } from "../../shared/pointer";
import type { CaseOutcome } from "./refresh-case";
import { refreshCases } from "./refresh-cases";
import type { Json } from "./types";

export interface ReplayProgress {
  phase: "entities" | "cases";
  done: number;
  total: number;
  caseId?: string;
}

export interface PathDifference {
  path: string;
  before: Json | null;
  after: Json | null;
}

export interface ReplayCaseResult {
  caseId: string;
  /** The re-materialised current record and held candidate equal what the case had before the replay. */
  matched: boolean;
  outcome: CaseOutcome;
  /** The version the replay made, when the record differed. */
  version: number | null;
  /** Paths of the current record that differ. */
  differences: PathDifference[];
  /** Paths of the held candidate (the change an open exception holds back) that differ. */
  heldDifferences: PathDifference[];
}

export interface ReplayResult {
  entities: number;
  cases: ReplayCaseResult[];
  matched: string[];
  differed: string[];
}

export interface ReplayOptions {
  onProgress?: (p: ReplayProgress) => void | Promise<void>;
}

/** Every leaf path whose value differs between two records (JSON Pointer, list items by index). */
export function diffPaths(before: Json | undefined, after: Json | undefined, path = ""): PathDifference[] {
  if (canonical(before) === canonical(after)) return [];
  const isContainer = (v: Json | undefined): v is { [k: string]: Json } | Json[] => v !== null && typeof v === "object";
  if (isContainer(before) && isContainer(after) && Array.isArray(before) === Array.isArray(after)) {
    const b = before as Record<string, Json>;
    const a = after as Record<string, Json>;
    const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort((x, y) => x.localeCompare(y, "en", { numeric: true }));
    return keys.flatMap((k) => diffPaths(b[k], a[k], `${path}/${escapeToken(k)}`));
  }
  return [{ path: path || "/", before: before ?? null, after: after ?? null }];
}

/** The case's current record and its newest held candidate, as stored. */
async function materialised(tx: Pick<Tx, "recordVersion">, caseId: string): Promise<{ current: Json | undefined; held: Json | undefined }> {
  const [current, held] = await Promise.all([
    tx.recordVersion.findFirst({ where: { caseId, isCurrent: true }, select: { record: true } }),
    tx.recordVersion.findFirst({ where: { caseId, status: "held" }, orderBy: { version: "desc" }, select: { record: true } }),
  ]);
  return { current: (current?.record as Json | undefined) ?? undefined, held: (held?.record as Json | undefined) ?? undefined };
}

async function replayCases(ctx: EngineContext, caseIds: string[], entities: number, opts: ReplayOptions): Promise<ReplayResult> {
  const cases: ReplayCaseResult[] = [];
  let before: Awaited<ReturnType<typeof materialised>> = { current: undefined, held: undefined };
  await refreshCases(ctx, caseIds, {
    before: async (caseId) => {
      before = await materialised(ctx.db, caseId);
    },
    after: async (caseId, r) => {
      const after = await materialised(ctx.db, caseId);
      const differences = diffPaths(before.current, after.current);
      const heldDifferences = diffPaths(before.held, after.held);
      const matched = !differences.length && !heldDifferences.length;
      cases.push({ caseId, matched, outcome: r.outcome, version: r.version, differences, heldDifferences });
    },
    progress: async (done, total) => {
      if (done) await opts.onProgress?.({ phase: "cases", done, total, caseId: caseIds[done - 1]! });
    },
  });
  const result = {
    entities,
    cases,
    matched: cases.filter((c) => c.matched).map((c) => c.caseId),
    differed: cases.filter((c) => !c.matched).map((c) => c.caseId),
  };
  log.info({ cases: cases.length, differed: result.differed.length, entities }, "replay finished");
  return result;
}

/**
 * Re-materialises one case from stored events: the entities that feed it are derived again from the
 * event log (stale and quarantined events honoured), then the case refreshes. Other cases of those
 * entities are left for their own refresh or a full replay.
 */
export async function replayCase(ctx: EngineContext, caseId: string, opts: ReplayOptions = {}): Promise<ReplayResult> {
  const entities = await recomputeEntityState(ctx.db, { caseId });
  await rebuildIncidentLinks(ctx.db, caseId);
  await opts.onProgress?.({ phase: "entities", done: 1, total: 1 });
  return replayCases(ctx, [caseId], entities, opts);
}

/** Re-materialises every case: every entity from the event log, then every case any event names. */
export async function replayAll(ctx: EngineContext, opts: ReplayOptions = {}): Promise<ReplayResult> {
  const entities = await recomputeEntityState(ctx.db, { all: true });
  await rebuildIncidentLinks(ctx.db);
  await opts.onProgress?.({ phase: "entities", done: 1, total: 1 });
  const rows = await ctx.db.$queryRawUnsafe<{ id: string }[]>(
    `SELECT "id" FROM "Case"
     UNION SELECT "caseId" FROM "WebhookEvent" WHERE "caseId" <> '*' AND "status" <> 'stale'
     UNION SELECT "caseId" FROM "EntityCaseLink"
     ORDER BY 1`,
  );
  return replayCases(ctx, rows.map((r) => r.id), entities, opts);
}
