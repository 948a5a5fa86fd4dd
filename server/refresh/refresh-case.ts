import type { Tx } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { newId } from "../lib/ids";
import { policyLookup } from "../reference/load-reference";
import { buildCandidate } from "./build-candidate";
import { computeDelta } from "./compute-delta";
import { detectConflicts } from "./detect-conflicts";
import { sourceLookup, type EngineContext } from "./engine-context";
import { loadCaseInputs } from "./load-inputs";
import { canonical } from "./pointer";
import { causesOf, summarise } from "./summarise";
import type { Candidate, DeltaItem, LineageMap, OverrideSpec, RecordDoc, Rule, RuleHit } from "./types";

export type CaseOutcome = "applied" | "held" | "no_change" | "waiting";

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

const json = (v: unknown) => v as Prisma.InputJsonValue;

/** Serialises refreshes of one case across every process sharing the database. */
export async function lockCase(tx: Tx, caseId: string): Promise<void> {
  await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, `case:${caseId}`);
}

/**
 * Re-materialises one case from the accepted state of its sources: a new current version, a held
 * candidate with exceptions, or nothing when nothing changed.
 */
export async function refreshCase(ctx: EngineContext, caseId: string, opts: RefreshOptions = {}): Promise<RefreshResult> {
  const sources = await sourceLookup(ctx);
  const { ref, policies } = await ctx.reference.get();
  const sourceKinds = new Map([...sources.byId.values()].map((s) => [s.name, s.kind]));
  return ctx.db.$transaction(
    async (tx) => {
      await lockCase(tx, caseId);
      await tx.$executeRawUnsafe(`INSERT INTO "Case" ("id", "updatedAt") VALUES ($1, now()) ON CONFLICT ("id") DO NOTHING`, caseId);
      const [caseRow, current, held, overrideRows, approvals, inputs] = await Promise.all([
        tx.case.findUniqueOrThrow({ where: { id: caseId }, select: { lastVersion: true } }),
        tx.recordVersion.findFirst({ where: { caseId, isCurrent: true }, select: { id: true, version: true, record: true, lineage: true } }),
        tx.recordVersion.findFirst({ where: { caseId, status: "held" }, orderBy: { version: "desc" }, select: { id: true, version: true, record: true, lineage: true } }),
        tx.fieldOverride.findMany({ where: { caseId, active: true }, orderBy: { createdAt: "asc" } }),
        tx.approvedConflict.findMany({ where: { caseId }, select: { rule: true, fingerprint: true } }),
        loadCaseInputs(tx, caseId, sources),
      ]);

      const versionOfRow = new Map<string, number>();
      for (const s of [...inputs.tickets, ...inputs.bundles, ...inputs.incidents, inputs.entitlement, inputs.environment]) {
        if (s) versionOfRow.set(s.rowId, s.version);
      }
      const overrides: OverrideSpec[] = [];
      for (const o of overrideRows) {
        const now = o.basisEntityId ? versionOfRow.get(o.basisEntityId) : undefined;
        if (o.basisEntityId && o.basisVersion !== null && now !== undefined && now > o.basisVersion) {
          // The source has said something newer since the specialist's override: it lapses.
          await tx.fieldOverride.update({ where: { id: o.id }, data: { active: false } });
          continue;
        }
        overrides.push({ id: o.id, path: o.path, value: o.value, exceptionId: o.exceptionId, createdAt: o.createdAt.toISOString() });
      }

      const candidate = buildCandidate(inputs, ref, overrides);
      if (!candidate) {
        await recordEventOutcomes(tx, caseId, opts.eventIds ?? [], "waiting", null);
        return { caseId, outcome: "waiting" as const, version: null, eventIds: [] };
      }
      const prev = current ? { record: current.record as RecordDoc, lineage: current.lineage as unknown as LineageMap } : null;
      const delta = computeDelta(prev, candidate, { sourceKinds });
      const approved = new Set(approvals.map((a) => `${a.rule}|${a.fingerprint}`));
      const hits = detectConflicts({ inputs, candidate, previous: prev, delta, ref, policyOf: policyLookup(policies) }).filter(
        (h) => !approved.has(`${h.rule}|${h.fingerprint}`),
      );
      const same = (a: unknown, b: unknown) => canonical(a) === canonical(b);
      let result: RefreshResult;

      if (current && same(candidate.record, prev!.record)) {
        if (hits.length) {
          await syncExceptions(tx, caseId, hits, current.version);
          result = { caseId, outcome: "held", version: null, eventIds: candidate.eventIds };
        } else {
          await clearExceptions(tx, caseId, "The sources no longer conflict with the current record.");
          await tx.recordVersion.updateMany({ where: { caseId, status: "held" }, data: { status: "superseded" } });
          result = { caseId, outcome: "no_change", version: null, eventIds: candidate.eventIds };
        }
      } else if (hits.length) {
        if (held && same(candidate.record, held.record)) {
          await syncExceptions(tx, caseId, hits, held.version);
          result = { caseId, outcome: "held", version: null, eventIds: candidate.eventIds };
        } else {
          const version = caseRow.lastVersion + 1;
          await tx.recordVersion.updateMany({ where: { caseId, status: "held" }, data: { status: "superseded" } });
          await insertVersion(tx, caseId, version, "held", candidate, delta, hits, !current, ref.schema.version, opts);
          await syncExceptions(tx, caseId, hits, version);
          await tx.case.update({ where: { id: caseId }, data: { lastVersion: version } });
          result = { caseId, outcome: "held", version, eventIds: candidate.eventIds };
        }
      } else {
        if (current) await tx.recordVersion.update({ where: { id: current.id }, data: { status: "superseded", isCurrent: null } });
        let version: number;
        if (held && same(candidate.record, held.record)) {
          // The held candidate itself becomes current; lineage records who approved it.
          version = held.version;
          const lineage = { ...candidate.lineage };
          if (opts.approval) for (const d of delta) if (lineage[d.path]) lineage[d.path] = { ...lineage[d.path]!, approval: opts.approval };
          await tx.recordVersion.update({
            where: { id: held.id },
            data: {
              status: "current",
              isCurrent: true,
              lineage: json(lineage),
              summary: summarise({ caseId, version, first: !current, delta, hits: [], approvedBy: opts.approval?.by }),
            },
          });
          await tx.recordVersion.updateMany({ where: { caseId, status: "held", version: { not: version } }, data: { status: "superseded" } });
        } else {
          version = caseRow.lastVersion + 1;
          await tx.recordVersion.updateMany({ where: { caseId, status: "held" }, data: { status: "superseded" } });
          await insertVersion(tx, caseId, version, "current", candidate, delta, [], !current, ref.schema.version, opts);
        }
        await clearExceptions(tx, caseId, "The refreshed record no longer conflicts; it became current.");
        await tx.case.update({
          where: { id: caseId },
          data: { lastVersion: Math.max(version, caseRow.lastVersion), currentVersion: version, lastCauses: causesOf(delta), lastSummary: summarise({ caseId, version, first: !current, delta, hits: [] }) },
        });
        await settleWaitingEvents(tx, caseId, candidate.eventIds, version);
        result = { caseId, outcome: "applied", version, eventIds: candidate.eventIds };
      }
      await updateCaseColumns(tx, caseId, candidate.record, result.outcome === "applied");
      await recordEventOutcomes(tx, caseId, opts.eventIds ?? [], result.outcome, result.version, candidate.eventIds);
      return result;
    },
    { timeout: 60_000, maxWait: 30_000 },
  );
}

async function insertVersion(
  tx: Tx,
  caseId: string,
  version: number,
  status: "current" | "held",
  candidate: Candidate,
  delta: DeltaItem[],
  hits: RuleHit[],
  first: boolean,
  schemaVersion: number,
  opts: RefreshOptions,
): Promise<void> {
  const id = newId("ver");
  await tx.recordVersion.create({
    data: {
      id,
      caseId,
      version,
      status,
      isCurrent: status === "current" ? true : null,
      record: json(candidate.record),
      lineage: json(candidate.lineage),
      summary: summarise({ caseId, version, first, delta, hits }),
      causes: causesOf(delta),
      schemaVersion,
      triggerEventId: opts.triggerEventId ?? opts.eventIds?.[0] ?? null,
    },
  });
  if (delta.length) {
    await tx.deltaEntry.createMany({
      data: delta.map((d) => ({
        id: newId("dlt"),
        versionId: id,
        caseId,
        path: d.path,
        before: d.before === null ? undefined : json(d.before),
        after: d.after === null ? undefined : json(d.after),
        cause: d.cause,
        lineage: json(d.lineage),
      })),
    });
  }
}

/** One live exception per case and rule, always showing the newest candidate; rules no longer hit are cleared. */
async function syncExceptions(tx: Tx, caseId: string, hits: RuleHit[], candidateVersion: number): Promise<void> {
  const byRule = new Map<Rule, RuleHit[]>();
  for (const h of hits) byRule.set(h.rule, [...(byRule.get(h.rule) ?? []), h]);
  const live = await tx.caseException.findMany({ where: { caseId, liveKey: { not: null } }, select: { id: true, rule: true } });
  for (const [rule, ruleHits] of byRule) {
    const detail = json({ message: ruleHits.map((h) => h.message).join(" "), hits: ruleHits });
    const existing = live.find((e) => e.rule === rule);
    const first = ruleHits[0]!;
    if (existing) {
      await tx.caseException.update({
        where: { id: existing.id },
        data: { candidateVersion, detail, lastSeenAt: new Date(), sourceName: first.sourceName, field: first.field },
      });
    } else {
      await tx.caseException.create({
        data: { id: newId("exc"), caseId, rule, liveKey: `${caseId}:${rule}`, candidateVersion, detail, sourceName: first.sourceName, field: first.field },
      });
    }
  }
  const stale = live.filter((e) => !byRule.has(e.rule as Rule));
  for (const e of stale) await resolveCleared(tx, e.id, "This rule no longer fires on the newest candidate.");
}

async function clearExceptions(tx: Tx, caseId: string, note: string): Promise<void> {
  const live = await tx.caseException.findMany({ where: { caseId, liveKey: { not: null } }, select: { id: true } });
  for (const e of live) await resolveCleared(tx, e.id, note);
}

async function resolveCleared(tx: Tx, id: string, note: string): Promise<void> {
  await tx.caseException.update({
    where: { id },
    data: { status: "resolved", liveKey: null, resolution: "cleared", resolutionNote: note, resolvedAt: new Date() },
  });
}

async function updateCaseColumns(tx: Tx, caseId: string, record: RecordDoc, becameCurrent: boolean): Promise<void> {
  const open = await tx.caseException.count({ where: { caseId, liveKey: { not: null } } });
  const c = record.case as Record<string, string | undefined>;
  const e = record.entitlement as Record<string, string | undefined> | undefined;
  await tx.case.update({
    where: { id: caseId },
    data: {
      openExceptionCount: open,
      ...(becameCurrent
        ? {
            accountId: c.accountId ?? null,
            customerName: c.customerName ?? null,
            subject: c.subject ?? null,
            severity: c.severity ?? null,
            status: c.status ?? null,
            productCode: c.product ?? null,
            tier: e?.tier ?? null,
            lastRefreshedAt: new Date(),
          }
        : {}),
    },
  });
}

/** Events folded into a version while they waited for their case's ticket are applied now. */
async function settleWaitingEvents(tx: Tx, caseId: string, eventIds: string[], version: number): Promise<void> {
  if (!eventIds.length) return;
  const waiting = await tx.webhookEvent.findMany({ where: { id: { in: eventIds }, status: "waiting" }, select: { id: true } });
  if (!waiting.length) return;
  await recordEventOutcomes(tx, caseId, waiting.map((w) => w.id), "applied", version);
  await tx.webhookEvent.updateMany({ where: { id: { in: waiting.map((w) => w.id) }, status: "waiting" }, data: { status: "applied" } });
}

/**
 * Per-case outcome of the events being processed. An event whose state is already in the current
 * record (folded by an earlier refresh) counts as applied there.
 */
async function recordEventOutcomes(
  tx: Tx,
  caseId: string,
  eventIds: string[],
  outcome: CaseOutcome,
  version: number | null,
  inCandidate: string[] = [],
): Promise<void> {
  for (const eventId of eventIds) {
    let o: CaseOutcome = outcome;
    let v = version;
    if (outcome === "no_change" && inCandidate.includes(eventId)) {
      const current = await tx.case.findUnique({ where: { id: caseId }, select: { currentVersion: true } });
      o = "applied";
      v = current?.currentVersion ?? null;
    }
    await tx.$executeRawUnsafe(
      `INSERT INTO "EventCase" ("id", "eventId", "caseId", "outcome", "recordVersion", "updatedAt")
       VALUES ($1, $2, $3, $4::"EventStatus", $5, now())
       ON CONFLICT ("eventId", "caseId") DO UPDATE SET "outcome" = EXCLUDED."outcome",
         "recordVersion" = COALESCE(EXCLUDED."recordVersion", "EventCase"."recordVersion"), "updatedAt" = now()
       WHERE "EventCase"."outcome" NOT IN ('applied', 'held') OR EXCLUDED."recordVersion" IS NOT NULL OR EXCLUDED."outcome" = 'held'`,
      newId("evc"),
      eventId,
      caseId,
      o,
      v,
    );
  }
}
