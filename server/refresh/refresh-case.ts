import type { Tx } from "../db/client";
import { bindTransaction, directTransaction } from "../db/tx-connection";
import { appendAfterCommit } from "../feed/append-changes";
import { log } from "../lib/log";
import { metrics } from "../ops/metrics";
import { policyLookup } from "../reference/load-reference";
import { activeOverrides } from "./active-overrides";
import { buildCandidate } from "./build-candidate";
import { computeDelta } from "./compute-delta";
import { detectConflicts } from "./detect-conflicts";
import { sourceLookup, type EngineContext } from "./engine-context";
import { loadCase } from "./load-case";
import { settleOutcomes } from "./record-outcomes";
import { caseLockKey, lockCase as lockCaseSql } from "./sql/lock-case";
import { lockAndEnsureCase } from "./sql/lock-and-ensure-case";
import { RefreshWrites } from "./sql/refresh-writes";
import { writeVersion, type RefreshOptions, type RefreshResult } from "./write-version";

export type { CaseOutcome } from "./record-outcomes";
export type { RefreshOptions, RefreshResult } from "./write-version";

/**
 * The refresh of one case (docs/architecture.md, "The refresh pipeline"): one transaction that
 * re-materialises the case from the accepted state of its sources, as a pipeline of named steps —
 *
 *   lock → load → overrides → build candidate → delta → rules → write → settle
 *
 * each a call into its own module; the SQL they run lives in ./sql/, one module per statement.
 * The result is a new current version, a held candidate with exceptions, or nothing when nothing
 * changed.
 */
export async function refreshCase(ctx: EngineContext, caseId: string, opts: RefreshOptions = {}): Promise<RefreshResult> {
  const started = performance.now();
  let run: Awaited<ReturnType<typeof refreshInTransaction>>;
  try {
    run = await refreshInTransaction(ctx, caseId, opts);
  } catch (err) {
    metrics.refreshDuration.observe({ outcome: "error" }, (performance.now() - started) / 1000);
    throw err;
  }
  const committedAt = Date.now();
  // Committed: the change gets its feed position now and long-polls here wake. Not awaited: the
  // refresh is done, and a reader appends whatever is still pending before it reads.
  if (run.result.outcome === "applied") void appendAfterCommit(ctx.db);
  const seconds = (performance.now() - started) / 1000;
  metrics.refreshDuration.observe({ outcome: run.result.outcome }, seconds);
  // Follows an event from its "webhook stored" line (eventIds) to the exceptions it opened (rules).
  log.info(
    { caseId, eventIds: opts.eventIds ?? [], outcome: run.result.outcome, version: run.result.version, rules: run.rules, approvedException: opts.approval?.exceptionId, ms: Math.round(seconds * 1e4) / 10 },
    "case refreshed",
  );
  for (const at of run.madeCurrent) metrics.eventToCurrent.observe(Math.max(0, committedAt - Date.parse(at)) / 1000);
  return run.result;
}

/**
 * The refresh's one transaction. madeCurrent: receipt times of the events its new current version
 * made current; rules: those of the exceptions the candidate is held behind.
 */
async function refreshInTransaction(ctx: EngineContext, caseId: string, opts: RefreshOptions): Promise<{ result: RefreshResult; madeCurrent: string[]; rules: string[] }> {
  const sources = await sourceLookup(ctx);
  const { ref, policies } = await ctx.reference.get();
  const sourceKinds = new Map([...sources.byId.values()].map((s) => [s.name, s.kind]));
  const eventIds = opts.eventIds ?? [];
  // The refresh's statements run on the transaction's connection straight through pg (server/db/tx-connection.ts).
  return directTransaction(() =>
    ctx.db.$transaction(
      async (tx) => {
        bindTransaction(tx);
        // lock: the case's advisory lock; the Case row is made if missing (sql/lock-and-ensure-case.ts)
        await lockAndEnsureCase(tx, [caseLockKey(caseId), caseId]);
        // load: everything the refresh reads, in one statement (load-case.ts)
        const loaded = await loadCase(tx, caseId, eventIds, sources);
        const { inputs, current, held } = loaded;
        // overrides: each holds or lapses (active-overrides.ts)
        const overrides = await activeOverrides(tx, caseId, inputs, loaded, ref);
        // build: the candidate record and its lineage (build-candidate.ts); none without a ticket
        const candidate = buildCandidate(inputs, ref, overrides);
        const writes = new RefreshWrites();
        if (!candidate) {
          // settle: the events wait for the case's ticket (record-outcomes.ts)
          await settleOutcomes(tx, writes, sources, { caseId, outcome: "waiting", version: null, lineage: null, eventIds, folded: [] }, loaded.events);
          return { result: { caseId, outcome: "waiting" as const, version: null, eventIds: [] }, madeCurrent: [], rules: [] };
        }
        // delta: what changed against the current version (compute-delta.ts)
        const delta = computeDelta(current, candidate, { sourceKinds });
        // rules: conflicts, less those a specialist accepted (detect-conflicts.ts)
        const approved = new Set(loaded.approvals.map((a) => `${a.rule}|${a.fingerprint}`));
        const hits = detectConflicts({ inputs, candidate, previous: current, delta, ref, policyOf: policyLookup(policies) }).filter(
          (h) => !approved.has(`${h.rule}|${h.fingerprint}`),
        );
        // write: keep current | hold | make current; exceptions; version writes gathered (write-version.ts)
        const decision = await writeVersion({
          tx,
          writes,
          caseId,
          lastVersion: loaded.lastVersion,
          openExceptionCount: loaded.openExceptionCount,
          live: loaded.live,
          current,
          held,
          candidate,
          delta,
          hits,
          schemaVersion: ref.schema.version,
          opts,
        });
        // settle: per-event outcomes, all writes in one statement, then other events' statuses (record-outcomes.ts)
        const decided = await settleOutcomes(
          tx,
          writes,
          sources,
          {
            caseId,
            outcome: decision.result.outcome,
            version: decision.refersTo?.version ?? null,
            lineage: decision.refersTo?.lineage ?? null,
            eventIds,
            folded: [...candidate.entities.values()].map((e) => ({ sourceId: e.sourceId, entityId: e.entityId, eventId: e.eventId })),
          },
          loaded.events,
        );
        const applied = new Set(decision.result.outcome === "applied" ? decided.rows.filter((r) => r.outcome === "applied" && r.version === decision.result.version).map((r) => r.id) : []);
        const madeCurrent = loaded.events.filter((e) => applied.has(e.id)).map((e) => e.receivedAt);
        return { result: decision.result, madeCurrent, rules: [...new Set(hits.map((h) => h.rule))] };
      },
      { timeout: 60_000, maxWait: 30_000 },
    ),
  );
}

/** Serialises refreshes of one case across every process sharing the database (resolving an exception takes it too). */
export async function lockCase(tx: Tx, caseId: string): Promise<void> {
  await lockCaseSql(tx, [caseLockKey(caseId)]);
}
