import { z } from "zod";
import { assertRole } from "../auth/authorize";
import type { Db } from "../db/client";
import { SOURCE_KINDS } from "../intake/event-schemas";
import { addSourceSecret, type SecretContext } from "./registry";
import { audit, type Actor } from "../lib/audit";
import { AppError } from "../lib/errors";
import { newId } from "../lib/ids";
import type { EngineContext } from "../refresh/engine-context";

export const onboardSourceInput = z.object({
  /** The URL segment of POST /api/webhooks/{source}; WEBHOOK_SECRET_<NAME> names its env secret. */
  name: z
    .string()
    .trim()
    .min(2)
    .max(60)
    .regex(/^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/, "use lower-case letters, digits and single hyphens, starting with a letter"),
  kind: z.enum(SOURCE_KINDS),
  rateLimitPerSec: z.number().int().min(1).max(100_000).optional(),
  rateLimitBurst: z.number().int().min(1).max(500_000).optional(),
  note: z.string().trim().max(500).optional(),
});
export type OnboardSourceInput = z.input<typeof onboardSourceInput>;

export interface OnboardedSource {
  id: string;
  name: string;
  kind: (typeof SOURCE_KINDS)[number];
  /** The new signing secret, shown once; null when WEBHOOK_SECRET_<NAME> supplies it. */
  secret: string | null;
  secretsFrom: "env" | "database";
}

/**
 * A new source of an existing kind (a second ticketing system, say). docs/domain.md: every field it
 * feeds starts with overwrite policy `review`, so nothing it says becomes current unreviewed
 * until an admin relaxes the policy.
 */
export async function onboardSource(
  ctx: EngineContext & { db: Db },
  secrets: SecretContext,
  actor: Actor,
  raw: OnboardSourceInput,
): Promise<OnboardedSource> {
  assertRole(actor, "admin");
  const input = onboardSourceInput.parse(raw);
  const perSec = input.rateLimitPerSec ?? 1000;
  const burst = input.rateLimitBurst ?? Math.max(perSec, 5000);
  if (burst < perSec) throw new AppError("BAD_REQUEST", "the burst must be at least the per-second rate");
  const fromEnv = !!secrets.envSecrets[input.name]?.length;
  if (!fromEnv && !secrets.key) {
    const envName = `WEBHOOK_SECRET_${input.name.toUpperCase().replace(/-/g, "_")}`;
    throw new AppError("BAD_REQUEST", `No APP_SECRET_KEY is configured, so the new secret cannot be stored; set ${envName} (and restart) or APP_SECRET_KEY first.`);
  }
  const id = newId("src");
  const created = await ctx.db.$transaction(async (tx) => {
    const exists = await tx.source.findUnique({ where: { name: input.name }, select: { id: true } });
    if (exists) throw new AppError("CONFLICT", `a source named ${input.name} already exists`);
    await tx.source.create({
      data: { id, name: input.name, kind: input.kind, builtIn: false, defaultPolicy: "review", rateLimitPerSec: perSec, rateLimitBurst: burst },
    });
    const secret = fromEnv ? null : (await addSourceSecret(tx as Db, secrets.key, id, "initial")).secret;
    await audit(tx, actor, {
      action: "source.onboard",
      targetType: "source",
      targetId: id,
      after: { name: input.name, kind: input.kind, defaultPolicy: "review", rateLimitPerSec: perSec, rateLimitBurst: burst, secretsFrom: fromEnv ? "env" : "database" },
      note: input.note ?? null,
    });
    return secret;
  });
  // Intake and the refresh engine must see the source (and its review policy) at once, not after a cache TTL.
  ctx.registry.invalidate();
  ctx.reference.invalidate();
  return { id, name: input.name, kind: input.kind, secret: created, secretsFrom: fromEnv ? "env" : "database" };
}
