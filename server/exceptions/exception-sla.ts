import { z } from "zod";
import { assertRole } from "../auth/authorize";
import type { Db, Tx } from "../db/client";
import { audit, type Actor } from "../lib/audit";
import { AppError } from "../lib/errors";
import { RULES } from "../refresh/types";

/**
 * The exception SLA (docs/domain.md "Exception SLA"): how long a specialist has to resolve an exception,
 * a governance setting of its own. One default, and optionally minutes per exception kind (rule); the
 * customer's response SLA of the case's tier is a different promise and is not used here.
 */
export const EXCEPTION_KINDS = [...RULES, "PROCESSING_FAILED"] as const;
export type ExceptionKind = (typeof EXCEPTION_KINDS)[number];

/** Used only if the default row (the migration writes one) was somehow removed. */
const FALLBACK_MINUTES = 60;

export interface ExceptionSlas {
  defaultMinutes: number;
  /** Kinds with their own minutes; every other kind uses the default. */
  byKind: Partial<Record<ExceptionKind, number>>;
}

export async function loadExceptionSlas(db: Db | Tx): Promise<ExceptionSlas> {
  const rows = await db.exceptionSla.findMany({ select: { kind: true, minutes: true } });
  const byKind: ExceptionSlas["byKind"] = {};
  let defaultMinutes = FALLBACK_MINUTES;
  for (const r of rows) {
    if (r.kind === "default") defaultMinutes = r.minutes;
    else if ((EXCEPTION_KINDS as readonly string[]).includes(r.kind)) byKind[r.kind as ExceptionKind] = r.minutes;
  }
  return { defaultMinutes, byKind };
}

/** The SLA minutes an exception of this kind is measured against. */
export function slaMinutesFor(slas: ExceptionSlas, kind: string): number {
  return slas.byKind[kind as ExceptionKind] ?? slas.defaultMinutes;
}

const minutes = z.number({ message: "minutes must be a whole number" }).int("minutes must be a whole number").min(1, "at least 1 minute").max(60 * 24 * 30, "at most 30 days (43200 minutes)");
const note = z.string().trim().min(3, "say why, in a few words (at least 3 characters)").max(500);

/** Set the default, set a kind's own minutes, or (minutes null) let a kind use the default again. */
export const setExceptionSlaInput = z.object({
  kind: z.enum(["default", ...EXCEPTION_KINDS], { message: `kind must be "default" or an exception kind (${EXCEPTION_KINDS.join(", ")})` }),
  minutes: minutes.nullable(),
  note,
});

/** The settings for the admin screen: the default and every kind, with its own minutes or none. */
export async function listExceptionSlas(db: Db, actor: Actor) {
  assertRole(actor, "admin");
  const slas = await loadExceptionSlas(db);
  return {
    defaultMinutes: slas.defaultMinutes,
    kinds: EXCEPTION_KINDS.map((kind) => ({ kind, ownMinutes: slas.byKind[kind] ?? null, minutes: slaMinutesFor(slas, kind) })),
  };
}

export async function setExceptionSla(db: Db, actor: Actor, raw: unknown) {
  assertRole(actor, "admin");
  const parsed = setExceptionSlaInput.safeParse(raw);
  if (!parsed.success) throw new AppError("BAD_REQUEST", parsed.error.issues[0]?.message ?? "invalid exception SLA");
  const input = parsed.data;
  if (input.kind === "default" && input.minutes === null) throw new AppError("BAD_REQUEST", "the default exception SLA needs minutes; only a kind can fall back to the default");
  await db.$transaction(async (tx) => {
    const before = await tx.exceptionSla.findUnique({ where: { kind: input.kind }, select: { minutes: true } });
    if (input.minutes === null) await tx.exceptionSla.deleteMany({ where: { kind: input.kind } });
    else await tx.exceptionSla.upsert({ where: { kind: input.kind }, update: { minutes: input.minutes }, create: { kind: input.kind, minutes: input.minutes } });
    await audit(tx, actor, {
      action: "exception_sla.set",
      targetType: "exception_sla",
      targetId: input.kind,
      before: { minutes: before?.minutes ?? null },
      after: { minutes: input.minutes },
      note: input.note,
    });
  });
  return listExceptionSlas(db, actor);
}
