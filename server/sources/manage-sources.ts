import { z } from "zod";
import { assertRole } from "../auth/authorize";
import type { Db } from "../db/client";
import type { SecretContext, SourceRegistry } from "./registry";
import { audit, type Actor } from "../lib/audit";
import { AppError } from "../lib/errors";
import type { EngineContext } from "../refresh/engine-context";
import { onboardSource, onboardSourceInput, type OnboardedSource } from "./onboard-source";
import { POLICY_FIELDS } from "../ops/governance/policy-fields";
import { activeAddedFields, policyFieldsOf } from "../ops/governance/source-fields";

const note = z.string().trim().min(3, "say why, in a few words (at least 3 characters)").max(1000);

export const setSourceEnabledInput = z.object({ source: z.string().trim().min(1).max(100), enabled: z.boolean(), note });
export const setRateLimitInput = z
  .object({
    source: z.string().trim().min(1).max(100),
    perSec: z.number().int().min(1).max(100_000),
    burst: z.number().int().min(1).max(500_000),
    note,
  })
  .refine((v) => v.burst >= v.perSec, { message: "the burst must be at least the per-second rate", path: ["burst"] });

/** Onboarding as the admin screen asks for it: a reason is required there. */
export const onboardInput = onboardSourceInput.extend({ note: note.max(500) });

export interface SourceAdminContext {
  db: Db;
  registry: Pick<SourceRegistry, "invalidate">;
}

export function envVarOf(name: string): string {
  return `WEBHOOK_SECRET_${name.toUpperCase().replace(/-/g, "_")}`;
}

interface StatRow {
  sourceId: string;
  events24h: number;
  stale24h: number;
  lastEventAt: Date | null;
}

/** Sources with what an admin checks first: traffic, refusals, secrets, how much of it waits for review. */
export async function listSources(db: Db, secrets: SecretContext, actor: Actor) {
  assertRole(actor, "admin");
  const [sources, stats, refusals, added] = await Promise.all([
    db.source.findMany({
      orderBy: [{ builtIn: "desc" }, { name: "asc" }],
      select: {
        id: true,
        name: true,
        kind: true,
        enabled: true,
        builtIn: true,
        defaultPolicy: true,
        rateLimitPerSec: true,
        rateLimitBurst: true,
        createdAt: true,
        policies: { select: { field: true, mode: true } },
        secrets: { where: { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: new Date() } }] }, select: { id: true } },
      },
    }),
    db.$queryRawUnsafe<StatRow[]>(
      `SELECT e."sourceId",
         count(*) FILTER (WHERE e."receivedAt" >= now() - interval '24 hours')::int AS "events24h",
         count(*) FILTER (WHERE e."receivedAt" >= now() - interval '24 hours' AND e."status" = 'stale')::int AS "stale24h",
         max(e."receivedAt") AS "lastEventAt"
       FROM "WebhookEvent" e WHERE e."receivedAt" >= now() - interval '7 days' GROUP BY e."sourceId"`,
    ),
    db.$queryRawUnsafe<{ sourceName: string; refusals24h: number }[]>(
      `SELECT r."sourceName", sum(r."count")::int AS "refusals24h" FROM "Refusal" r
       WHERE r."createdAt" >= now() - interval '24 hours' GROUP BY r."sourceName"`,
    ),
    activeAddedFields(db),
  ]);
  const statOf = new Map(stats.map((s) => [s.sourceId, s]));
  const refusedOf = new Map(refusals.map((r) => [r.sourceName, r.refusals24h]));
  return {
    canStoreSecrets: !!secrets.key,
    sources: sources.map((s) => {
      const explicit = new Map(s.policies.map((p) => [p.field, p.mode]));
      const fields = policyFieldsOf(s, added);
      const stat = statOf.get(s.id);
      return {
        id: s.id,
        name: s.name,
        kind: s.kind,
        enabled: s.enabled,
        builtIn: s.builtIn,
        defaultPolicy: s.defaultPolicy,
        rateLimitPerSec: s.rateLimitPerSec,
        rateLimitBurst: s.rateLimitBurst,
        createdAt: s.createdAt,
        webhookPath: `/api/webhooks/${s.name}`,
        secretsFrom: secrets.envSecrets[s.name]?.length ? ("env" as const) : ("database" as const),
        envVar: envVarOf(s.name),
        activeSecrets: secrets.envSecrets[s.name]?.length ?? s.secrets.length,
        reviewFields: fields.filter((f) => (explicit.get(f) ?? s.defaultPolicy) === "review").length,
        totalFields: fields.length,
        events24h: stat?.events24h ?? 0,
        stale24h: stat?.stale24h ?? 0,
        lastEventAt: stat?.lastEventAt ?? null,
        refusals24h: refusedOf.get(s.name) ?? 0,
      };
    }),
  };
}

export type OnboardResult = OnboardedSource & { webhookPath: string; envVar: string; reviewFields: number };

/** The engine-side onboarding (server/sources/onboard-source.ts) plus what the admin needs to hand to the source's owners. */
export async function onboardNewSource(ctx: EngineContext, secrets: SecretContext, actor: Actor, raw: z.input<typeof onboardInput>): Promise<OnboardResult> {
  assertRole(actor, "admin");
  const input = onboardInput.parse(raw);
  const made = await onboardSource(ctx, secrets, actor, input);
  return { ...made, webhookPath: `/api/webhooks/${made.name}`, envVar: envVarOf(made.name), reviewFields: POLICY_FIELDS[made.kind].length };
}

/** A disabled source's deliveries are refused (404, counted in the intake log); its stored events stay. */
export async function setSourceEnabled(ctx: SourceAdminContext, actor: Actor, raw: z.input<typeof setSourceEnabledInput>) {
  assertRole(actor, "admin");
  const input = setSourceEnabledInput.parse(raw);
  const out = await ctx.db.$transaction(async (tx) => {
    const source = await tx.source.findUnique({ where: { name: input.source }, select: { id: true, name: true, enabled: true } });
    if (!source) throw new AppError("NOT_FOUND", `unknown source ${input.source}`);
    if (source.enabled === input.enabled) return { source: source.name, enabled: source.enabled, changed: false };
    await tx.source.update({ where: { id: source.id }, data: { enabled: input.enabled } });
    await audit(tx, actor, {
      action: input.enabled ? "source.enable" : "source.disable",
      targetType: "source",
      targetId: source.id,
      before: { source: source.name, enabled: source.enabled },
      after: { source: source.name, enabled: input.enabled },
      note: input.note,
    });
    return { source: source.name, enabled: input.enabled, changed: true };
  });
  ctx.registry.invalidate();
  return out;
}

export async function setSourceRateLimit(ctx: SourceAdminContext, actor: Actor, raw: z.input<typeof setRateLimitInput>) {
  assertRole(actor, "admin");
  const input = setRateLimitInput.parse(raw);
  const out = await ctx.db.$transaction(async (tx) => {
    const source = await tx.source.findUnique({ where: { name: input.source }, select: { id: true, name: true, rateLimitPerSec: true, rateLimitBurst: true } });
    if (!source) throw new AppError("NOT_FOUND", `unknown source ${input.source}`);
    if (source.rateLimitPerSec === input.perSec && source.rateLimitBurst === input.burst) return { source: source.name, changed: false };
    await tx.source.update({ where: { id: source.id }, data: { rateLimitPerSec: input.perSec, rateLimitBurst: input.burst } });
    await audit(tx, actor, {
      action: "source.rate_limit",
      targetType: "source",
      targetId: source.id,
      before: { source: source.name, rateLimitPerSec: source.rateLimitPerSec, rateLimitBurst: source.rateLimitBurst },
      after: { source: source.name, rateLimitPerSec: input.perSec, rateLimitBurst: input.burst },
      note: input.note,
    });
    return { source: source.name, changed: true };
  });
  ctx.registry.invalidate();
  return out;
}
