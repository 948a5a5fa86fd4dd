import type { SourceKind } from "../../server/intake/event-schemas";
import type { Rule } from "../../server/refresh/types";
import type { EventBody } from "../simulator/generate-stream";

/**
 * Steps of the demo story and how they are packed into rounds in which no case is touched twice.
 * The runner lets the engine finish a round before posting the next, so each event that changes a
 * case makes exactly one version of it, whatever the worker's batching: the histories come out
 * the same every time.
 */
export interface DemoEventStep {
  kind: "event";
  source: string;
  sourceKind: SourceKind;
  webhookId: string;
  body: EventBody;
  /** Every case the event fans out to (docs/domain.md's table). */
  touches: string[];
}

export type DemoActionStep =
  | { kind: "resolve"; caseId: string; rule: Rule; resolution: "approve" | "reject" | "override"; note: string; path?: string; value?: string; touches: string[] }
  | { kind: "onboard"; name: string; sourceKind: SourceKind; note: string; touches: string[] }
  | { kind: "alias"; aliasKind: "product" | "tier"; alias: string; code: string; note: string; touches: string[] };

export type DemoStep = DemoEventStep | DemoActionStep;

export interface DemoRound {
  events: DemoEventStep[];
  /** Run after the round's events are processed. */
  actions: DemoActionStep[];
}

export interface DemoScenario {
  rounds: DemoRound[];
  events: number;
  cases: string[];
  /** The case left with an open exception for each rule. */
  openByRule: Record<Exclude<Rule, never>, string>;
}

/** Greedy packing: each step goes to the first round after the previous step of any case it touches. */
export function packRounds(steps: DemoStep[]): DemoRound[] {
  const rounds: DemoRound[] = [];
  const nextFree = new Map<string, number>();
  let barrier = 0;
  for (const step of steps) {
    const touches = step.touches;
    // An action touching no case (none today) would run after everything before it.
    let r = touches.length ? Math.max(0, ...touches.map((c) => nextFree.get(c) ?? 0)) : rounds.length;
    r = Math.max(r, step.kind === "event" ? 0 : barrier);
    while (rounds.length <= r) rounds.push({ events: [], actions: [] });
    if (step.kind === "event") rounds[r]!.events.push(step);
    else rounds[r]!.actions.push(step);
    for (const c of touches) nextFree.set(c, r + 1);
    if (step.kind !== "event") barrier = r;
  }
  return rounds;
}
