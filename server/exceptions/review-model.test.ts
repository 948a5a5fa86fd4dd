import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getEventStatus } from "../api/read-api";
import type { Actor } from "../lib/audit";
import { AppError } from "../lib/errors";
import { drain } from "../refresh/process-events";
import { caseState, createUser, currentRecord } from "../../dev/testing/refresh";
import { incident, ticket } from "../../dev/testing/events";
import { ingest } from "../../dev/testing/ingest";
import { createTestDb, TEST_DB_KIND, type TestDb } from "../../dev/testing/test-db";
import { claimException, resolveException } from "./resolve-exception";

/**
 * Review decisions against a reference model (docs/domain.md, "What these mean precisely"). Random
 * sequences of ticket and incident versions for one case, interleaved with approve / reject /
 * override decisions on the SEVERITY_CONFLICT they provoke, are run through the real intake, engine
 * and resolution code; after every step the current record, the open exception and the quarantined
 * events must be what a specialist reading the SPEC would predict:
 *
 * - the record is built from each entity's newest accepted, non-quarantined version (events are
 *   full-state transfers), with an active override standing for `/case/severity`;
 * - the rule fires when the record's severity and the open incident's are two or more levels apart,
 *   unless a specialist accepted that exact pair (approve, or the override that settled it); a hit
 *   holds the candidate and the current version stays, no hit makes the candidate current;
 * - reject quarantines the offending events only: the ones newer than the current version that
 *   change what the rule reads (the ticket's severity; the incident's severity or status, or every
 *   version of an incident the current record does not hold) up to the version reviewed; with
 *   nothing offending it is refused and changes nothing;
 * - an override holds while the ticket's own severity stays what it was when the override was made;
 *   when it changes, the override lapses and the acceptance it carried is withdrawn. A second
 *   override of the overridden field replaces the first and keeps the source value the first was
 *   made against (the first one's acceptance stays);
 * - versions: a candidate equal to the current record (and its override) stores nothing; a held
 *   candidate equal to the one already held is kept; a candidate that passes becomes current,
 *   promoting an equal held twin (its number kept) or taking the next number;
 * - event status follows the outcome: an event is applied (or held) with the version whose
 *   lineage holds its own entity version, else no_change; events held behind an exception take
 *   the outcome of the refresh that releases the case (applied or no_change); applied and
 *   quarantined are final.
 */
const RUNS = Number(process.env.PROPERTY_RUNS ?? 50);
const SEED = Number(process.env.PROPERTY_SEED ?? 20261202);

const SEVERITIES = ["S1", "S2", "S3", "S4"] as const;
type Severity = (typeof SEVERITIES)[number];
type IncidentStatus = "investigating" | "resolved";
const level = (s: Severity) => SEVERITIES.indexOf(s);

type Step =
  | { k: "ticket"; severity: Severity }
  | { k: "incident"; severity: Severity; status: IncidentStatus }
  | { k: "approve" }
  | { k: "reject" }
  | { k: "override"; severity: Severity };

const eventArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ k: fc.constant("ticket" as const), severity: fc.constantFrom<Severity>("S3", "S3", "S4", "S2", "S1") }),
  fc.record({
    k: fc.constant("incident" as const),
    // Skewed away from the ticket's usual S3, so conflicts (and decisions on them) are common.
    severity: fc.constantFrom<Severity>("S1", "S1", "S2", "S3", "S4"),
    status: fc.constantFrom<IncidentStatus>("investigating", "investigating", "resolved"),
  }),
);
const decisionArb: fc.Arbitrary<Step> = fc.oneof(
  fc.constant({ k: "approve" as const }),
  fc.constant({ k: "reject" as const }),
  fc.record({ k: fc.constant("override" as const), severity: fc.constantFrom(...SEVERITIES) }),
);
/**
 * Sequences run before the random ones: an override overridden again while it holds (it keeps the
 * first one's source value), then a ticket that leaves the severity alone, then one that changes it.
 */
const EXAMPLES: Step[][] = [
  [
    { k: "incident", severity: "S1", status: "investigating" },
    { k: "override", severity: "S4" },
    { k: "incident", severity: "S2", status: "investigating" },
    { k: "override", severity: "S2" },
    { k: "ticket", severity: "S3" },
    { k: "incident", severity: "S4", status: "investigating" },
    { k: "override", severity: "S4" },
    { k: "ticket", severity: "S1" },
    { k: "approve" },
  ],
];
/** Rounds of one to three source events, each round ending in a decision (skipped when nothing is held). */
const stepsArb: fc.Arbitrary<Step[]> = fc
  .array(fc.tuple(fc.array(eventArb, { minLength: 1, maxLength: 3 }), decisionArb), { minLength: 1, maxLength: 5 })
  .map((rounds) => rounds.flatMap(([events, decision]) => [...events, decision]));

interface TicketV { v: number; severity: Severity; notes: number; webhookId?: string }
interface IncidentV { v: number; severity: Severity; status: IncidentStatus; webhookId?: string }
interface Projection { severity: Severity; notes: number; incident: { severity: Severity; status: IncidentStatus } | null }
type Outcome = "applied" | "held" | "no_change" | "quarantined";
/** A stored version as the model sees it: its number, record, override and the entity versions in its lineage. */
interface ModelVersion { v: number; record: string; overrideId: number | null; ticketV: number; incidentV: number | null }

/** What a specialist predicts from the SPEC. */
class Model {
  tickets: TicketV[] = [];
  incidents: IncidentV[] = [];
  quarantined = new Set<string>(); // "ticket@v" / "incident@v"
  approved = new Set<string>();
  override: { id: number; value: Severity; sourceValue: Severity; settled: string[] } | null = null;
  private overrides = 0;
  lastVersion = 0;
  stored: { current: ModelVersion | null; held: ModelVersion | null } = { current: null, held: null };
  /** Each event's outcome in the case and the version it is part of ("ticket@v" → …). */
  outcomes = new Map<string, { outcome: Outcome; version: number | null }>();
  current: { ticketV: number; incidentV: number | null; record: Projection } | null = null;
  /** The newest candidate's hit, when held. */
  open: { fingerprint: string; ticketV: number; incidentV: number } | null = null;

  private newest<T extends { v: number }>(list: T[], kind: string): T | undefined {
    return [...list].reverse().find((e) => !this.quarantined.has(`${kind}@${e.v}`));
  }

  /** A specialist's override of /case/severity; a second one keeps the first one's source value. */
  overrideWith(value: Severity, ticketSeverity: Severity, fingerprint: string): void {
    this.approved.add(fingerprint);
    this.override = { id: ++this.overrides, value, sourceValue: this.override?.sourceValue ?? ticketSeverity, settled: [fingerprint] };
  }

  /** A refresh of the case; `processing` is the event it was run for (none for a resolution's refresh). */
  refresh(processing?: string): void {
    const t = this.newest(this.tickets, "ticket");
    if (!t) return;
    const i = this.newest(this.incidents, "incident");
    if (this.override && this.override.sourceValue !== t.severity) {
      for (const f of this.override.settled) this.approved.delete(f);
      this.override = null;
    }
    const severity = this.override?.value ?? t.severity;
    const record: Projection = { severity, notes: t.notes, incident: i ? { severity: i.severity, status: i.status } : null };
    const fingerprint = `ticket:${severity}|INC:${i?.severity}`;
    const hit = !!i && i.status !== "resolved" && Math.abs(level(severity) - level(i.severity)) >= 2 && !this.approved.has(fingerprint);
    this.store(processing, hit, { v: 0, record: JSON.stringify(record), overrideId: this.override?.id ?? null, ticketV: t.v, incidentV: i?.v ?? null });
    if (hit) {
      this.open = { fingerprint, ticketV: t.v, incidentV: i.v };
      return;
    }
    this.open = null;
    this.current = { ticketV: t.v, incidentV: i?.v ?? null, record };
  }

  /** The write step and the events' outcomes (write-version.ts, record-outcomes.ts). */
  private store(processing: string | undefined, hit: boolean, candidate: ModelVersion): void {
    const { current, held } = this.stored;
    let decision: "applied" | "held" | "no_change";
    let refersTo: ModelVersion;
    if (current && current.record === candidate.record && current.overrideId === candidate.overrideId) {
      this.stored.held = null;
      decision = hit ? "held" : "no_change";
      refersTo = current;
    } else if (hit) {
      decision = "held";
      if (held && held.record === candidate.record) refersTo = held;
      else refersTo = this.stored.held = { ...candidate, v: ++this.lastVersion };
    } else {
      decision = "applied";
      const promote = held && held.record === candidate.record && held.overrideId === candidate.overrideId;
      refersTo = this.stored.current = { ...candidate, v: promote ? held.v : ++this.lastVersion };
      this.stored.held = null;
    }
    const settling = [...this.outcomes].filter(([, o]) => (decision !== "held" && o.outcome === "held")).map(([k]) => k);
    for (const key of processing ? [processing, ...settling] : settling) {
      const before = this.outcomes.get(key);
      if (before && (before.outcome === "applied" || before.outcome === "quarantined")) continue;
      const [kind, v] = key.split("@") as ["ticket" | "incident", string];
      const inLineage = Number(v) === (kind === "ticket" ? refersTo.ticketV : refersTo.incidentV);
      this.outcomes.set(
        key,
        this.quarantined.has(key)
          ? { outcome: "quarantined", version: null }
          : inLineage
            ? { outcome: decision === "no_change" ? "applied" : decision, version: refersTo.v }
            : { outcome: "no_change", version: null },
      );
    }
  }

  /** The offending events of a reject, or none (the reject is then refused). */
  offending(): string[] {
    const open = this.open!;
    const cur = this.current!;
    const out: string[] = [];
    const baseT = this.tickets.find((e) => e.v === cur.ticketV)!;
    for (const e of this.tickets) {
      if (e.v <= cur.ticketV || e.v > open.ticketV || this.quarantined.has(`ticket@${e.v}`)) continue;
      if (e.severity !== baseT.severity) out.push(`ticket@${e.v}`);
    }
    const baseI = cur.incidentV === null ? undefined : this.incidents.find((e) => e.v === cur.incidentV);
    for (const e of this.incidents) {
      if (e.v <= (cur.incidentV ?? 0) || e.v > open.incidentV || this.quarantined.has(`incident@${e.v}`)) continue;
      if (!baseI || e.severity !== baseI.severity || e.status !== baseI.status) out.push(`incident@${e.v}`);
    }
    return out;
  }
}

let t: TestDb;
let alice: Actor;
let run = 0;
/** Which decisions the sequences exercised (a property that never decides proves nothing). */
const decided = { approve: 0, reject: 0, refused: 0, override: 0, secondOverride: 0 };
beforeAll(async () => {
  t = await createTestDb();
  alice = await createUser(t.db, "specialist", "Alice Specialist");
});
afterAll(async () => {
  await t?.close();
});

async function observed(caseId: string) {
  const [cur, state, quarantined, outcomes] = await Promise.all([
    currentRecord(t.db, caseId),
    caseState(t.db, caseId),
    t.db.webhookEvent.findMany({ where: { status: "quarantined", caseId }, select: { entityKind: true, entityVersion: true } }),
    t.db.eventCase.findMany({ where: { caseId }, select: { outcome: true, recordVersion: true, event: { select: { entityKind: true, entityVersion: true } } } }),
  ]);
  const r = cur?.record as { case: { severity: Severity }; notes: unknown[]; incidents?: { severity: Severity; status: IncidentStatus }[] } | undefined;
  const inc = r?.incidents?.[0];
  return {
    record: r ? { severity: r.case.severity, notes: r.notes.length, incident: inc ? { severity: inc.severity, status: inc.status } : null } : null,
    open: state.live.map((e) => e.rule),
    liveId: state.live[0]?.id,
    quarantined: quarantined.map((q) => `${q.entityKind}@${q.entityVersion}`).sort(),
    outcomes: Object.fromEntries(
      outcomes.map((o) => [`${o.event.entityKind}@${o.event.entityVersion}`, { outcome: o.outcome, version: o.recordVersion }] as const).sort(([a], [b]) => a.localeCompare(b)),
    ),
  };
}

async function runSequence(steps: Step[]): Promise<void> {
  const caseId = `CASE-RM${++run}`;
  const incidentId = `INC-RM${run}`;
  const m = new Model();
  const note = (n: number) => Array.from({ length: n }, (_, k) => ({ id: `n${k + 1}`, author: "agent", body: `Note ${k + 1}`, at: "2026-11-27T05:00:00Z" }));
  const post = async (ev: ReturnType<typeof ticket>) => {
    const stored = await ingest(t, ev);
    await drain(t);
    return (await t.db.webhookEvent.findUniqueOrThrow({ where: { id: stored.eventId } })).webhookId;
  };
  // Most sequences start with a linked incident, so conflicts (and decisions) come early; the rest
  // link one later, when the current record holds no incident and its every version is a change.
  const opening: Step[] = run % 3 ? [{ k: "ticket", severity: "S3" }, { k: "incident", severity: "S3", status: "investigating" }] : [{ k: "ticket", severity: "S3" }];
  const all: Step[] = [...opening, ...steps];
  for (const [n, step] of all.entries()) {
    const where = `${caseId} step ${n} ${JSON.stringify(step)} of ${JSON.stringify(all)}`;
    if (step.k === "ticket") {
      const v = m.tickets.length + 1;
      // Every ticket version adds a note, so each one changes the record and innocent updates show.
      const webhookId = await post(ticket(caseId, v, { severity: step.severity, accountId: "ACC-RM", notes: note(v) }));
      m.tickets.push({ v, severity: step.severity, notes: v, webhookId });
      m.refresh(`ticket@${v}`);
    } else if (step.k === "incident") {
      const v = m.incidents.length + 1;
      const webhookId = await post(incident(incidentId, v, { caseIds: [caseId], affectedAccounts: ["ACC-RM"], severity: step.severity, status: step.status }));
      m.incidents.push({ v, severity: step.severity, status: step.status, webhookId });
      m.refresh(`incident@${v}`);
    } else {
      if (!m.open) continue;
      const live = (await observed(caseId)).liveId!;
      await claimException(t, alice, live);
      if (step.k === "approve") {
        await resolveException(t, alice, live, { kind: "approve", note: "Checked with the incident commander" });
        decided.approve++;
        m.approved.add(m.open.fingerprint);
        m.refresh();
      } else if (step.k === "reject") {
        const offending = m.offending();
        const attempt = resolveException(t, alice, live, { kind: "reject", note: "Sent by mistake" });
        if (!offending.length) {
          decided.refused++;
          await expect(attempt, where).rejects.toSatisfy((e) => e instanceof AppError && e.code === "BAD_REQUEST");
          // Refused: the exception stays live (claimed), nothing is quarantined; unclaim is not needed for the model.
        } else {
          await attempt;
          decided.reject++;
          for (const o of offending) m.quarantined.add(o);
          m.stored.held = null; // the held candidate is rejected
          m.refresh();
        }
      } else {
        const t0 = [...m.tickets].reverse().find((e) => !m.quarantined.has(`ticket@${e.v}`))!;
        if (m.override) decided.secondOverride++;
        await resolveException(t, alice, live, { kind: "override", note: "Agreed with the customer", path: "/case/severity", value: step.severity });
        decided.override++;
        m.overrideWith(step.severity, t0.severity, m.open.fingerprint);
        m.refresh();
      }
    }
    const seen = await observed(caseId);
    expect(seen.record, where).toEqual(m.current?.record ?? null);
    expect(seen.open, where).toEqual(m.open ? ["SEVERITY_CONFLICT"] : []);
    expect(seen.quarantined, where).toEqual([...m.quarantined].sort());
    // Each event's outcome in the case and the version it is part of, after every step (one query;
    // the read API's answer is checked at the end).
    expect(seen.outcomes, where).toEqual(Object.fromEntries([...m.outcomes].sort(([a], [b]) => a.localeCompare(b))));
  }
  // Event status follows the outcome: each event's outcome in the case and the version it became
  // part of are the model's; quarantined events say so; nothing is left `received`.
  for (const e of [...m.tickets.map((x) => ({ ...x, kind: "ticket", source: "ticketing" })), ...m.incidents.map((x) => ({ ...x, kind: "incident", source: "incident" }))]) {
    const key = `${e.kind}@${e.v}`;
    const status = await getEventStatus(t.db, e.source, e.webhookId!);
    const expected = m.outcomes.get(key);
    expect({ key, in: status.cases.find((c) => c.caseId === caseId) }, `${caseId} ${key} of ${JSON.stringify(all)}`).toEqual({ key, in: expected && { caseId, ...expected } });
    if (m.quarantined.has(key)) expect(status.status, `${caseId} ${key}`).toBe("quarantined");
    else if (status.cases.length === 1) expect(status.status, `${caseId} ${key}`).toBe(expected?.outcome);
    else expect(status.status, `${caseId} ${key}`).not.toMatch(/^(received|quarantined|failed)$/);
  }
}

describe(`review decisions against the reference model (${TEST_DB_KIND})`, () => {
  it(`${RUNS} random sequences of ticket and incident versions with approve / reject / override`, async () => {
    await fc.assert(
      fc.asyncProperty(stepsArb, async (steps) => {
        await runSequence(steps);
        await yieldToEventLoop();
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true, examples: EXAMPLES.map((steps) => [steps]) },
    );
    console.log(`review model: ${JSON.stringify(decided)}`);
    if (RUNS >= 10) expect(decided.secondOverride, "an override overridden again while it holds").toBeGreaterThanOrEqual(2);
    // A refused reject needs a conflict no event caused (reference data): rare here, covered by reject-offending.test.ts.
    if (RUNS >= 40) for (const [kind, count] of Object.entries(decided).filter(([k]) => k !== "refused" && k !== "secondOverride")) expect(count, `${kind} decisions exercised`).toBeGreaterThanOrEqual(3);
  }, 900_000);
});
