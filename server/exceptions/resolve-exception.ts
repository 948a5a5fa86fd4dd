import { z } from "zod";
import type { Tx } from "../db/client";
import type { Prisma } from "../db/generated/client";
import { audit, type Actor } from "../lib/audit";
import { AppError } from "../lib/errors";
import { newId } from "../lib/ids";
import { log } from "../lib/log";
import { sourceLookup, type EngineContext } from "../refresh/engine-context";
import { lockCase, type RefreshResult } from "../refresh/refresh-case";
import { wakeJobRunner } from "../ops/jobs/job-runner";
import type { RuleHit } from "../refresh/types";
import { disputedPaths } from "./disputed-paths";
import { quarantineRejected } from "./quarantine-events";
import { storeOverride, validateOverride } from "./record-override";
import { performResolutionRefresh, recordResolutionRefresh, resolutionRefreshResult, type ResolutionRefresh } from "./resolution-refresh";

export const noteSchema = z.string({ error: "a note is required" }).trim().min(3, "a note of at least 3 characters is required").max(5000, "a note is at most 5000 characters");

/** Every resolution says why; a missing or empty note is refused before anything changes. */
export function parseNote(note: unknown): string {
  const parsed = noteSchema.safeParse(note);
  if (!parsed.success) throw new AppError("BAD_REQUEST", parsed.error.issues[0]?.message ?? "a note is required");
  return parsed.data;
}

async function loadLive(tx: Tx, id: string) {
  const exc = await tx.caseException.findUnique({ where: { id } });
  if (!exc) throw new AppError("NOT_FOUND", `exception ${id} does not exist`);
  return exc;
}

function assertCanAct(actor: Actor) {
  if (actor.role !== "specialist" && actor.role !== "admin") {
    throw new AppError("FORBIDDEN", "only specialists and admins act on exceptions");
  }
}

/** docs/domain.md: a claimed exception is acted on, unclaimed or reassigned only by its claimant or an admin. */
function assertClaimantOrAdmin(actor: Actor, exc: { id: string; status: string; claimedById: string | null }, what: string) {
  if (exc.status === "claimed" && exc.claimedById !== actor.id && actor.role !== "admin") {
    throw new AppError("FORBIDDEN", `exception ${exc.id} is claimed by someone else; only they or an admin can ${what} it`);
  }
}

async function withCase<T>(ctx: EngineContext, exceptionId: string, fn: (tx: Tx, caseId: string) => Promise<T>): Promise<T> {
  const first = await ctx.db.caseException.findUnique({ where: { id: exceptionId }, select: { caseId: true } });
  if (!first) throw new AppError("NOT_FOUND", `exception ${exceptionId} does not exist`);
  return ctx.db.$transaction(async (tx) => {
    await lockCase(tx, first.caseId);
    return fn(tx, first.caseId);
  }, { timeout: 30_000, maxWait: 30_000 });
}

export async function claimException(ctx: EngineContext, actor: Actor, id: string): Promise<void> {
  assertCanAct(actor);
  await withCase(ctx, id, async (tx) => {
    const exc = await loadLive(tx, id);
    if (exc.status === "resolved") throw new AppError("CONFLICT", `exception ${id} is already resolved`);
    if (exc.status === "claimed" && exc.claimedById !== actor.id) {
      throw new AppError("CONFLICT", `exception ${id} is already claimed by someone else`);
    }
    await tx.caseException.update({ where: { id }, data: { status: "claimed", claimedById: actor.id, claimedAt: new Date() } });
    await audit(tx, actor, { action: "exception.claim", targetType: "exception", targetId: id, before: { status: exc.status }, after: { status: "claimed" } });
  });
}

/**
 * Claims several exceptions, each in its own transaction: one that cannot be claimed (resolved,
 * someone else's, unknown) is reported with the reason and the others are claimed still.
 */
export async function claimExceptions(ctx: EngineContext, actor: Actor, ids: readonly string[]): Promise<{ claimed: string[]; failed: { id: string; reason: string }[] }> {
  assertCanAct(actor);
  const claimed: string[] = [];
  const failed: { id: string; reason: string }[] = [];
  for (const id of ids) {
    try {
      await claimException(ctx, actor, id);
      claimed.push(id);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      failed.push({ id, reason: err.message });
    }
  }
  return { claimed, failed };
}

export async function unclaimException(ctx: EngineContext, actor: Actor, id: string): Promise<void> {
  assertCanAct(actor);
  await withCase(ctx, id, async (tx) => {
    const exc = await loadLive(tx, id);
    if (exc.status !== "claimed") throw new AppError("CONFLICT", `exception ${id} is not claimed`);
    assertClaimantOrAdmin(actor, exc, "unclaim");
    await tx.caseException.update({ where: { id }, data: { status: "open", claimedById: null, claimedAt: null } });
    await audit(tx, actor, { action: "exception.unclaim", targetType: "exception", targetId: id, before: { claimedById: exc.claimedById }, after: { status: "open" } });
  });
}

/**
 * Hands an exception to an active specialist (admins count as specialists: they hold every
 * specialist power and appear in the assignee list). An open exception anyone who acts on
 * exceptions may assign; a claimed one only its claimant or an admin may reassign, so `assign`
 * is no way around a refused `unclaim`.
 */
export async function assignException(ctx: EngineContext, actor: Actor, id: string, assigneeId: string): Promise<void> {
  assertCanAct(actor);
  await withCase(ctx, id, async (tx) => {
    const exc = await loadLive(tx, id);
    if (exc.status === "resolved") throw new AppError("CONFLICT", `exception ${id} is already resolved`);
    assertClaimantOrAdmin(actor, exc, "reassign");
    const user = await tx.user.findUnique({ where: { id: assigneeId }, select: { role: true, name: true, disabledAt: true } });
    if (!user) throw new AppError("BAD_REQUEST", `assignee ${assigneeId} is not a user`);
    if (user.role !== "specialist" && user.role !== "admin") throw new AppError("BAD_REQUEST", `assignee must be a specialist or admin; ${user.name} is a ${user.role}`);
    if (user.disabledAt) throw new AppError("BAD_REQUEST", `assignee ${user.name} is disabled; assign it to an active specialist`);
    await tx.caseException.update({ where: { id }, data: { status: "claimed", claimedById: assigneeId, claimedAt: new Date() } });
    await audit(tx, actor, { action: "exception.assign", targetType: "exception", targetId: id, before: { claimedById: exc.claimedById }, after: { claimedById: assigneeId } });
  });
}

interface Resolution {
  kind: "approve" | "reject" | "override";
  note: string;
  path?: unknown;
  value?: unknown;
}

/**
 * docs/domain.md's resolutions. Approve: the conflict's evidence is accepted and the held candidate becomes
 * current. Reject: the offending events are quarantined and the case refreshes from the entities'
 * previous accepted versions. Override: the specialist's value stands for the field.
 * A claimed exception is resolved by its claimant, or by an admin on the claimant's behalf.
 */
export async function resolveException(ctx: EngineContext, actor: Actor, id: string, input: Resolution): Promise<RefreshResult[]> {
  assertCanAct(actor);
  const note = parseNote(input.note);
  const at = new Date();
  const [{ ref }, sources] = await Promise.all([ctx.reference.get(), sourceLookup(ctx)]);
  const plan = await withCase(ctx, id, async (tx, caseId): Promise<ResolutionRefresh & { jobId: string }> => {
    const exc = await loadLive(tx, id);
    if (exc.status === "resolved") throw new AppError("CONFLICT", `exception ${id} is already resolved`);
    if (exc.status !== "claimed") throw new AppError("CONFLICT", `claim exception ${id} before resolving it`);
    assertClaimantOrAdmin(actor, exc, "resolve");
    const hits = ((exc.detail as { hits?: RuleHit[] }).hits ?? []) as RuleHit[];
    // Checked before anything is written: a refused override leaves the exception as it was.
    const override = input.kind === "override" ? validateOverride(exc.rule, hits, input.path, input.value, ref) : null;
    const cases = new Set([caseId]);
    if (input.kind === "approve" || input.kind === "override") {
      // An approval accepts every hit; an override settles the hits that dispute its field only, so
      // the rules judge the rest again at once (an exception with an unrelated hit reopens).
      const settled = override ? hits.filter((h) => disputedPaths([h], ref).includes(override.path)) : hits;
      for (const h of settled) {
        await tx.approvedConflict.upsert({
          where: { caseId_rule_fingerprint: { caseId, rule: h.rule, fingerprint: h.fingerprint } },
          update: {},
          create: { id: newId("apr"), caseId, rule: h.rule, fingerprint: h.fingerprint, exceptionId: id },
        });
      }
    }
    if (override) await storeOverride(tx, actor, exc, override, note);
    if (input.kind === "reject") {
      for (const c of await quarantineRejected(tx, actor, exc, hits, note, { ref, sources })) cases.add(c);
      if (exc.candidateVersion) {
        await tx.recordVersion.updateMany({ where: { caseId, version: exc.candidateVersion, status: "held" }, data: { status: "rejected" } });
      }
    }
    await tx.caseException.update({
      where: { id },
      data: { status: "resolved", liveKey: null, resolution: input.kind, resolutionNote: note, resolvedById: actor.id, resolvedAt: at },
    });
    await audit(tx, actor, {
      action: `exception.${input.kind}`,
      targetType: "exception",
      targetId: id,
      before: { status: exc.status, rule: exc.rule, candidateVersion: exc.candidateVersion, claimedById: exc.claimedById },
      after: { status: "resolved", resolution: input.kind, ...(override ?? {}) },
      note,
    });
    // The refresh this resolution owes, recorded with it: if the refresh below fails or the process
    // stops before it, the job runner performs it, approval lineage included (resolution-refresh.ts).
    const owed: ResolutionRefresh = {
      exceptionId: id,
      caseIds: [...cases],
      ...(input.kind === "approve" ? { approval: { exceptionId: id, by: actor.label, at: at.toISOString() } } : {}),
    };
    return { ...owed, jobId: await recordResolutionRefresh(tx, actor, owed, input.kind) };
  });
  // The case refreshes at once; events it held behind this exception take the outcome (refreshCase settles them).
  const refreshed = await performResolutionRefresh(ctx, plan).catch((err: unknown) => ({ results: [], failures: plan.caseIds.map((caseId) => ({ caseId, error: (err as Error).message })) }));
  await settleResolutionJob(ctx, plan, refreshed);
  // The exception's end in the logs, after the "case refreshed" lines of the refreshes it caused.
  log.info({ exceptionId: id, resolution: input.kind, actorId: actor.id, cases: refreshed.results.map((r) => ({ caseId: r.caseId, outcome: r.outcome, version: r.version })) }, "exception resolved");
  return refreshed.results;
}

/**
 * Marks the resolution's refresh job done, or hands it to the job runner when a case could not be
 * refreshed (a lock wait, a lost connection): the resolution stands, and the runner completes its
 * refresh. When even this write fails, the job stays "running" and the runner takes it over later.
 */
async function settleResolutionJob(ctx: EngineContext, plan: ResolutionRefresh & { jobId: string }, refreshed: Awaited<ReturnType<typeof performResolutionRefresh>>): Promise<void> {
  const failed = refreshed.failures.length > 0;
  if (failed) log.warn({ exceptionId: plan.exceptionId, jobId: plan.jobId, failures: refreshed.failures }, "refresh after a resolution failed; the job runner completes it");
  try {
    await ctx.db.job.updateMany({
      where: { id: plan.jobId, status: "running" },
      data: failed
        ? { status: "queued", error: refreshed.failures.map((f) => `${f.caseId}: ${f.error}`).join("; ").slice(0, 2000) }
        : { status: "succeeded", done: plan.caseIds.length, result: resolutionRefreshResult(plan, refreshed) as Prisma.InputJsonValue, finishedAt: new Date() },
    });
  } catch (err) {
    log.warn({ err, jobId: plan.jobId }, "could not settle the resolution's refresh job; the job runner takes it over");
  }
  if (failed) wakeJobRunner();
}
