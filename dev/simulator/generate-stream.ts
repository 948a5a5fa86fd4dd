import type { SourceKind } from "../../server/intake/event-schemas";
import { eventContract } from "../../server/intake/event-schemas";
import type { Rule } from "../../server/refresh/types";
import { conflictingEvent } from "./conflicting-event";
import { Random } from "./random";
import { createWorld, iso, routineEvent, routineFollowUp } from "./simulate-world";

/** An docs/api.md envelope. */
export interface EventBody {
  type: string;
  caseId: string;
  entity: { kind: string; id: string };
  version: number;
  occurredAt: string;
  data: Record<string, unknown>;
}

/**
 * How a delivery relates to what was sent before: `duplicate` repeats an earlier webhook-id and
 * body, `stale` re-sends an older version under a new webhook-id, `out_of_order` is an older
 * version sent right after a newer one of the same entity.
 */
export type Delivery = "fresh" | "duplicate" | "stale" | "out_of_order";

export interface StreamItem {
  seq: number;
  source: SourceKind;
  webhookId: string;
  body: EventBody;
  delivery: Delivery;
  /** The rule this event is meant to trip, when it is one of the occasional conflicting events. */
  conflict: Rule | null;
  /** Items of one burst share a number; the poster sends them back to back. */
  burst: number | null;
}

export interface StreamMix {
  duplicate: number;
  stale: number;
  outOfOrder: number;
  conflict: number;
  burst: number;
}

export const DEFAULT_MIX: StreamMix = { duplicate: 0.05, stale: 0.03, outOfOrder: 0.02, conflict: 0.02, burst: 0.02 };

export interface StreamOptions {
  seed: number;
  cases: number;
  /** occurredAt of the first event, in ms since the epoch. */
  epochMs: number;
  /** occurredAt advances this much per fresh event (the poster's interval keeps it near real time). */
  stepMs?: number;
  mix?: Partial<StreamMix>;
}


interface EntityLog {
  version: number;
  /** Fresh bodies sent so far, oldest first. */
  sent: { body: EventBody; webhookId: string }[];
}


/** Recent history only: re-deliveries in real systems come from retry windows, not from last week. */
const DUPLICATE_WINDOW = 1000;
const STALE_WINDOW = 500;
const VERSIONS_KEPT = 8;

/**
 * A pure, seeded stream of realistic events for the five built-in sources: the same options give
 * the same items, so tests and benchmarks can replay it. The world (accounts, cases, incidents,
 * environments) evolves as real systems would, with occasional duplicates, stale and out-of-order
 * versions, bursts and conflicting events mixed in.
 */
export function* generateStream(opts: StreamOptions): Generator<StreamItem, never, undefined> {
  const rng = new Random(opts.seed);
  const mix = { ...DEFAULT_MIX, ...opts.mix };
  const stepMs = opts.stepMs ?? 1000;
  const entities = new Map<string, EntityLog>();
  const world = createWorld(rng, Math.max(1, opts.cases), (keys) => keys.forEach((k) => entities.delete(k)));
  const freshSent: StreamItem[] = [];
  const recentEntities: string[] = [];
  const queue: Omit<StreamItem, "seq" | "burst">[] = [];
  const idTag = (opts.seed >>> 0).toString(36);
  let seq = 0;
  let clock = opts.epochMs;
  let burstNo = 0;
  let burstLeft = 0;
  let currentBurst: number | null = null;
  let webhookSeq = 0;
  const nextWebhookId = () => `msg_${idTag}_${(++webhookSeq).toString(36).padStart(5, "0")}`;

  /** Assigns the entity's next version and remembers the body for later stale deliveries. */
  const fresh = (source: SourceKind, caseId: string, entityId: string, data: Record<string, unknown>, conflict: Rule | null = null) => {
    const key = `${source}/${entityId}`;
    const log = entities.get(key) ?? { version: 0, sent: [] };
    entities.set(key, log);
    log.version += rng.chance(0.1) ? 2 : 1; // gaps in versions are fine
    clock += stepMs;
    const contract = eventContract[source];
    const body: EventBody = {
      type: contract.type,
      caseId,
      entity: { kind: contract.entityKind, id: entityId },
      version: log.version,
      occurredAt: iso(clock),
      data: structuredClone(data),
    };
    const webhookId = nextWebhookId();
    log.sent.push({ body, webhookId });
    if (log.sent.length > VERSIONS_KEPT) log.sent.shift();
    recentEntities.push(key);
    if (recentEntities.length > STALE_WINDOW) recentEntities.shift();
    return { source, webhookId, body, delivery: "fresh" as Delivery, conflict };
  };

  const makeEvent = (conflict: boolean) => {
    if (conflict) {
      const c = conflictingEvent(rng, world, fresh);
      if (c) return c;
    }
    return routineEvent(rng, world, fresh, iso(clock));
  };

  for (;;) {
    if (!queue.length) {
      const roll = rng.next();
      const olds = freshSent;
      if (roll < mix.duplicate && olds.length) {
        const orig = rng.pick(olds);
        queue.push({ source: orig.source, webhookId: orig.webhookId, body: orig.body, delivery: "duplicate", conflict: null });
      } else if (roll < mix.duplicate + mix.stale && entities.size) {
        const stale = staleDelivery(rng, entities, recentEntities);
        if (stale) queue.push({ ...stale, webhookId: nextWebhookId() });
        else queue.push(makeEvent(false));
      } else if (roll < mix.duplicate + mix.stale + mix.outOfOrder) {
        // Two versions of one entity, the newer delivered first: the older one is then stale.
        const first = makeEvent(false);
        const second = routineFollowUp(rng, world, fresh, first);
        if (second) queue.push(second, { ...first, delivery: "out_of_order" });
        else queue.push(first);
      } else {
        queue.push(makeEvent(rng.chance(mix.conflict / Math.max(1e-9, 1 - mix.duplicate - mix.stale - mix.outOfOrder))));
      }
      if (burstLeft === 0 && rng.chance(mix.burst)) {
        burstLeft = rng.int(5, 25);
        currentBurst = ++burstNo;
      }
    }
    const next = queue.shift()!;
    const item: StreamItem = { ...next, seq: ++seq, burst: burstLeft > 0 ? currentBurst : null };
    if (burstLeft > 0 && --burstLeft === 0) currentBurst = null;
    if (item.delivery === "fresh") {
      freshSent.push(item);
      if (freshSent.length > DUPLICATE_WINDOW) freshSent.shift();
    }
    yield item;
  }
}

/** The first `count` items of a stream. */
export function takeStream(opts: StreamOptions, count: number): StreamItem[] {
  const out: StreamItem[] = [];
  for (const item of generateStream(opts)) {
    out.push(item);
    if (out.length >= count) break;
  }
  return out;
}

function staleDelivery(rng: Random, entities: Map<string, EntityLog>, recent: string[]): Omit<StreamItem, "seq" | "burst" | "webhookId"> | null {
  const candidates = recent.filter((k) => (entities.get(k)?.sent.length ?? 0) > 1);
  if (!candidates.length) return null;
  const key = rng.pick(candidates);
  const log = entities.get(key)!;
  const old = log.sent[rng.int(0, log.sent.length - 2)]!;
  return { source: key.slice(0, key.indexOf("/")) as SourceKind, body: old.body, delivery: "stale", conflict: null };
}

