import { z } from "zod";
import type { Db } from "../db/client";
import { addSourceSecret, type SecretContext, type SourceRegistry } from "./registry";
import { audit, type Actor } from "../lib/audit";
import { AppError } from "../lib/errors";
import { assertRole } from "../auth/authorize";

/**
 * Webhook signing secrets as admins see them: label, last four characters, dates, never the secret.
 * Rotation adds a new secret (shown once) and lets the old ones keep verifying for an overlap
 * window, so a source can switch over without refused deliveries.
 */
export interface SecretsContext {
  db: Db;
  secrets: SecretContext;
  registry: Pick<SourceRegistry, "invalidate">;
}

export const MAX_OVERLAP_HOURS = 24 * 7;
export const rotateSecretInput = z.object({
  source: z.string().min(1).max(100),
  label: z.string().trim().min(1).max(100).optional(),
  overlapHours: z.number().int().min(0).max(MAX_OVERLAP_HOURS).default(24),
  note: z.string().trim().max(500).optional(),
});
export const revokeSecretInput = z.object({ id: z.string().min(1).max(100), note: z.string().trim().max(500).optional() });

export type SecretState = "active" | "expiring" | "expired" | "revoked";

function stateOf(s: { expiresAt: Date | null; revokedAt: Date | null }, now: Date): SecretState {
  if (s.revokedAt) return "revoked";
  if (s.expiresAt && s.expiresAt <= now) return "expired";
  return s.expiresAt ? "expiring" : "active";
}

export async function listSourceSecrets(ctx: SecretsContext, actor: Actor) {
  assertRole(actor, "admin");
  const now = new Date();
  const sources = await ctx.db.source.findMany({
    orderBy: { name: "asc" },
    select: {
      id: true,
      name: true,
      enabled: true,
      builtIn: true,
      secrets: { orderBy: { createdAt: "desc" }, select: { id: true, label: true, hint: true, createdAt: true, expiresAt: true, revokedAt: true } },
    },
  });
  return {
    canStore: !!ctx.secrets.key,
    sources: sources.map((s) => ({
      ...s,
      fromEnv: !!ctx.secrets.envSecrets[s.name]?.length,
      secrets: s.secrets.map((x) => ({ ...x, hint: `…${x.hint}`, state: stateOf(x, now) })),
    })),
  };
}

export async function rotateSourceSecret(ctx: SecretsContext, actor: Actor, raw: unknown): Promise<{ id: string; secret: string; source: string; oldExpireAt: string | null }> {
  assertRole(actor, "admin");
  const input = rotateSecretInput.parse(raw);
  if (ctx.secrets.envSecrets[input.source]?.length) {
    throw new AppError(
      "CONFLICT",
      `The ${input.source} secrets come from WEBHOOK_SECRET_${input.source.toUpperCase().replace(/-/g, "_")}; rotate them there (several space-separated values overlap).`,
    );
  }
  const source = await ctx.db.source.findUnique({ where: { name: input.source }, select: { id: true, name: true } });
  if (!source) throw new AppError("NOT_FOUND", `unknown source ${input.source}`);
  const now = new Date();
  const oldExpireAt = new Date(now.getTime() + input.overlapHours * 3_600_000);
  const label = input.label ?? `rotated ${now.toISOString().slice(0, 16).replace("T", " ")} UTC`;
  const created = await ctx.db.$transaction(async (tx) => {
    const live = await tx.sourceSecret.findMany({
      where: { sourceId: source.id, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: oldExpireAt } }] },
      select: { id: true, hint: true, expiresAt: true },
    });
    const made = await addSourceSecret(tx as Db, ctx.secrets.key, source.id, label);
    if (live.length) await tx.sourceSecret.updateMany({ where: { id: { in: live.map((l) => l.id) } }, data: { expiresAt: oldExpireAt } });
    await audit(tx, actor, {
      action: "source_secret.rotate",
      targetType: "source",
      targetId: source.name,
      before: { secrets: live.map((l) => ({ id: l.id, hint: `…${l.hint}`, expiresAt: l.expiresAt?.toISOString() ?? null })) },
      after: { newSecretId: made.id, newHint: `…${made.secret.slice(-4)}`, oldSecretsExpireAt: live.length ? oldExpireAt.toISOString() : null, overlapHours: input.overlapHours },
      note: input.note ?? null,
    });
    return { ...made, hadLive: live.length > 0 };
  });
  ctx.registry.invalidate();
  return { id: created.id, secret: created.secret, source: source.name, oldExpireAt: created.hadLive ? oldExpireAt.toISOString() : null };
}

export async function revokeSourceSecret(ctx: SecretsContext, actor: Actor, raw: unknown): Promise<void> {
  assertRole(actor, "admin");
  const input = revokeSecretInput.parse(raw);
  const now = new Date();
  await ctx.db.$transaction(async (tx) => {
    const row = await tx.sourceSecret.findUnique({ where: { id: input.id }, select: { id: true, sourceId: true, hint: true, label: true, expiresAt: true, revokedAt: true, source: { select: { name: true } } } });
    if (!row) throw new AppError("NOT_FOUND", `secret ${input.id} does not exist`);
    if (row.revokedAt) throw new AppError("CONFLICT", "this secret is already revoked");
    const othersLive = await tx.sourceSecret.count({
      where: { sourceId: row.sourceId, id: { not: row.id }, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
    });
    if (othersLive === 0 && !ctx.secrets.envSecrets[row.source.name]?.length) {
      throw new AppError("CONFLICT", `This is the last valid secret of ${row.source.name}; rotate first so the source keeps a secret it can sign with.`);
    }
    await tx.sourceSecret.update({ where: { id: row.id }, data: { revokedAt: now } });
    await audit(tx, actor, {
      action: "source_secret.revoke",
      targetType: "source",
      targetId: row.source.name,
      before: { secretId: row.id, label: row.label, hint: `…${row.hint}`, expiresAt: row.expiresAt?.toISOString() ?? null },
      after: { secretId: row.id, revokedAt: now.toISOString() },
      note: input.note ?? null,
    });
  });
  ctx.registry.invalidate();
}
