import type { Db } from "../db/client";
import { assertRole } from "../auth/authorize";
import { finishPage, keyColumns, keysetPlan, type KeysetOrder } from "../db/keyset";
import { SqlParams } from "../db/sql-params";
import { audit, type Actor } from "../lib/audit";
import { AppError } from "../lib/errors";
import { newId } from "../lib/ids";
import { deliveryIdInput, deliveryLogInput, endpointIdInput } from "./endpoint-input";
import type { NotifyContext } from "./manage-endpoints";
import { ENDPOINT_TEST, testBody } from "./payload";
import { attemptOnce } from "./record-attempt";

/**
 * An endpoint's delivery log, manual redelivery and the test event (docs/change-feed.md,
 * "Delivery log and redelivery").
 */
export const MANUAL_TIMEOUT_MS = 10_000;

/** Newest first, by OutboundDelivery (endpointId, createdAt, id). */
const ORDER: KeysetOrder = { tag: "outbound-deliveries", keys: [`d."createdAt"`, `d."id"`], types: ["timestamp", "text"], dir: "desc" };

interface Row {
  id: string;
  kind: "change" | "test";
  position: string | null;
  caseId: string | null;
  eventType: string;
  status: "pending" | "succeeded" | "failed";
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: Date | null;
  createdAt: Date;
  deliveredAt: Date | null;
}

export async function listDeliveries(db: Db, actor: Actor, raw: unknown) {
  assertRole(actor, "admin");
  const input = deliveryLogInput.parse(raw);
  const read = async (page: { after?: string; before?: string }) => {
    const p = new SqlParams();
    const endpoint = p.add(input.endpointId);
    const plan = keysetPlan(p, ORDER, page);
    const rows = await db.$queryRawUnsafe<Row[]>(
      `SELECT d."id", d."kind"::text AS "kind", d."position"::text AS "position", d."caseId", d."eventType", d."status"::text AS "status", d."attempts",
              d."lastStatusCode", d."lastError", d."nextAttemptAt", d."createdAt", d."deliveredAt", ${keyColumns(ORDER)}
       FROM "OutboundDelivery" d WHERE d."endpointId" = ${endpoint} AND ${plan.where} ORDER BY ${plan.orderBy} LIMIT ${input.pageSize + 1}`,
      ...p.values,
    );
    return { plan, rows };
  };
  const { plan, rows } = await read({ after: input.after, before: input.before });
  const page = await finishPage(ORDER, plan, rows, input.pageSize, (r: Row) => ({ ...r, attemptLog: [] as AttemptView[] }), async () => (await read({})).rows);
  const attempts = page.rows.length
    ? await db.outboundAttempt.findMany({
        where: { deliveryId: { in: page.rows.map((r) => r.id) } },
        orderBy: [{ deliveryId: "asc" }, { number: "asc" }],
        select: { id: true, deliveryId: true, number: true, manual: true, at: true, statusCode: true, error: true, responseSnippet: true, durationMs: true },
      })
    : [];
  const byDelivery = new Map(page.rows.map((r) => [r.id, r]));
  for (const a of attempts) byDelivery.get(a.deliveryId)?.attemptLog.push(a);
  return page;
}

export interface AttemptView {
  id: string;
  number: number;
  manual: boolean;
  at: Date;
  statusCode: number | null;
  error: string | null;
  responseSnippet: string | null;
  durationMs: number;
}

const ENDPOINT_KEYS = { id: true, url: true, enabled: true, secretSealed: true, previousSecretSealed: true, previousSecretExpiresAt: true } as const;

/**
 * Redelivers one delivery with its original webhook-id and body. A pending one (still in the
 * endpoint's ordered queue) is made due now, for the worker to send in order; a finished one is
 * sent again at once, and the answer says how it went. Returns what happened.
 */
export async function redeliver(ctx: NotifyContext, actor: Actor, raw: unknown): Promise<{ queued: boolean; ok: boolean | null; statusCode: number | null; error: string | null }> {
  assertRole(actor, "admin");
  const { id } = deliveryIdInput.parse(raw);
  const d = await ctx.db.outboundDelivery.findUnique({ where: { id }, select: { id: true, body: true, attempts: true, status: true, kind: true, endpoint: { select: ENDPOINT_KEYS } } });
  if (!d) throw new AppError("NOT_FOUND", `delivery ${id} does not exist`);
  if (d.status === "pending") {
    if (!d.endpoint.enabled) throw new AppError("CONFLICT", `the endpoint ${d.endpoint.url} is disabled: enable it and its pending deliveries are sent in order`);
    const now = new Date();
    await ctx.db.$transaction(async (tx) => {
      await tx.outboundEndpoint.update({ where: { id: d.endpoint.id }, data: { nextAttemptAt: now } });
      await tx.outboundDelivery.update({ where: { id }, data: { nextAttemptAt: now } });
      await audit(tx, actor, { action: "outbound_delivery.retry_now", targetType: "outbound_delivery", targetId: id, after: { endpointId: d.endpoint.id } });
    });
    return { queued: true, ok: null, statusCode: null, error: null };
  }
  const now = new Date();
  const result = await attemptOnce({ db: ctx.db, key: ctx.key, endpoint: d.endpoint, delivery: d, now, timeoutMs: MANUAL_TIMEOUT_MS, trigger: "manual" });
  await ctx.db.$transaction(async (tx) => {
    await tx.outboundDelivery.update({
      where: { id },
      data: {
        attempts: d.attempts + 1,
        lastStatusCode: result.statusCode,
        lastError: result.error,
        // A delivered change stays delivered; a failed test event can succeed on redelivery.
        ...(result.ok ? { status: "succeeded" as const, deliveredAt: now } : {}),
      },
    });
    await audit(tx, actor, { action: "outbound_delivery.redeliver", targetType: "outbound_delivery", targetId: id, after: { endpointId: d.endpoint.id, statusCode: result.statusCode, error: result.error } });
  });
  return { queued: false, ok: result.ok, statusCode: result.statusCode, error: result.error };
}

/** Sends an `endpoint.test` event now (outside the ordered queue) and logs it like any delivery. */
export async function sendTestEvent(ctx: NotifyContext, actor: Actor, raw: unknown) {
  assertRole(actor, "admin");
  const { id: endpointId } = endpointIdInput.parse(raw);
  const endpoint = await ctx.db.outboundEndpoint.findUnique({ where: { id: endpointId }, select: ENDPOINT_KEYS });
  if (!endpoint) throw new AppError("NOT_FOUND", `outbound endpoint ${endpointId} does not exist`);
  const now = new Date();
  const delivery = { id: newId("msg"), body: testBody(endpointId, now), attempts: 0 };
  await ctx.db.outboundDelivery.create({ data: { id: delivery.id, endpointId, kind: "test", eventType: ENDPOINT_TEST, body: delivery.body, createdAt: now } });
  const result = await attemptOnce({ db: ctx.db, key: ctx.key, endpoint, delivery, now, timeoutMs: MANUAL_TIMEOUT_MS, trigger: "test" });
  await ctx.db.$transaction(async (tx) => {
    await tx.outboundDelivery.update({
      where: { id: delivery.id },
      data: { attempts: 1, status: result.ok ? "succeeded" : "failed", lastStatusCode: result.statusCode, lastError: result.error, deliveredAt: result.ok ? now : null },
    });
    await audit(tx, actor, { action: "outbound_endpoint.test", targetType: "outbound_endpoint", targetId: endpointId, after: { deliveryId: delivery.id, statusCode: result.statusCode, error: result.error } });
  });
  return { deliveryId: delivery.id, ok: result.ok, statusCode: result.statusCode, error: result.error, durationMs: result.durationMs };
}
