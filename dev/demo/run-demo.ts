import type { Db } from "../../server/db/client";
import { claimException, resolveException } from "../../server/exceptions/resolve-exception";
import { readStoredSecrets, type SecretContext } from "../../server/sources/registry";
import { audit, SYSTEM_ACTOR, type Actor } from "../../server/lib/audit";
import { AppError } from "../../server/lib/errors";
import { log } from "../../server/lib/log";
import { addReferenceAlias } from "../../server/reference/edit-reference";
import type { EngineContext } from "../../server/refresh/engine-context";
import { JobRunner } from "../../server/ops/jobs/job-runner";
import { drain } from "../../server/refresh/process-events";
import { postSigned, signWebhook } from "../simulator/sign";
import { onboardSource } from "../../server/sources/onboard-source";
import type { DemoActionStep, DemoEventStep, DemoScenario } from "./pack-rounds";

export interface DemoDeps {
  ctx: EngineContext;
  secrets: SecretContext;
  /** The running server, e.g. http://127.0.0.1:3000: the demo goes through the real intake. */
  baseUrl: string;
  onProgress?: (posted: number, total: number) => void;
  /**
   * How long to wait before delivering again an event the server shed (503), throttled (429) or
   * never answered: by default its Retry-After, 1 to 5 s, as a well-behaved source does. A test that
   * sheds deliveries on purpose passes a short wait; the redelivery is the same.
   */
  retryDelayMs?: (retryAfterSeconds: number | null) => number;
}

const retryAfterDelayMs = (retryAfterSeconds: number | null) => Math.min(5, Math.max(1, retryAfterSeconds ?? 1)) * 1000;

export interface DemoResult {
  events: number;
  rounds: number;
  seconds: number;
}

export const DEMO_SPECIALIST = "specialist@demo.local";
export const DEMO_ADMIN = "admin@demo.local";
const ROUND_TIMEOUT_MS = 120_000;
const POST_CONCURRENCY = 8;

async function actorFor(db: Db, email: string): Promise<Actor> {
  const user = await db.user.findUnique({ where: { email }, select: { id: true, name: true, role: true } });
  if (!user) throw new AppError("INTERNAL", `demo user ${email} is missing; the demo users are seeded when DEMO=on`);
  return { id: user.id, label: user.name, role: user.role };
}

/** What each source signs with: WEBHOOK_SECRET_<SOURCE> when set (the registry prefers it), else the stored secret. */
async function signingSecrets(db: Db, secrets: SecretContext): Promise<Record<string, string>> {
  const stored = secrets.key ? await readStoredSecrets(db, secrets.key) : {};
  const out: Record<string, string> = { ...stored };
  for (const [name, list] of Object.entries(secrets.envSecrets)) if (list[0]) out[name] = list[0];
  return out;
}

/**
 * Posts the scenario's events through the HTTP intake round by round, waits until the engine has
 * refreshed every case of a round, then performs the round's specialist and admin actions.
 */
export async function runDemo(deps: DemoDeps, scenario: DemoScenario): Promise<DemoResult> {
  const started = performance.now();
  const { ctx } = deps;
  const specialist = await actorFor(ctx.db, DEMO_SPECIALIST);
  const admin = await actorFor(ctx.db, DEMO_ADMIN);
  const secrets = await signingSecrets(ctx.db, deps.secrets);
  await ctx.db.$transaction((tx) => audit(tx, SYSTEM_ACTOR, { action: "demo.start", targetType: "demo", targetId: "embedded", after: { events: scenario.events } }));
  let posted = 0;
  deps.onProgress?.(posted, scenario.events);
  for (const [i, round] of scenario.rounds.entries()) {
    const queue = [...round.events];
    const post = async () => {
      for (let step = queue.shift(); step; step = queue.shift()) {
        await postEvent(deps.baseUrl, secrets, step, deps.retryDelayMs ?? retryAfterDelayMs);
        deps.onProgress?.(++posted, scenario.events);
      }
    };
    await Promise.all(Array.from({ length: POST_CONCURRENCY }, post));
    await waitUntilRefreshed(ctx, i);
    for (const action of round.actions) await perform(deps, secrets, action, { specialist, admin });
  }
  await ctx.db.$transaction((tx) =>
    audit(tx, SYSTEM_ACTOR, { action: "demo.complete", targetType: "demo", targetId: "embedded", after: { events: scenario.events, rounds: scenario.rounds.length } }),
  );
  const seconds = (performance.now() - started) / 1000;
  log.info({ events: scenario.events, rounds: scenario.rounds.length, seconds }, "demo built");
  return { events: scenario.events, rounds: scenario.rounds.length, seconds };
}

/** How long the demo keeps delivering one event the server sheds (503), throttles (429) or never answers, as a well-behaved source would. */
const RETRY_FOR_MS = 120_000;

async function postEvent(baseUrl: string, secrets: Record<string, string>, step: DemoEventStep, retryDelayMs: (retryAfterSeconds: number | null) => number): Promise<void> {
  const secret = secrets[step.source];
  if (!secret) throw new AppError("INTERNAL", `no signing secret for source ${step.source}`);
  const deadline = Date.now() + RETRY_FOR_MS;
  // Signed afresh for every attempt (a new webhook-timestamp), with the same webhook-id: docs/api.md, "Responses".
  const attempt = async () => {
    try {
      return await postSigned(signWebhook({ baseUrl, source: step.source, secret, webhookId: step.webhookId, body: JSON.stringify(step.body) }));
    } catch (err) {
      // No answer (a reset connection on a starved machine): whether it was stored is unknown, and
      // delivering the same webhook-id again is safe either way.
      return { status: 0, body: { error: (err as Error).message }, retryAfterSeconds: 1 };
    }
  };
  let res = await attempt();
  let retried = false;
  while ((res.status === 503 || res.status === 429 || res.status === 0) && Date.now() < deadline) {
    retried = true;
    await new Promise((r) => setTimeout(r, retryDelayMs(res.retryAfterSeconds)));
    res = await attempt();
  }
  // After a retry, "duplicate" means an earlier attempt was stored after all; that is the event too.
  const stored = (res.status === 202 && res.body.status === "accepted") || (retried && res.status === 200 && res.body.status === "duplicate");
  if (!stored) {
    throw new AppError("INTERNAL", `demo event ${step.webhookId} (${step.source} ${step.body.entity.id} v${step.body.version}) was answered ${res.status} ${JSON.stringify(res.body).slice(0, 500)}`);
  }
}

/**
 * Refreshes what is queued (alongside the in-process worker; the queue's leases keep them apart)
 * and returns once no event of the round waits for a refresh any more.
 */
async function waitUntilRefreshed(ctx: EngineContext, round: number): Promise<void> {
  const deadline = Date.now() + ROUND_TIMEOUT_MS;
  for (;;) {
    await drain(ctx);
    const waiting = await ctx.db.webhookEvent.count({ where: { status: "received" } });
    if (waiting === 0) return;
    if (Date.now() > deadline) throw new AppError("INTERNAL", `round ${round + 1} of the demo: ${waiting} events still wait for a refresh after ${ROUND_TIMEOUT_MS / 1000} s`);
    // Another worker holds their lease: give it the connection for a moment.
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * Runs queued jobs (alongside a serving process's job runner; the queue's row locks keep them
 * apart) until the given one has finished, so the demo's next step sees its result.
 */
async function waitForJob(ctx: EngineContext, jobId: string): Promise<void> {
  const deadline = Date.now() + ROUND_TIMEOUT_MS;
  const runner = new JobRunner(ctx);
  for (;;) {
    await runner.drain();
    const job = await ctx.db.job.findUniqueOrThrow({ where: { id: jobId }, select: { status: true, error: true } });
    if (job.status === "succeeded") return;
    if (job.status === "failed") throw new AppError("INTERNAL", `demo job ${jobId} failed: ${job.error ?? "no reason given"}`);
    if (Date.now() > deadline) throw new AppError("INTERNAL", `demo job ${jobId} did not finish within ${ROUND_TIMEOUT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function perform(deps: DemoDeps, secrets: Record<string, string>, action: DemoActionStep, actors: { specialist: Actor; admin: Actor }): Promise<void> {
  const { ctx } = deps;
  switch (action.kind) {
    case "resolve": {
      const exc = await ctx.db.caseException.findFirst({ where: { caseId: action.caseId, rule: action.rule, liveKey: { not: null } }, select: { id: true } });
      if (!exc) throw new AppError("INTERNAL", `the demo expected an open ${action.rule} exception on ${action.caseId}`);
      await claimException(ctx, actors.specialist, exc.id);
      await resolveException(ctx, actors.specialist, exc.id, { kind: action.resolution, note: action.note, path: action.path, value: action.value });
      return;
    }
    case "onboard": {
      const made = await onboardSource(ctx, deps.secrets, actors.admin, { name: action.name, kind: action.sourceKind, note: action.note });
      const secret = made.secret ?? deps.secrets.envSecrets[action.name]?.[0];
      if (!secret) throw new AppError("INTERNAL", `no secret for the onboarded source ${action.name}`);
      secrets[action.name] = secret;
      return;
    }
    case "alias":
      await waitForJob(ctx, (await addReferenceAlias(ctx, actors.admin, { kind: action.aliasKind, alias: action.alias, code: action.code, note: action.note })).jobId);
      return;
  }
}
