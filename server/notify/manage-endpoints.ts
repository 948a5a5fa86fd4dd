import type { Db } from "../db/client";
import type { DeltaCause } from "../db/generated/enums";
import { assertRole } from "../auth/authorize";
import { appendIfPending } from "../feed/append-changes";
import { audit, type Actor } from "../lib/audit";
import { encrypt, newWebhookSecret } from "../lib/crypto";
import { AppError } from "../lib/errors";
import { newId } from "../lib/ids";
import { createEndpointInput, endpointIdInput, setEnabledInput, updateEndpointInput } from "./endpoint-input";

/**
 * Registering and managing outbound endpoints (docs/change-feed.md, "Managing endpoints"). Admins
 * only; every change is written to the audit log (never a secret). A secret is generated here,
 * shown once in the answer, and stored sealed with the app's key.
 */
export interface NotifyContext {
  db: Db;
  key: Buffer | null;
}

/** A rotated secret keeps signing (a second signature) this long, so receivers can switch over. */
export const ROTATION_OVERLAP_MS = 24 * 3_600_000;

const PUBLIC = {
  id: true,
  url: true,
  description: true,
  secretHint: true,
  previousSecretExpiresAt: true,
  causes: true,
  caseIdPrefix: true,
  enabled: true,
  autoDisabled: true,
  disabledReason: true,
  disabledAt: true,
  noticeDismissedAt: true,
  cursor: true,
  nextAttemptAt: true,
  consecutiveFailures: true,
  failingSince: true,
  lastSuccessAt: true,
  lastFailureAt: true,
  lastError: true,
  createdAt: true,
  updatedAt: true,
} as const;

function needKey(ctx: NotifyContext): Buffer {
  if (!ctx.key) throw new AppError("CONFLICT", "set APP_SECRET_KEY to register outbound endpoints: their signing secrets are stored encrypted with it");
  return ctx.key;
}

function seal(key: Buffer) {
  const secret = newWebhookSecret();
  return { secret, secretSealed: encrypt(key, secret), secretHint: secret.slice(-4) };
}

async function newestPosition(db: Db): Promise<bigint> {
  await appendIfPending(db);
  const rows = await db.$queryRawUnsafe<{ p: string | null }[]>(
    `SELECT (SELECT f."position" FROM "FeedChange" f WHERE f."position" IS NOT NULL ORDER BY f."position" DESC LIMIT 1)::text AS "p"`,
  );
  return BigInt(rows[0]?.p ?? "0");
}

export type EndpointView = Awaited<ReturnType<typeof listEndpoints>>["endpoints"][number];

/** Every endpoint with its health, and how many changes it has still to receive (feed newest − cursor + pending). */
export async function listEndpoints(ctx: NotifyContext, actor: Actor) {
  assertRole(actor, "admin");
  const [rows, newest, pending] = await Promise.all([
    ctx.db.outboundEndpoint.findMany({ orderBy: [{ createdAt: "asc" }, { id: "asc" }], select: PUBLIC }),
    newestPosition(ctx.db),
    ctx.db.outboundDelivery.groupBy({ by: ["endpointId"], where: { status: "pending" }, _count: { _all: true } }),
  ]);
  const pendingBy = new Map(pending.map((p) => [p.endpointId, p._count._all]));
  return {
    canStore: !!ctx.key,
    endpoints: rows.map((r) => shape(r, newest, pendingBy.get(r.id) ?? 0)),
  };
}

function shape<T extends { cursor: bigint; secretHint: string; enabled: boolean; consecutiveFailures: number; autoDisabled: boolean }>(r: T, newest: bigint, pending: number) {
  const { cursor, secretHint, ...rest } = r;
  const state = !r.enabled ? (r.autoDisabled ? "auto_disabled" : "disabled") : r.consecutiveFailures > 0 ? "failing" : "healthy";
  return { ...rest, secretHint: `…${secretHint}`, state: state as "healthy" | "failing" | "disabled" | "auto_disabled", pending, notYetQueued: Number(newest > cursor ? newest - cursor : 0n) };
}

export async function getEndpoint(ctx: NotifyContext, actor: Actor, raw: unknown) {
  assertRole(actor, "admin");
  const { id } = endpointIdInput.parse(raw);
  const row = await ctx.db.outboundEndpoint.findUnique({ where: { id }, select: PUBLIC });
  if (!row) throw new AppError("NOT_FOUND", `outbound endpoint ${id} does not exist`);
  const [newest, pending] = await Promise.all([newestPosition(ctx.db), ctx.db.outboundDelivery.count({ where: { endpointId: id, status: "pending" } })]);
  return shape(row, newest, pending);
}

/** Registers an endpoint; it receives the changes made from now on. The answer is the only place the secret appears. */
export async function createEndpoint(ctx: NotifyContext, actor: Actor, raw: unknown): Promise<{ id: string; url: string; secret: string }> {
  assertRole(actor, "admin");
  const input = createEndpointInput.parse(raw);
  const key = needKey(ctx);
  const { secret, secretSealed, secretHint } = seal(key);
  const id = newId("ep");
  const cursor = await newestPosition(ctx.db);
  await ctx.db.$transaction(async (tx) => {
    await tx.outboundEndpoint.create({
      data: { id, url: input.url, description: input.description, causes: input.causes as DeltaCause[], caseIdPrefix: input.caseIdPrefix ?? null, secretSealed, secretHint, cursor, nextAttemptAt: new Date(), createdById: actor.id },
    });
    await audit(tx, actor, { action: "outbound_endpoint.create", targetType: "outbound_endpoint", targetId: id, after: { url: input.url, description: input.description, causes: input.causes, caseIdPrefix: input.caseIdPrefix ?? null, fromPosition: String(cursor) } });
  });
  return { id, url: input.url, secret };
}

async function existing(db: Db, id: string) {
  const row = await db.outboundEndpoint.findUnique({ where: { id }, select: { id: true, url: true, description: true, causes: true, caseIdPrefix: true, enabled: true, autoDisabled: true, disabledReason: true } });
  if (!row) throw new AppError("NOT_FOUND", `outbound endpoint ${id} does not exist`);
  return row;
}

export async function updateEndpoint(ctx: NotifyContext, actor: Actor, raw: unknown): Promise<void> {
  assertRole(actor, "admin");
  const input = updateEndpointInput.parse(raw);
  await ctx.db.$transaction(async (tx) => {
    const before = await existing(tx as Db, input.id);
    const data = {
      ...(input.url !== undefined ? { url: input.url } : {}),
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.causes !== undefined ? { causes: input.causes as DeltaCause[] } : {}),
      ...(input.caseIdPrefix !== undefined ? { caseIdPrefix: input.caseIdPrefix } : {}),
    };
    if (!Object.keys(data).length) throw new AppError("BAD_REQUEST", "nothing to change: give url, description, causes or caseIdPrefix");
    await tx.outboundEndpoint.update({ where: { id: input.id }, data });
    const { url, description, causes, caseIdPrefix } = before;
    await audit(tx, actor, { action: "outbound_endpoint.update", targetType: "outbound_endpoint", targetId: input.id, before: { url, description, causes, caseIdPrefix }, after: data, note: input.note ?? null });
  });
}

/**
 * Enabling resumes from where the endpoint stopped: its pending deliveries first, then every
 * change after its cursor, in order; the failure run starts again from zero.
 */
export async function setEndpointEnabled(ctx: NotifyContext, actor: Actor, raw: unknown): Promise<void> {
  assertRole(actor, "admin");
  const input = setEnabledInput.parse(raw);
  const now = new Date();
  await ctx.db.$transaction(async (tx) => {
    const before = await existing(tx as Db, input.id);
    if (before.enabled === input.enabled) throw new AppError("CONFLICT", `outbound endpoint ${before.url} is already ${input.enabled ? "enabled" : "disabled"}`);
    const data = input.enabled
      ? { enabled: true, autoDisabled: false, disabledReason: null, disabledAt: null, consecutiveFailures: 0, failingSince: null, nextAttemptAt: now }
      : { enabled: false, autoDisabled: false, disabledReason: `Disabled by ${actor.label}${input.note ? `: ${input.note}` : ""}`, disabledAt: now };
    await tx.outboundEndpoint.update({ where: { id: input.id }, data });
    await tx.outboundDelivery.updateMany({ where: { endpointId: input.id, status: "pending" }, data: { nextAttemptAt: input.enabled ? now : null } });
    await audit(tx, actor, {
      action: input.enabled ? "outbound_endpoint.enable" : "outbound_endpoint.disable",
      targetType: "outbound_endpoint",
      targetId: input.id,
      before: { enabled: before.enabled, autoDisabled: before.autoDisabled, disabledReason: before.disabledReason },
      after: { enabled: input.enabled },
      note: input.note ?? null,
    });
  });
}

export async function deleteEndpoint(ctx: NotifyContext, actor: Actor, raw: unknown): Promise<void> {
  assertRole(actor, "admin");
  const input = endpointIdInput.parse(raw);
  await ctx.db.$transaction(async (tx) => {
    const before = await existing(tx as Db, input.id);
    await tx.outboundEndpoint.delete({ where: { id: input.id } });
    await audit(tx, actor, { action: "outbound_endpoint.delete", targetType: "outbound_endpoint", targetId: input.id, before: { url: before.url, description: before.description, enabled: before.enabled }, note: input.note ?? null });
  });
}

/** A new secret, shown once; the old one keeps signing beside it for ROTATION_OVERLAP_MS. */
export async function rotateEndpointSecret(ctx: NotifyContext, actor: Actor, raw: unknown): Promise<{ id: string; secret: string; previousValidUntil: string }> {
  assertRole(actor, "admin");
  const input = endpointIdInput.parse(raw);
  const key = needKey(ctx);
  const { secret, secretSealed, secretHint } = seal(key);
  const until = new Date(Date.now() + ROTATION_OVERLAP_MS);
  await ctx.db.$transaction(async (tx) => {
    const row = await tx.outboundEndpoint.findUnique({ where: { id: input.id }, select: { secretSealed: true, secretHint: true } });
    if (!row) throw new AppError("NOT_FOUND", `outbound endpoint ${input.id} does not exist`);
    await tx.outboundEndpoint.update({ where: { id: input.id }, data: { secretSealed, secretHint, previousSecretSealed: row.secretSealed, previousSecretExpiresAt: until } });
    await audit(tx, actor, { action: "outbound_endpoint.rotate_secret", targetType: "outbound_endpoint", targetId: input.id, before: { hint: `…${row.secretHint}` }, after: { hint: `…${secretHint}`, previousValidUntil: until.toISOString() }, note: input.note ?? null });
  });
  return { id: input.id, secret, previousValidUntil: until.toISOString() };
}

/** Endpoints disabled automatically whose notice no admin has dismissed (the admin notice). */
export async function outboundNotices(db: Db, actor: Actor) {
  assertRole(actor, "admin");
  return db.outboundEndpoint.findMany({
    where: { enabled: false, autoDisabled: true, noticeDismissedAt: null },
    orderBy: { disabledAt: "desc" },
    select: { id: true, url: true, description: true, disabledReason: true, disabledAt: true },
  });
}

export async function dismissNotice(ctx: NotifyContext, actor: Actor, raw: unknown): Promise<void> {
  assertRole(actor, "admin");
  const input = endpointIdInput.parse(raw);
  await ctx.db.$transaction(async (tx) => {
    const n = await tx.outboundEndpoint.updateMany({ where: { id: input.id, autoDisabled: true, noticeDismissedAt: null }, data: { noticeDismissedAt: new Date() } });
    if (!n.count) throw new AppError("NOT_FOUND", `outbound endpoint ${input.id} has no notice to dismiss`);
    await audit(tx, actor, { action: "outbound_endpoint.dismiss_notice", targetType: "outbound_endpoint", targetId: input.id, note: input.note ?? null });
  });
}
