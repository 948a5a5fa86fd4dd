import "server-only";
import { createHmac, timingSafeEqual } from "node:crypto";
import type { DatabaseAvailability } from "../db/availability";
import type { Db } from "../db/client";
import { INTAKE_UNAVAILABLE_MESSAGE, DATABASE_RETRY_AFTER_SECONDS, isDatabaseUnavailable } from "../lib/db-errors";
import { newId } from "../lib/ids";
import { log } from "../lib/log";
import { recordIntake } from "../ops/metrics";
import { MAX_DEPTH, tooDeep } from "./json-depth";
import { parseEvent, type Issue } from "./event-schemas";
import { storeEvent } from "./store-event";
import { addressBucket } from "../lib/address-bucket";
import { UNSTORABLE } from "../lib/safe-text";
import { OVERLOAD_MESSAGE, OVERLOAD_RETRY_AFTER_SECONDS, refusalGroupKey, type IntakeGate, type RefusalLog } from "./intake-gate";
import type { SourceRateLimiter } from "../sources/rate-limit";
import type { SourceInfo, SourceRegistry } from "../sources/registry";

export const MAX_BODY_BYTES = 256 * 1024;
const ADMITTED = { allowed: true, retryAfterSeconds: 0 } as const;
const TOLERANCE_SECONDS = 300;

export interface WebhookRequest {
  sourceName: string;
  contentType: string | null;
  contentLength: number | null;
  webhookId: string | null;
  timestamp: string | null;
  signature: string | null;
  remoteAddr: string | null;
  /** Reads the raw body bytes; resolves null when they exceed MAX_BODY_BYTES. */
  readBody: () => Promise<Uint8Array | null>;
}

export interface WebhookResponse {
  status: number;
  body: Record<string, unknown>;
  headers?: Record<string, string>;
}

export interface IntakeDeps {
  db: Db;
  registry: SourceRegistry;
  limiter: SourceRateLimiter;
  /** Called after an event is durably stored and needs a refresh. */
  onAccepted?: () => void;
  /** The bound on deliveries in flight (load shedding); none: unbounded. */
  gate?: IntakeGate;
  /** PostgreSQL's reachability as last seen: while it is away, deliveries get 503 at once. */
  availability?: DatabaseAvailability;
  /** Where 503 refusals are listed (batched); without it they are only answered. */
  refusals?: RefusalLog;
}

/** docs/api.md's webhook intake, counted and timed for /api/metrics (server/ops/metrics.ts). */
export async function receiveWebhook(deps: IntakeDeps, req: WebhookRequest): Promise<WebhookResponse> {
  return shedDelivery(deps, req) ?? (await receiveAdmitted(deps, req));
}

/**
 * The two 503s, decided before anything is read: the database is away (known from an earlier
 * failure), or the intake gate refuses (load shedding, docs/faults.md). Synchronous and cheap on
 * purpose: under overload most deliveries end here, and every microsecond a refusal costs is taken
 * from the deliveries being stored, so a refusal is counted (metrics, the intake log's batched rows,
 * one log line a second for all of them: `RefusalLog`) but not logged line by line.
 * Null when the delivery is admitted: the caller then holds one of the gate's places and must go
 * on with `receiveAdmitted`, which gives it back.
 */
export function shedDelivery(deps: IntakeDeps, req: WebhookRequest): WebhookResponse | null {
  const started = performance.now();
  let res: WebhookResponse;
  let cause: string | undefined; // a 503 without one counts as database_unavailable (recordIntake)
  if (deps.availability && !deps.availability.available) {
    deps.availability.countRefusal();
    res = unavailable(deps, req);
  } else if (deps.gate && !deps.gate.tryEnter()) {
    res = serviceRefusal(deps, req, OVERLOAD_MESSAGE, OVERLOAD_RETRY_AFTER_SECONDS);
    cause = deps.gate.lastCause;
  } else return null;
  recordIntake(knownSource(deps, req), 503, undefined, (performance.now() - started) / 1000, cause);
  return res;
}

/** A source the registry's cache knows, or null: the path segment of a refusal is the sender's to choose, never a label. */
function knownSource(deps: IntakeDeps, req: WebhookRequest): string | null {
  return deps.registry.fresh()?.has(req.sourceName) ? req.sourceName : null;
}

/** An admitted delivery (after `shedDelivery` returned null): verified, validated and stored, then counted, timed and logged. */
export async function receiveAdmitted(deps: IntakeDeps, req: WebhookRequest): Promise<WebhookResponse> {
  const started = performance.now();
  const res = await guarded(deps, req);
  const sources = deps.registry.fresh() ?? (await deps.registry.all().catch(() => null));
  const known = sources?.has(req.sourceName) ? req.sourceName : null;
  const seconds = (performance.now() - started) / 1000;
  recordIntake(known, res.status, typeof res.body.status === "string" ? res.body.status : undefined, seconds);
  // One line per delivery: its webhook-id and our event id are what the refresh and exception lines carry on.
  const line = { source: req.sourceName.slice(0, 100), webhookId: req.webhookId?.slice(0, 200) ?? null, httpStatus: res.status, ms: Math.round(seconds * 1e4) / 10 };
  if (res.status < 300) log.info({ ...line, eventId: res.body.eventId, status: res.body.status }, "webhook stored");
  else log.info({ ...line, error: res.body.error }, "webhook refused");
  return res;
}

/**
 * An admitted delivery's work, holding its gate place until answered. A connection-level failure
 * on the way ends in 503, never 500: the one statement that stores the event either committed or
 * did not, so nothing is half stored and the sender's retry is safe.
 */
async function guarded(deps: IntakeDeps, req: WebhookRequest): Promise<WebhookResponse> {
  try {
    return await receive(deps, req);
  } catch (err) {
    if (deps.availability ? deps.availability.noteFailure(err) : isDatabaseUnavailable(err)) return unavailable(deps, req);
    throw err;
  } finally {
    deps.gate?.leave();
  }
}

function unavailable(deps: IntakeDeps, req: WebhookRequest): WebhookResponse {
  return serviceRefusal(deps, req, INTAKE_UNAVAILABLE_MESSAGE, DATABASE_RETRY_AFTER_SECONDS);
}

/** 503 with Retry-After; listed in the intake log in a later batch (see RefusalLog). */
function serviceRefusal(deps: IntakeDeps, req: WebhookRequest, reason: string, retryAfter: number): WebhookResponse {
  // Only a name the registry's cache knows counts as itself; any other counts as one unknown source.
  const known = deps.registry.fresh()?.has(req.sourceName);
  deps.refusals?.add({
    sourceName: clean(req.sourceName, 200),
    httpStatus: 503,
    reason,
    webhookId: req.webhookId ? clean(req.webhookId, 200) : null,
    remoteAddr: req.remoteAddr ? clean(req.remoteAddr, 100) : null,
    groupSource: known === false ? "*" : undefined,
  });
  return serviceAnswer(reason, retryAfter);
}

/** The 503 answers, one object each (there are two): the webhook lane writes each from bytes it built once. */
const serviceAnswers = new Map<string, WebhookResponse>();
function serviceAnswer(reason: string, retryAfter: number): WebhookResponse {
  const key = `${retryAfter}\u0000${reason}`;
  let answer = serviceAnswers.get(key);
  if (!answer) serviceAnswers.set(key, (answer = Object.freeze({ status: 503, body: Object.freeze({ error: reason }), headers: Object.freeze({ "Retry-After": String(retryAfter) }) })));
  return answer;
}

/** Every refusal row of docs/api.md's table, then a durable, idempotent store. */
async function receive(deps: IntakeDeps, req: WebhookRequest): Promise<WebhookResponse> {
  // The registry's cache and the rate limit's lease answer nearly every delivery without waiting.
  const source = (deps.registry.fresh() ?? (await deps.registry.all())).get(req.sourceName);
  if (!source || !source.enabled) {
    const reason = source ? `source "${req.sourceName}" is disabled` : `unknown source "${req.sourceName}"`;
    return refuseUnverified(deps, req, 404, reason, undefined, source ? "source_disabled" : "unknown_source", source ? source.name : null);
  }
  const mediaType = req.contentType?.split(";")[0]?.trim().toLowerCase();
  if (mediaType !== "application/json") {
    return refuseUnverified(deps, req, 415, `Content-Type must be application/json, got ${req.contentType ? `"${req.contentType.slice(0, 100)}"` : "none"}`, undefined, "media_type", source.name);
  }
  if (req.contentLength !== null && req.contentLength > MAX_BODY_BYTES) {
    return refuseUnverified(deps, req, 413, `body of ${req.contentLength} bytes exceeds the limit of ${MAX_BODY_BYTES} bytes`, undefined, "too_large", source.name);
  }
  const idProblem = checkWebhookId(req.webhookId);
  if (idProblem) return refuseUnverified(deps, req, 400, idProblem, [{ path: "webhook-id", message: idProblem }], "bad_webhook_id", source.name);
  const bytes = await req.readBody();
  if (bytes === null) return refuseUnverified(deps, req, 413, `body exceeds the limit of ${MAX_BODY_BYTES} bytes`, undefined, "too_large", source.name);

  // The signature covers the bytes as sent: they are judged before any decoding.
  const authProblem = verifySignature(source, req, bytes);
  if (authProblem) return refuseUnverified(deps, req, 401, authProblem, undefined, "bad_signature", source.name);
  // Only validly signed deliveries spend the source's limit: forged traffic cannot exhaust it.
  const verdict = deps.limiter.takeLeased(source.name, source.rateLimitPerSec, source.rateLimitBurst)
    ? ADMITTED
    : await deps.limiter.consume(source.name, source.rateLimitPerSec, source.rateLimitBurst);
  if (!verdict.allowed) {
    return refuse(deps, req, 429, `rate limit of ${source.rateLimitPerSec}/s for source "${source.name}" exceeded`, undefined, {
      "Retry-After": String(verdict.retryAfterSeconds),
    });
  }

  let raw: string;
  try {
    raw = UTF8.decode(bytes);
  } catch {
    return refuse(deps, req, 400, "body is not valid UTF-8", [{ path: "", message: "not valid UTF-8" }]);
  }
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch (err) {
    const detail = err instanceof RangeError ? "nesting is too deep" : (err as Error).message;
    return refuse(deps, req, 400, `body is not valid JSON: ${detail}`, [{ path: "", message: "not valid JSON" }]);
  }
  if (tooDeep(raw, body)) {
    return refuse(deps, req, 400, `JSON nesting is deeper than ${MAX_DEPTH} levels`, [{ path: "", message: `nesting deeper than ${MAX_DEPTH} levels` }]);
  }
  const nul = mayHoldUnstorable(raw) ? findNulCharacters(body) : [];
  if (nul.length) {
    return refuse(deps, req, 400, "strings must not contain NUL (\\u0000) characters or unpaired UTF-16 surrogates", nul.slice(0, 20).map((path) => ({ path, message: "contains a NUL character or an unpaired surrogate" })));
  }
  const proto = mayHoldProtoKey(raw) ? findProtoKeys(body) : [];
  if (proto.length) {
    return refuse(deps, req, 400, 'the property name "__proto__" is not accepted', proto.slice(0, 20).map((path) => ({ path, message: 'property name "__proto__" is not accepted' })));
  }
  const parsed = parseEvent(source.kind, body);
  if (!parsed.ok) {
    return refuse(deps, req, 400, `invalid ${source.kind} event: ${parsed.issues.length} problem(s)`, parsed.issues);
  }
  const stored = await storeEvent(deps.db, source, req.webhookId!, parsed.event);
  if (stored.status === "accepted") deps.onAccepted?.();
  return { status: stored.status === "duplicate" ? 200 : 202, body: { status: stored.status, eventId: stored.eventId } };
}

/** U+0000 and unpaired surrogates (PostgreSQL text and jsonb cannot hold them): the edge's one pattern, server/lib/safe-text.ts. */
const UNSTORABLE_G = new RegExp(UNSTORABLE.source, "g");

/**
 * In JSON text a NUL or a lone surrogate can only arrive escaped (\u0000, \uD800-\uDFFF): raw
 * control characters are not valid JSON and decoding UTF-8 never yields a lone surrogate. Bodies
 * without such an escape, nearly all of them, skip the walk over every string.
 */
const UNSTORABLE_ESCAPE = /\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})/;
function mayHoldUnstorable(raw: string): boolean {
  return UNSTORABLE_ESCAPE.test(raw);
}

/** Such a payload is refused rather than silently altered. */
function findNulCharacters(value: unknown, path = ""): string[] {
  if (typeof value === "string") return UNSTORABLE.test(value) ? [path || "/"] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => findNulCharacters(v, `${path}/${i}`));
  if (value && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => {
      const p = `${path}/${k.replace(UNSTORABLE_G, "\uFFFD").replace(/~/g, "~0").replace(/\//g, "~1")}`;
      return UNSTORABLE.test(k) ? [p] : findNulCharacters(v, p);
    });
  }
  return [];
}

const clean = (s: string, max: number) => s.replace(UNSTORABLE_G, "\uFFFD").slice(0, max);

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * "__proto__" as a property name: JSON.parse keeps it as an own property, but every later copy
 * (schema parsing, spreading) turns it into a prototype assignment and drops it silently. It is
 * refused with its path instead, so what is stored is exactly what was sent. Only bodies that spell
 * it, or hold an escape that could, are walked.
 */
function mayHoldProtoKey(raw: string): boolean {
  return raw.includes("__proto__") || raw.includes("\\u");
}

function findProtoKeys(value: unknown, path = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => findProtoKeys(v, `${path}/${i}`));
  if (value && typeof value === "object") {
    return Object.keys(value).flatMap((k) => {
      const p = `${path}/${k.replace(UNSTORABLE_G, "\uFFFD").replace(/~/g, "~0").replace(/\//g, "~1")}`;
      return k === "__proto__" ? [p] : findProtoKeys((value as Record<string, unknown>)[k], p);
    });
  }
  return [];
}

/**
 * A webhook id must be printable ASCII (as Standard Webhooks' ids are) and at most 200 characters:
 * anything else is a malformed request (400), not a signature failure. Missing is left to the
 * signature check (401), as docs/api.md's table has it.
 */
function checkWebhookId(id: string | null): string | null {
  if (!id) return null;
  if (id.length > 200) return "webhook-id header is longer than 200 characters";
  if (!/^[\x20-\x7e]+$/.test(id)) return "webhook-id header must be printable ASCII (no control or non-ASCII characters)";
  return null;
}

/** Each secret's key bytes, decoded once; secrets rotate rarely, so the map stays small. */
const keys = new Map<string, Buffer>();
function keyOf(secret: string): Buffer {
  let key = keys.get(secret);
  if (!key) {
    if (keys.size >= 256) keys.clear();
    keys.set(secret, (key = Buffer.from(secret.startsWith("whsec_") ? secret.slice(6) : secret, "base64")));
  }
  return key;
}

/** Standard Webhooks' v1 signature: base64 HMAC-SHA256 of "{id}.{timestamp}." followed by the raw body bytes. */
export function signatureOf(secret: string, id: string, timestamp: string, body: Uint8Array): Buffer {
  return createHmac("sha256", keyOf(secret)).update(`${id}.${timestamp}.`).update(body).digest();
}

function verifySignature(source: SourceInfo, req: WebhookRequest, body: Uint8Array): string | null {
  if (!req.webhookId) return "missing webhook-id header";
  if (!req.timestamp) return "missing webhook-timestamp header";
  if (!req.signature) return "missing webhook-signature header";
  if (!/^\d{1,12}$/.test(req.timestamp)) return "webhook-timestamp must be Unix seconds";
  const skew = Math.floor(Date.now() / 1000) - Number(req.timestamp);
  if (Math.abs(skew) > TOLERANCE_SECONDS) {
    return `webhook-timestamp is ${Math.abs(skew)} s ${skew > 0 ? "in the past" : "in the future"}; the tolerance is ${TOLERANCE_SECONDS} s`;
  }
  if (source.secrets.length === 0) return `no signing secret is configured for source "${source.name}"`;
  const offered = req.signature
    .split(" ")
    .filter((s) => s.startsWith("v1,"))
    .map((s) => Buffer.from(s.slice(3), "base64"));
  for (const secret of source.secrets) {
    const expected = signatureOf(secret, req.webhookId, String(Number(req.timestamp)), body);
    if (offered.some((o) => o.length === expected.length && timingSafeEqual(o, expected))) return null;
  }
  return "no signature matches any active secret of this source";
}

/**
 * Refusals before a valid signature (unknown source, wrong media type, oversized, bad id or
 * signature) cost the sender nothing, so each remote address gets a budget of them per minute;
 * beyond it the answer is a 429 and the rest of that minute's refusals share one counted row.
 * Refusals after a valid signature are bounded by the source's own rate limit instead.
 */
let refusalsPerMinute = 120;
let refusalWindow = { minute: 0, byAddress: new Map<string, number>() };

/** Test hook: the per-address budget of unverified refusals per minute (default 120). */
export function setRefusalBudget(perMinute: number): void {
  refusalsPerMinute = perMinute;
  refusalWindow = { minute: 0, byAddress: new Map() };
}

function overRefusalBudget(addr: string | null): boolean {
  const minute = Math.floor(Date.now() / 60_000);
  // One window at a time: the map holds only this minute's addresses, so it cannot grow without bound.
  if (refusalWindow.minute !== minute) refusalWindow = { minute, byAddress: new Map() };
  // An IPv6 sender's whole /64 shares one budget (server/lib/address-bucket.ts).
  const key = addressBucket(addr);
  const n = (refusalWindow.byAddress.get(key) ?? 0) + 1;
  refusalWindow.byAddress.set(key, n);
  return n > refusalsPerMinute;
}

async function refuseUnverified(deps: IntakeDeps, req: WebhookRequest, status: number, reason: string, issues: Issue[] | undefined, code: string, knownSource: string | null): Promise<WebhookResponse> {
  if (!overRefusalBudget(req.remoteAddr)) return refuse(deps, req, status, reason, issues, undefined, { code, knownSource });
  const retryAfter = String(60 - (Math.floor(Date.now() / 1000) % 60));
  return refuse(deps, req, 429, THROTTLED, undefined, { "Retry-After": retryAfter }, { code: "throttled", knownSource: null });
}

const THROTTLED = "too many refused requests from this address; slow down";

/**
 * Counted, not appended: one row per (status, reason code, source, address, minute), whose `count`
 * grows with each repeat (an upsert on its key), keeping the latest webhook id. The key holds
 * nothing the sender words: the reason is a fixed code (the row keeps the first refusal's text as
 * its sample), an unknown source name counts as "*" (the row keeps the first name), and an IPv6
 * address counts as its /64. So one sender makes at most a row per reason and minute, however it
 * varies its Content-Type, length, timestamps or path. Throttled refusals of an address share one
 * row per minute whatever their source.
 */
const REFUSAL_UPSERT = `INSERT INTO "Refusal" ("id", "sourceName", "httpStatus", "reason", "issues", "webhookId", "remoteAddr", "groupKey")
  VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8)
  ON CONFLICT ("groupKey") DO UPDATE SET "count" = "Refusal"."count" + 1, "lastAt" = CURRENT_TIMESTAMP, "webhookId" = EXCLUDED."webhookId"`;

async function refuse(
  deps: IntakeDeps,
  req: WebhookRequest,
  status: number,
  reason: string,
  issues?: Issue[],
  headers?: Record<string, string>,
  group?: { code: string; knownSource: string | null },
): Promise<WebhookResponse> {
  try {
    const sourceName = clean(req.sourceName, 200);
    const remoteAddr = req.remoteAddr ? clean(req.remoteAddr, 100) : null;
    const storedReason = clean(reason, 2000);
    const minute = Math.floor(Date.now() / 60_000);
    // Refusals after a valid signature come from the source itself (bounded by its rate limit): their reason is the key.
    const groupKey = group
      ? refusalGroupKey(status, group.knownSource ?? "*", addressBucket(remoteAddr), minute, `code:${group.code}`)
      : refusalGroupKey(status, sourceName, remoteAddr, minute, storedReason);
    const storedIssues = issues ? JSON.stringify(issues.slice(0, 200).map((i) => ({ path: clean(i.path, 500), message: clean(i.message, 1000) }))) : null;
    const webhookId = req.webhookId ? clean(req.webhookId, 200) : null;
    await deps.db.$executeRawUnsafe(REFUSAL_UPSERT, newId("ref"), sourceName, status, storedReason, storedIssues, webhookId, remoteAddr, groupKey);
  } catch (err) {
    // A connection-level failure is the outage, logged once by the availability tracker.
    if (!(deps.availability ? deps.availability.noteFailure(err) : isDatabaseUnavailable(err))) {
      log.error({ err, source: req.sourceName, status }, "could not record refusal");
    }
  }
  const body: Record<string, unknown> = { error: reason };
  if (issues) body.issues = issues;
  return { status, body, headers };
}
