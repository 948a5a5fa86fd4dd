import { AppError } from "../../server/lib/errors";
import type { StreamItem } from "./generate-stream";
import { postSigned, signWebhook } from "./sign";

export interface PostOutcome {
  item: StreamItem;
  /** HTTP status, or null when the request failed (connection refused or reset). */
  status: number | null;
  body: Record<string, unknown>;
  error?: string;
}

export interface PostOptions {
  baseUrl: string;
  /** Signing secret by source name. */
  secrets: Record<string, string>;
  /** Requests started per second, whatever the answers (open loop). */
  rate: number;
  /** Stop scheduling after this long. */
  durationSeconds?: number;
  /** Stop after this many items. */
  maxItems?: number;
  /** Bound on requests in flight: beyond it the sender waits, and says so in the summary. */
  maxInFlight?: number;
  onOutcome?: (o: PostOutcome) => void;
  /** Keep every outcome in the summary (tests); a long run only keeps the tallies. */
  keepOutcomes?: boolean;
  signal?: AbortSignal;
}

export interface PostSummary {
  sent: number;
  byStatus: Record<string, number>;
  bySourceAndStatus: Record<string, Record<string, number>>;
  byDeliveryAndStatus: Record<string, Record<string, number>>;
  errors: number;
  /** How often the in-flight bound made the sender fall behind its schedule. */
  throttled: number;
  seconds: number;
  /** Every outcome in stream order, with keepOutcomes. */
  outcomes: PostOutcome[];
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\]|::1)$/i;

/** The simulator only ever talks to this machine: it floods by design. */
export function assertLoopback(baseUrl: string): URL {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new AppError("BAD_REQUEST", `not a URL: ${baseUrl}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new AppError("BAD_REQUEST", `unsupported protocol ${url.protocol}`);
  if (!LOOPBACK.test(url.hostname)) {
    throw new AppError("BAD_REQUEST", `the simulator only posts to loopback addresses (127.0.0.0/8, ::1, localhost), not ${url.hostname}`);
  }
  return url;
}

/** "202 accepted", "200 duplicate", "401", "error": how a delivery ended, for tallies. */
export function outcomeLabel(o: Pick<PostOutcome, "status" | "body">): string {
  if (o.status === null) return "error";
  const s = typeof o.body.status === "string" ? ` ${o.body.status}` : "";
  return `${o.status}${s}`;
}

/** Waits until an item's slot; an abort ends the wait at once. */
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });

/**
 * Posts a stream open-loop: item i starts at t0 + i/rate (a burst's items all start at its first
 * slot), signed at send time, without waiting for earlier answers, up to maxInFlight at once.
 */
export async function postStream(items: Iterable<StreamItem>, opts: PostOptions): Promise<PostSummary> {
  const base = assertLoopback(opts.baseUrl).toString();
  if (!(opts.rate > 0)) throw new AppError("BAD_REQUEST", "rate must be a positive number of requests per second");
  const maxInFlight = opts.maxInFlight ?? 256;
  const deadline = opts.durationSeconds !== undefined ? opts.durationSeconds * 1000 : Infinity;
  const maxItems = opts.maxItems ?? Infinity;
  const summary: PostSummary = { sent: 0, byStatus: {}, bySourceAndStatus: {}, byDeliveryAndStatus: {}, errors: 0, throttled: 0, seconds: 0, outcomes: [] };
  const inFlight = new Set<Promise<void>>();
  const started = performance.now();
  let slot = 0;
  let burstNo: number | null = null;
  let burstAt = 0;

  for (const item of items) {
    if (summary.sent >= maxItems || opts.signal?.aborted) break;
    let due: number;
    if (item.burst !== null && burstNo === item.burst) due = burstAt;
    else {
      due = (slot * 1000) / opts.rate;
      if (item.burst !== null) [burstNo, burstAt] = [item.burst, due];
    }
    slot++;
    if (due >= deadline) break;
    await sleep(due - (performance.now() - started), opts.signal);
    if (inFlight.size >= maxInFlight) {
      summary.throttled++;
      while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    }
    const secret = opts.secrets[item.source];
    if (!secret) throw new AppError("BAD_REQUEST", `no signing secret for source ${item.source}`);
    summary.sent++;
    const p = send(base, secret, item).then((o) => {
      inFlight.delete(p);
      record(summary, o, opts.keepOutcomes ?? false);
      opts.onOutcome?.(o);
    });
    inFlight.add(p);
  }
  await Promise.all(inFlight);
  summary.seconds = (performance.now() - started) / 1000;
  summary.outcomes.sort((a, b) => a.item.seq - b.item.seq);
  return summary;
}

async function send(baseUrl: string, secret: string, item: StreamItem): Promise<PostOutcome> {
  const req = signWebhook({ baseUrl, source: item.source, secret, webhookId: item.webhookId, body: JSON.stringify(item.body) });
  try {
    const res = await postSigned(req);
    return { item, status: res.status, body: res.body };
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    return { item, status: null, body: {}, error: cause?.code ?? cause?.message ?? (err as Error).message };
  }
}

function bump(map: Record<string, Record<string, number>>, key: string, label: string) {
  const row = (map[key] ??= {});
  row[label] = (row[label] ?? 0) + 1;
}

function record(summary: PostSummary, o: PostOutcome, keep: boolean) {
  const label = outcomeLabel(o);
  summary.byStatus[label] = (summary.byStatus[label] ?? 0) + 1;
  bump(summary.bySourceAndStatus, o.item.source, label);
  bump(summary.byDeliveryAndStatus, o.item.delivery, label);
  if (o.status === null) summary.errors++;
  if (keep) summary.outcomes.push(o);
}
