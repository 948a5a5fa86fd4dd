import { z } from "zod";
import type { Tx } from "../db/client";
import { audit, type Actor } from "../lib/audit";
import { AppError } from "../lib/errors";
import { newId } from "../lib/ids";
import { isOverridablePath } from "../refresh/build-candidate";
import type { EngineContext } from "../refresh/engine-context";
import { getAt } from "../refresh/pointer";
import { lockCase, refreshCase, type RefreshResult } from "../refresh/refresh-case";
import { quarantineRejected } from "./quarantine-events";
import type { LineageMap, RuleHit } from "../refresh/types";

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

export async function unclaimException(ctx: EngineContext, actor: Actor, id: string): Promise<void> {
  assertCanAct(actor);
  await withCase(ctx, id, async (tx) => {
    const exc = await loadLive(tx, id);
    if (exc.status !== "claimed") throw new AppError("CONFLICT", `exception ${id} is not claimed`);
    if (exc.claimedById !== actor.id && actor.role !== "admin") throw new AppError("FORBIDDEN", "only the claimant or an admin can unclaim");
    await tx.caseException.update({ where: { id }, data: { status: "open", claimedById: null, claimedAt: null } });
    await audit(tx, actor, { action: "exception.unclaim", targetType: "exception", targetId: id, before: { claimedById: exc.claimedById }, after: { status: "open" } });
  });
}

export async function assignException(ctx: EngineContext, actor: Actor, id: string, assigneeId: string): Promise<void> {
  assertCanAct(actor);
  await withCase(ctx, id, async (tx) => {
    const exc = await loadLive(tx, id);
    if (exc.status === "resolved") throw new AppError("CONFLICT", `exception ${id} is already resolved`);
    const user = await tx.user.findUnique({ where: { id: assigneeId }, select: { role: true, name: true } });
    if (!user || (user.role !== "specialist" && user.role !== "admin")) throw new AppError("BAD_REQUEST", "assignee must be a specialist or admin");
    await tx.caseException.update({ where: { id }, data: { status: "claimed", claimedById: assigneeId, claimedAt: new Date() } });
    await audit(tx, actor, { action: "exception.assign", targetType: "exception", targetId: id, before: { claimedById: exc.claimedById }, after: { claimedById: assigneeId } });
  });
}

interface Resolution {
  kind: "approve" | "reject" | "override";
  note: string;
  path?: string;
  value?: unknown;
}

const severityValue = z.enum(["S1", "S2", "S3", "S4"]);

function validateOverride(path: string | undefined, value: unknown): { path: string; value: unknown } {
  if (!path || !isOverridablePath(path)) {
    throw new AppError("BAD_REQUEST", `path must be a single field outside lists, such as /case/severity (got ${JSON.stringify(path)})`);
  }
  if (path === "/case/severity" && !severityValue.safeParse(value).success) throw new AppError("BAD_REQUEST", "severity must be S1, S2, S3 or S4");
  if (!["string", "number", "boolean"].includes(typeof value)) throw new AppError("BAD_REQUEST", "override value must be a string, number or boolean");
  if (typeof value === "string" && value.length > 5000) throw new AppError("BAD_REQUEST", "override value is too long");
  return { path, value };
}

/**
 * SPEC.md's resolutions. Approve: the conflict's evidence is accepted and the held candidate becomes
 * current. Reject: the offending events are quarantined and the case refreshes from the entities'
 * previous accepted versions. Override: the specialist's value stands for the field.
 */
export async function resolveException(ctx: EngineContext, actor: Actor, id: string, input: Resolution): Promise<RefreshResult[]> {
  assertCanAct(actor);
  const note = parseNote(input.note);
  const override = input.kind === "override" ? validateOverride(input.path, input.value) : null;
  const at = new Date();
  const affected = await withCase(ctx, id, async (tx, caseId) => {
    const exc = await loadLive(tx, id);
    if (exc.status === "resolved") throw new AppError("CONFLICT", `exception ${id} is already resolved`);
    if (exc.status !== "claimed") throw new AppError("CONFLICT", `claim exception ${id} before resolving it`);
    if (exc.claimedById !== actor.id) throw new AppError("FORBIDDEN", `exception ${id} is claimed by someone else; reassign it first`);
    const hits = ((exc.detail as { hits?: RuleHit[] }).hits ?? []) as RuleHit[];
    const cases = new Set([caseId]);
    if (input.kind === "approve" || input.kind === "override") {
      for (const h of hits) {
        await tx.approvedConflict.upsert({
          where: { caseId_rule_fingerprint: { caseId, rule: h.rule, fingerprint: h.fingerprint } },
          update: {},
          create: { id: newId("apr"), caseId, rule: h.rule, fingerprint: h.fingerprint, exceptionId: id },
        });
      }
    }
    if (override) {
      const held = exc.candidateVersion
        ? await tx.recordVersion.findUnique({ where: { caseId_version: { caseId, version: exc.candidateVersion } }, select: { lineage: true, record: true } })
        : null;
      const lin = held ? (held.lineage as unknown as LineageMap)[override.path] : undefined;
      const basis = lin && lin.source !== "manual_override"
        ? await tx.sourceEntity.findFirst({ where: { entityId: lin.entityId, source: { name: lin.source } }, select: { id: true } })
        : null;
      await tx.fieldOverride.updateMany({ where: { caseId, path: override.path, active: true }, data: { active: false } });
      await tx.fieldOverride.create({
        data: {
          id: newId("ovr"),
          caseId,
          path: override.path,
          value: override.value as never,
          basisEntityId: basis?.id ?? null,
          basisVersion: lin?.entityVersion ?? null,
          exceptionId: id,
          userId: actor.id,
          note,
        },
      });
      await audit(tx, actor, {
        action: "record.override",
        targetType: "case",
        targetId: caseId,
        before: { path: override.path, value: held ? getAt(held.record, override.path) ?? null : null },
        after: { path: override.path, value: override.value },
        note,
      });
    }
    if (input.kind === "reject") {
      for (const c of await quarantineRejected(tx, actor, exc, hits, note)) cases.add(c);
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
      before: { status: exc.status, rule: exc.rule, candidateVersion: exc.candidateVersion },
      after: { status: "resolved", resolution: input.kind, ...(override ?? {}) },
      note,
    });
    return [...cases];
  });
  // Events the case held behind this exception take the outcome of this refresh (refreshCase settles them).
  const results: RefreshResult[] = [];
  for (const caseId of affected) {
    results.push(await refreshCase(ctx, caseId, input.kind === "approve" ? { approval: { exceptionId: id, by: actor.label, at: at.toISOString() } } : {}));
  }
  return results;
}
