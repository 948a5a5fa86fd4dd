import type { Db } from "../db/client";
import { audit, SYSTEM_ACTOR } from "../lib/audit";
import { decrypt } from "../lib/crypto";
import { AppError } from "../lib/errors";
import { newId } from "../lib/ids";
import { log } from "../lib/log";
import { metrics, recordOutboundAttempt } from "../ops/metrics";
import { retryDelayMs, shouldDisable, type RetryPolicy } from "./schedule";
import { sendSigned, type SendResult } from "./send";

/** What an attempt needs of its endpoint. */
export interface EndpointKeys {
  id: string;
  url: string;
  secretSealed: string;
  previousSecretSealed: string | null;
  previousSecretExpiresAt: Date | null;
}

/** The secrets that sign now: the current one, and the previous one during a rotation's overlap. */
export function liveSecrets(key: Buffer | null, ep: EndpointKeys, now: Date): string[] {
  if (!key) throw new AppError("CONFLICT", "outbound notifications need APP_SECRET_KEY to unseal endpoint secrets");
  const secrets = [decrypt(key, ep.secretSealed)];
  if (ep.previousSecretSealed && ep.previousSecretExpiresAt && ep.previousSecretExpiresAt > now) secrets.push(decrypt(key, ep.previousSecretSealed));
  return secrets;
}

export interface AttemptInput {
  db: Db;
  key: Buffer | null;
  endpoint: EndpointKeys;
  delivery: { id: string; body: string; attempts: number };
  now: Date;
  timeoutMs: number;
  trigger: "automatic" | "manual" | "test";
}

/** Sends once and stores the attempt in the delivery log (status, error, duration, response start). */
export async function attemptOnce(input: AttemptInput): Promise<SendResult> {
  const { db, endpoint, delivery, now } = input;
  // The signature's timestamp is the wall clock (receivers check it against theirs); `now` is the
  // scheduling clock, which tests move forward by hours.
  const signedAt = new Date();
  let secrets: string[] | null = null;
  try {
    secrets = liveSecrets(input.key, endpoint, signedAt);
  } catch (err) {
    // A secret this process cannot unseal (APP_SECRET_KEY changed or missing) fails this endpoint's
    // attempt, visibly, instead of stalling the loop for every endpoint.
    log.error({ err, endpointId: endpoint.id }, "outbound endpoint secret cannot be unsealed");
  }
  const result: SendResult = secrets
    ? await sendSigned({ url: endpoint.url, webhookId: delivery.id, body: delivery.body, secrets, now: signedAt, timeoutMs: input.timeoutMs })
    : { ok: false, outcome: "secret_error", statusCode: null, error: "the endpoint's signing secret cannot be unsealed with this server's APP_SECRET_KEY; rotate the secret", responseSnippet: null, durationMs: 0 };
  recordOutboundAttempt(result.outcome, input.trigger, result.durationMs / 1000);
  await db.outboundAttempt.create({
    data: {
      id: newId("att"),
      deliveryId: delivery.id,
      number: delivery.attempts + 1,
      manual: input.trigger !== "automatic",
      at: now,
      statusCode: result.statusCode,
      error: result.error,
      responseSnippet: result.responseSnippet,
      durationMs: result.durationMs,
    },
  });
  return result;
}

export interface FailureState {
  consecutiveFailures: number;
  failingSince: Date | null;
}

/**
 * The outcome of an automatic attempt, on the delivery and its endpoint. Success clears the
 * endpoint's failure run; a failure schedules the next try (schedule.ts) or, past the threshold,
 * disables the endpoint, writes the admin notice (the endpoint's own autoDisabled state, shown on
 * every admin screen) and an audit entry. Returns the endpoint's failure state afterwards and
 * whether it was disabled.
 */
export async function settleAutomatic(
  db: Db,
  ep: { id: string; url: string } & FailureState,
  delivery: { id: string; attempts: number },
  result: SendResult,
  now: Date,
  policy: RetryPolicy,
  random: () => number,
  /** The worker's lease, renewed with each success so a long run of slow answers keeps the endpoint. */
  leaseUntil: Date,
): Promise<FailureState & { disabled: boolean }> {
  if (result.ok) {
    await db.$transaction([
      db.outboundDelivery.update({ where: { id: delivery.id }, data: { status: "succeeded", attempts: delivery.attempts + 1, lastStatusCode: result.statusCode, lastError: null, deliveredAt: now, nextAttemptAt: null } }),
      db.outboundEndpoint.updateMany({ where: { id: ep.id }, data: { consecutiveFailures: 0, failingSince: null, lastSuccessAt: now, nextAttemptAt: now, lockedUntil: leaseUntil } }),
    ]);
    return { consecutiveFailures: 0, failingSince: null, disabled: false };
  }
  const failures = ep.consecutiveFailures + 1;
  const failingSince = ep.failingSince ?? now;
  const disable = shouldDisable(policy, failingSince, failures, now);
  const next = new Date(now.getTime() + retryDelayMs(policy, failures, random));
  const reason = `Disabled automatically: every attempt failed for ${hoursBetween(failingSince, now)} (${failures} attempts in a row); last error: ${result.error ?? "unknown"}`;
  await db.$transaction(async (tx) => {
    await tx.outboundDelivery.update({ where: { id: delivery.id }, data: { attempts: delivery.attempts + 1, lastStatusCode: result.statusCode, lastError: result.error, nextAttemptAt: disable ? null : next } });
    await tx.outboundEndpoint.updateMany({
      where: { id: ep.id },
      data: {
        consecutiveFailures: failures,
        failingSince,
        lastFailureAt: now,
        lastError: result.error,
        nextAttemptAt: next,
        ...(disable ? { enabled: false, autoDisabled: true, disabledReason: reason, disabledAt: now, noticeDismissedAt: null } : {}),
      },
    });
    if (disable) await audit(tx, SYSTEM_ACTOR, { action: "outbound_endpoint.auto_disable", targetType: "outbound_endpoint", targetId: ep.id, after: { url: ep.url, failures, failingSince: failingSince.toISOString() }, note: reason });
  });
  if (disable) {
    metrics.outboundAutoDisabled.inc();
    log.error({ endpointId: ep.id, url: ep.url, failures, failingSince }, "outbound endpoint disabled after failing continuously");
  }
  return { consecutiveFailures: failures, failingSince, disabled: disable };
}

function hoursBetween(a: Date, b: Date): string {
  const h = (b.getTime() - a.getTime()) / 3_600_000;
  return h >= 1 ? `${Math.round(h * 10) / 10} h` : `${Math.round(h * 60)} min`;
}
