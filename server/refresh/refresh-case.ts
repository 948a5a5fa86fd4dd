import type { Tx } from "../db/client";
import { newId } from "../lib/ids";
import { policyLookup } from "../reference/load-reference";
import { buildCandidate } from "./build-candidate";
import { activeOverrides } from "./active-overrides";
import { computeDelta, sameOverrides } from "./compute-delta";
import { detectConflicts } from "./detect-conflicts";
import { sourceLookup, type EngineContext } from "./engine-context";
import { CASE_INPUTS_SQL, toCaseInputs, type InputRow, type SourceLookup } from "./load-inputs";
import { canonical } from "../../shared/pointer";
import { prepared } from "../db/statement-names";
import { RefreshWrites } from "./refresh-writes";
import { CANDIDATE_EVENTS_SQL, decideOutcomes, outcomesStatement, settleExtra, type CandidateEvent, type DecidedOutcomes, type CaseOutcome } from "./record-outcomes";
import { clearExceptions, syncExceptions, type LiveException } from "../exceptions/sync-exceptions";
import { causesOf, summarise } from "./summarise";
import { appendAfterCommit } from "../feed/append-changes";
import { currentChangeSql } from "../feed/record-change";
import { log } from "../lib/log";
import { metrics } from "../ops/metrics";
import type { Candidate, CaseInputs, DeltaItem, LineageMap, RecordDoc, RuleHit } from "./types";

export type { CaseOutcome } from "./record-outcomes";

export interface RefreshResult {
  caseId: string;
  outcome: CaseOutcome;
  /** The version this refresh made (or promoted); null when none. */
  version: number | null;
  /** Events whose state is in the candidate. */
  eventIds: string[];
}

export interface RefreshOptions {
  /** Events being processed that touch this case: their per-case outcome is recorded. */
  eventIds?: string[];
  triggerEventId?: string;
  approval?: { exceptionId: string; by: string; at: string };
}

const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);

interface StoredVersion {
  id: string;
  version: number;
  record: RecordDoc;
  lineage: LineageMap;
}

/** What a refresh decided: the result, the version (with lineage) its events are counted against, live exceptions after it. */
interface Decision {
  result: RefreshResult;
  refersTo: { version: number; lineage: LineageMap } | null;
  openExceptions: number;
  /** Case columns the decision changes (version counters, summary). */
  caseData?: { lastVersion: number; currentVersion?: number; lastCauses?: string[]; lastSummary?: string };
}

/** Serialises refreshes of one case across every process sharing the database. */
export async function lockCase(tx: Tx, caseId: string): Promise<void> {
  await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, `case:${caseId}`);
}

/**
 * lockCase, then the Case row is created if missing, in one round trip. It also sets
 * plan_cache_mode for the rest of the transaction: every statement of a refresh is a look-up or
 * write by the case's keys, whose generic plan is the custom one, but PostgreSQL keeps planning the
 * case-inputs read anew (its generic estimate looks dearer), and planning it costs more than running
 * it. With prepared statements (server/db/statement-names.ts) a generic plan is made once per
 * connection. (server/db/hot-statements.test.ts checks the generic plans too.)
 */
const LOCK_AND_ENSURE_SQL = prepared(
  `WITH lock AS (SELECT pg_advisory_xact_lock(hashtextextended($1, 0)), set_config('plan_cache_mode', 'force_generic_plan', true))
   INSERT INTO "Case" ("id", "updatedAt") SELECT $2, now() FROM lock ON CONFLICT ("id") DO NOTHING`,
);

async function lockAndEnsureCase(tx: Tx, caseId: string): Promise<void> {
  await tx.$executeRawUnsafe(LOCK_AND_ENSURE_SQL, `case:${caseId}`, caseId);
}

interface CaseContext {
  current: StoredVersion | null;
  /** The newest held candidate (there is at most one: a newer one supersedes it). */
  held: StoredVersion | null;
  lastVersion: number;
  openExceptionCount: number;
  overrides: { id: string; path: string; value: unknown; basisEntityId: string | null; basisVersion: number | null; exceptionId: string; createdAt: string }[];
  approvals: { rule: string; fingerprint: string; exceptionId: string }[];
  live: LiveException[];
}

/**
 * The case's bookkeeping a refresh needs, in one query: counters, active overrides, approvals, live
 * exceptions, the current and held versions. Records and lineage come back as JSON text and are
 * parsed once here: handed over as objects, every leaf would be walked by the client layer.
 */
const CASE_CONTEXT_SQL = prepared(
  `WITH inputs AS (${CASE_INPUTS_SQL})
     SELECT c."lastVersion" AS "lastVersion", c."openExceptionCount" AS "openExceptionCount",
       COALESCE((SELECT json_agg(json_build_object('id', o."id", 'path', o."path", 'value', o."value", 'basisEntityId', o."basisEntityId",
           'basisVersion', o."basisVersion", 'exceptionId', o."exceptionId", 'createdAt', to_char(o."createdAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')) ORDER BY o."createdAt", o."id")
         FROM "FieldOverride" o WHERE o."caseId" = c."id" AND o."active"), '[]') AS "overrides",
       COALESCE((SELECT json_agg(json_build_object('rule', a."rule", 'fingerprint', a."fingerprint", 'exceptionId', a."exceptionId"))
         FROM "ApprovedConflict" a WHERE a."caseId" = c."id"), '[]') AS "approvals",
       COALESCE((SELECT json_agg(json_build_object('id', x."id", 'rule', x."rule"))
         FROM "CaseException" x WHERE x."caseId" = c."id" AND x."liveKey" IS NOT NULL), '[]') AS "live",
       (SELECT json_build_object('id', v."id", 'version', v."version", 'record', v."record", 'lineage', v."lineage")::text
         FROM "RecordVersion" v WHERE v."caseId" = c."id" AND v."isCurrent") AS "current",
       (SELECT json_build_object('id', v."id", 'version', v."version", 'record', v."record", 'lineage', v."lineage")::text
         FROM "RecordVersion" v WHERE v."caseId" = c."id" AND v."status" = 'held' ORDER BY v."version" DESC LIMIT 1) AS "held",
       (SELECT COALESCE(json_agg(i), '[]')::text FROM inputs i) AS "inputs",
       (${CANDIDATE_EVENTS_SQL}) AS "events"
     FROM "Case" c WHERE c."id" = $1`,
);

async function loadCaseContext(
  tx: Tx,
  caseId: string,
  eventIds: string[],
  sources: SourceLookup,
): Promise<CaseContext & { inputs: CaseInputs; events: CandidateEvent[] }> {
  const rows = await tx.$queryRawUnsafe<(CaseContext & { inputs: string; events: string })[]>(CASE_CONTEXT_SQL, caseId, eventIds);
  const row = rows[0]!;
  const parse = <T>(v: unknown): T => (typeof v === "string" ? JSON.parse(v) : v) as T;
  return {
    current: parse(row.current) ?? null,
    held: parse(row.held) ?? null,
    lastVersion: Number(row.lastVersion),
    openExceptionCount: Number(row.openExceptionCount),
    overrides: parse(row.overrides),
    approvals: parse(row.approvals),
    live: parse(row.live),
    inputs: toCaseInputs(caseId, parse<InputRow[]>(row.inputs), sources),
    events: parse<CandidateEvent[]>(row.events),
  };
}

/**
 * Re-materialises one case from the accepted state of its sources: a new current version, a held
 * candidate with exceptions, or nothing when nothing changed.
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
  return ctx.db.$transaction(
    async (tx) => {
      await lockAndEnsureCase(tx, caseId);
      const eventIds = opts.eventIds ?? [];
      const context = await loadCaseContext(tx, caseId, eventIds, sources);
      const { inputs } = context;
      const { current, held } = context;
      const overrides = await activeOverrides(tx, caseId, inputs, context, ref);

      const candidate = buildCandidate(inputs, ref, overrides);
      if (!candidate) {
        const decided = decideOutcomes(sources, { caseId, outcome: "waiting", version: null, lineage: null, eventIds, folded: [] }, context.events);
        await finishRefresh(tx, new RefreshWrites(), caseId, null, decided);
        return { result: { caseId, outcome: "waiting" as const, version: null, eventIds: [] }, madeCurrent: [], rules: [] };
      }
      const delta = computeDelta(current, candidate, { sourceKinds });
      const approved = new Set(context.approvals.map((a) => `${a.rule}|${a.fingerprint}`));
      const hits = detectConflicts({ inputs, candidate, previous: current, delta, ref, policyOf: policyLookup(policies) }).filter(
        (h) => !approved.has(`${h.rule}|${h.fingerprint}`),
      );
      const writes = new RefreshWrites();
      const step: Step = { tx, writes, caseId, lastVersion: context.lastVersion, live: context.live, current, held, candidate, delta, hits, schemaVersion: ref.schema.version, opts };
      const decision =
        current && same(candidate.record, current.record) && sameOverrides(candidate.lineage, current.lineage)
          ? await keepCurrent(step, current)
          : hits.length
            ? await holdCandidate(step)
            : await makeCurrent(step);

      const decided = decideOutcomes(
        sources,
        {
          caseId,
          outcome: decision.result.outcome,
          version: decision.refersTo?.version ?? null,
          lineage: decision.refersTo?.lineage ?? null,
          eventIds,
          folded: [...candidate.entities.values()].map((e) => ({ sourceId: e.sourceId, entityId: e.entityId, eventId: e.eventId })),
        },
        context.events,
      );
      await finishRefresh(tx, writes, caseId, caseColumns(candidate.record, decision, context.openExceptionCount), decided);
      const applied = new Set(decision.result.outcome === "applied" ? decided.rows.filter((r) => r.outcome === "applied" && r.version === decision.result.version).map((r) => r.id) : []);
      const madeCurrent = context.events.filter((e) => applied.has(e.id)).map((e) => e.receivedAt);
      return { result: decision.result, madeCurrent, rules: [...new Set(hits.map((h) => h.rule))] };
    },
    { timeout: 60_000, maxWait: 30_000 },
  );
}

interface Step {
  tx: Tx;
  /** Writes sent together by finishRefresh. */
  writes: RefreshWrites;
  caseId: string;
  lastVersion: number;
  live: LiveException[];
  current: StoredVersion | null;
  held: StoredVersion | null;
  candidate: Candidate;
  delta: DeltaItem[];
  hits: RuleHit[];
  schemaVersion: number;
  opts: RefreshOptions;
}

/** The candidate is the current record: nothing new to store; exceptions follow the rules' verdict. */
async function keepCurrent(s: Step, current: StoredVersion): Promise<Decision> {
  const { tx, caseId, candidate } = s;
  // The newest candidate is the current record, so no older held candidate stays under review.
  if (s.held) await tx.recordVersion.updateMany({ where: { caseId, status: "held" }, data: { status: "superseded" } });
  const openExceptions = s.hits.length
    ? await syncExceptions(tx, caseId, s.live, s.hits, current.version)
    : await clearExceptions(tx, s.live, "The sources no longer conflict with the current record.");
  const outcome = s.hits.length ? ("held" as const) : ("no_change" as const);
  return { result: { caseId, outcome, version: null, eventIds: candidate.eventIds }, refersTo: current, openExceptions };
}

/** A rule fired: the candidate is stored (or kept) as held and the current version stays current. */
async function holdCandidate(s: Step): Promise<Decision> {
  const { tx, caseId, candidate, held } = s;
  if (held && same(candidate.record, held.record)) {
    const openExceptions = await syncExceptions(tx, caseId, s.live, s.hits, held.version);
    return { result: { caseId, outcome: "held", version: null, eventIds: candidate.eventIds }, refersTo: held, openExceptions };
  }
  const version = s.lastVersion + 1;
  if (held) await tx.recordVersion.updateMany({ where: { caseId, status: "held" }, data: { status: "superseded" } });
  insertVersion(s, version, "held", null);
  const openExceptions = await syncExceptions(tx, caseId, s.live, s.hits, version);
  return {
    result: { caseId, outcome: "held", version, eventIds: candidate.eventIds },
    refersTo: { version, lineage: candidate.lineage },
    openExceptions,
    caseData: { lastVersion: version },
  };
}

/** No rule fired: the candidate becomes the one current version (a held twin is promoted, not copied). */
async function makeCurrent(s: Step): Promise<Decision> {
  const { tx, writes, caseId, candidate, current, held, delta, opts } = s;
  const { p } = writes;
  // The old current version stops being current before the new one becomes it (RefreshWrites.after).
  const superseded = current
    ? writes.add(`UPDATE "RecordVersion" SET "status" = 'superseded', "isCurrent" = NULL, "updatedAt" = now() WHERE "id" = ${p.add(current.id)} RETURNING 1`)
    : null;
  const promote = held && same(candidate.record, held.record) && sameOverrides(candidate.lineage, held.lineage) ? held : null;
  const version = promote ? promote.version : s.lastVersion + 1;
  const lineage = { ...candidate.lineage };
  const summary = summarise({ caseId, version, first: !current, delta, hits: [], approvedBy: opts.approval?.by, records: { after: candidate.record, before: current?.record } });
  if (promote) {
    // Lineage records who approved the fields this version changed.
    if (opts.approval) for (const d of delta) if (lineage[d.path]) lineage[d.path] = { ...lineage[d.path]!, approval: opts.approval };
    writes.add(
      `UPDATE "RecordVersion" SET "status" = 'current', "isCurrent" = true, "lineage" = ${p.add(JSON.stringify(lineage))}::jsonb, "summary" = ${p.add(summary)}, "updatedAt" = now()
       ${superseded ? `FROM ${RefreshWrites.after(superseded)} ` : ""}WHERE "id" = ${p.add(promote.id)}`,
    );
  }
  if (held) await tx.recordVersion.updateMany({ where: { caseId, status: "held", version: { not: version } }, data: { status: "superseded" } });
  if (!promote) insertVersion(s, version, "current", superseded);
  // The feed carries the summary the version stores (insertVersion's own when it is a new row).
  const stored = promote ? summary : summarise({ caseId, version, first: !current, delta, hits: [] });
  writes.add(currentChangeSql(p, { caseId, version, previousVersion: current?.version ?? null, causes: causesOf(delta), summary: stored }));
  const openExceptions = await clearExceptions(tx, s.live, "The refreshed record no longer conflicts; it became current.");
  return {
    result: { caseId, outcome: "applied", version, eventIds: candidate.eventIds },
    refersTo: { version, lineage },
    openExceptions,
    caseData: { lastVersion: Math.max(version, s.lastVersion), currentVersion: version, lastCauses: causesOf(delta), lastSummary: summary },
  };
}

/**
 * The version and its delta entries in one statement, stamped with the moment of writing (not the
 * transaction's start, which may precede the arrival of events it folds in). Documents travel as JSON text cast to jsonb
 * in the database (a record with its lineage has hundreds of leaves; as query arguments they would
 * be walked and copied leaf by leaf).
 */
function insertVersion(s: Step, version: number, status: "current" | "held", after: string | null): void {
  const { writes, caseId, candidate, delta, opts } = s;
  const { p } = writes;
  const id = newId("ver");
  const text = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
  const summary = summarise({ caseId, version, first: !s.current, delta, hits: status === "held" ? s.hits : [], records: { after: candidate.record, before: s.current?.record } });
  const v = writes.add(
    `INSERT INTO "RecordVersion" ("id", "caseId", "version", "status", "isCurrent", "record", "lineage", "summary", "causes",
       "basedOnVersion", "schemaVersion", "triggerEventId", "createdAt", "updatedAt")
     SELECT ${p.add(id)}, ${p.add(caseId)}, ${p.add(version)}::int, ${p.add(status)}::"VersionStatus", ${p.add(status === "current" ? true : null)}::boolean,
       ${p.add(JSON.stringify(candidate.record))}::jsonb, ${p.add(JSON.stringify(candidate.lineage))}::jsonb, ${p.add(summary)}, ${p.add(causesOf(delta))}::text[]::"DeltaCause"[],
       ${p.add(s.current?.version ?? null)}::int, ${p.add(s.schemaVersion)}::int, ${p.add(opts.triggerEventId ?? opts.eventIds?.[0] ?? null)}::text, clock_timestamp(), now()
     ${after ? `FROM ${RefreshWrites.after(after)}` : ""}
     RETURNING "id"`,
  );
  if (!delta.length) return;
  writes.add(
    `INSERT INTO "DeltaEntry" ("id", "versionId", "caseId", "path", "before", "after", "cause", "lineage")
     SELECT d.id, ${v}."id", ${p.add(caseId)}, d.path, d.before::jsonb, d.after::jsonb, d.cause::"DeltaCause", d.lineage::jsonb
     FROM ${v}, unnest(${p.add(delta.map(() => newId("dlt")))}::text[], ${p.add(delta.map((d) => d.path))}::text[], ${p.add(delta.map((d) => text(d.before)))}::text[],
       ${p.add(delta.map((d) => text(d.after)))}::text[], ${p.add(delta.map((d) => d.cause))}::text[], ${p.add(delta.map((d) => JSON.stringify(d.lineage)))}::text[]) AS d(id, path, before, after, cause, lineage)`,
  );
}

interface CaseColumns {
  values: Record<string, unknown>;
  /** The record became current: the list columns follow it and lastRefreshedAt moves. */
  becameCurrent: boolean;
}

/** The list columns of the case follow its current record; the exception count follows every refresh. Null: nothing changes. */
function caseColumns(record: RecordDoc, decision: Decision, openBefore: number): CaseColumns | null {
  if (!decision.caseData && decision.openExceptions === openBefore) return null;
  const columns: Record<string, unknown> = { ...decision.caseData, openExceptionCount: decision.openExceptions };
  const becameCurrent = decision.result.outcome === "applied";
  if (becameCurrent) {
    const c = record.case as Record<string, string | undefined>;
    const e = record.entitlement as Record<string, string | undefined> | undefined;
    Object.assign(columns, {
      accountId: c.accountId ?? null,
      customerName: c.customerName ?? null,
      subject: c.subject ?? null,
      severity: c.severity ?? null,
      status: c.status ?? null,
      productCode: c.product ?? null,
      tier: e?.tier ?? null,
    });
  }
  return { values: columns, becameCurrent };
}

/**
 * The refresh's writes in one statement: those the decision gathered, the case's columns and the
 * per-case outcome of every event it decided; then the statuses of events that waited or were held
 * elsewhere follow (they read the outcomes just written, so they cannot be part of it).
 */
async function finishRefresh(tx: Tx, writes: RefreshWrites, caseId: string, columns: CaseColumns | null, decided: DecidedOutcomes): Promise<void> {
  const { p } = writes;
  if (columns) {
    const set = Object.entries(columns.values).map(([k, v]) => `"${k}" = ${p.add(v)}${k === "lastCauses" ? '::text[]::"DeltaCause"[]' : ""}`);
    const refreshed = columns.becameCurrent ? `, "lastRefreshedAt" = now()` : "";
    writes.add(`UPDATE "Case" SET ${set.join(", ")}${refreshed}, "updatedAt" = now() WHERE "id" = ${p.add(caseId)}`);
  }
  if (decided.rows.length) writes.add(outcomesStatement(p, caseId, decided));
  await writes.flush(tx);
  await settleExtra(tx, decided);
}
