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
 *   when it changes, the override lapses and the acceptance it carried is withdrawn.
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
/** Rounds of one to three source events, each round ending in a decision (skipped when nothing is held). */
const stepsArb: fc.Arbitrary<Step[]> = fc
  .array(fc.tuple(fc.array(eventArb, { minLength: 1, maxLength: 3 }), decisionArb), { minLength: 1, maxLength: 5 })
  .map((rounds) => rounds.flatMap(([events, decision]) => [...events, decision]));

interface TicketV { v: number; severity: Severity; notes: number; webhookId?: string }
interface IncidentV { v: number; severity: Severity; status: IncidentStatus; webhookId?: string }
interface Projection { severity: Severity; notes: number; incident: { severity: Severity; status: IncidentStatus } | null }

/** What a specialist predicts from the SPEC. */
class Model {
  tickets: TicketV[] = [];
  incidents: IncidentV[] = [];
  quarantined = new Set<string>(); // "ticket@v" / "incident@v"
  approved = new Set<string>();
  override: { value: Severity; sourceValue: Severity; settled: string[] } | null = null;
  current: { ticketV: number; incidentV: number | null; record: Projection } | null = null;
  /** The newest candidate's hit, when held. */
  open: { fingerprint: string; ticketV: number; incidentV: number } | null = null;

  private newest<T extends { v: number }>(list: T[], kind: string): T | undefined {
    return [...list].reverse().find((e) => !this.quarantined.has(`${kind}@${e.v}`));
  }

  refresh(): void {
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
    const hit = i && i.status !== "resolved" && Math.abs(level(severity) - level(i.severity)) >= 2 && !this.approved.has(fingerprint);
    if (hit) {
      this.open = { fingerprint, ticketV: t.v, incidentV: i.v };
      return;
    }
    this.open = null;
    this.current = { ticketV: t.v, incidentV: i?.v ?? null, record };
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
const decided = { approve: 0, reject: 0, refused: 0, override: 0 };
beforeAll(async () => {
  t = await createTestDb();
  alice = await createUser(t.db, "specialist", "Alice Specialist");
});
afterAll(async () => {
  await t?.close();
});

async function observed(caseId: string) {
  const [cur, state, quarantined] = await Promise.all([
    currentRecord(t.db, caseId),
    caseState(t.db, caseId),
    t.db.webhookEvent.findMany({ where: { status: "quarantined", caseId }, select: { entityKind: true, entityVersion: true } }),
  ]);
  const r = cur?.record as { case: { severity: Severity }; notes: unknown[]; incidents?: { severity: Severity; status: IncidentStatus }[] } | undefined;
  const inc = r?.incidents?.[0];
  return {
    record: r ? { severity: r.case.severity, notes: r.notes.length, incident: inc ? { severity: inc.severity, status: inc.status } : null } : null,
    open: state.live.map((e) => e.rule),
    liveId: state.live[0]?.id,
    quarantined: quarantined.map((q) => `${q.entityKind}@${q.entityVersion}`).sort(),
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
      m.refresh();
    } else if (step.k === "incident") {
      const v = m.incidents.length + 1;
      const webhookId = await post(incident(incidentId, v, { caseIds: [caseId], affectedAccounts: ["ACC-RM"], severity: step.severity, status: step.status }));
      m.incidents.push({ v, severity: step.severity, status: step.status, webhookId });
      m.refresh();
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
          m.refresh();
        }
      } else {
        if (m.override) {
          // A second override of the same field would inherit the first one's source value; keep the model simple.
          await resolveException(t, alice, live, { kind: "approve", note: "Checked with the incident commander" });
          m.approved.add(m.open.fingerprint);
        } else {
          const t0 = [...m.tickets].reverse().find((e) => !m.quarantined.has(`ticket@${e.v}`))!;
          await resolveException(t, alice, live, { kind: "override", note: "Agreed with the customer", path: "/case/severity", value: step.severity });
          m.approved.add(m.open.fingerprint);
          decided.override++;
          m.override = { value: step.severity, sourceValue: t0.severity, settled: [m.open.fingerprint] };
        }
        m.refresh();
      }
    }
    const seen = await observed(caseId);
    expect(seen.record, where).toEqual(m.current?.record ?? null);
    expect(seen.open, where).toEqual(m.open ? ["SEVERITY_CONFLICT"] : []);
    expect(seen.quarantined, where).toEqual([...m.quarantined].sort());
  }
  // Event status follows the outcome: quarantined events say so; nothing is left `received`.
  for (const e of [...m.tickets.map((x) => ({ ...x, kind: "ticket", source: "ticketing" })), ...m.incidents.map((x) => ({ ...x, kind: "incident", source: "incident" }))]) {
    const status = (await getEventStatus(t.db, e.source, e.webhookId!)).status;
    if (m.quarantined.has(`${e.kind}@${e.v}`)) expect(status, `${caseId} ${e.kind}@${e.v}`).toBe("quarantined");
    else expect(status, `${caseId} ${e.kind}@${e.v}`).not.toMatch(/^(received|quarantined|failed)$/);
  }
}

describe(`review decisions against the reference model (${TEST_DB_KIND})`, () => {
  it(`${RUNS} random sequences of ticket and incident versions with approve / reject / override`, async () => {
    await fc.assert(
      fc.asyncProperty(stepsArb, async (steps) => {
        await runSequence(steps);
        await yieldToEventLoop();
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    console.log(`review model: ${JSON.stringify(decided)}`);
    // A refused reject needs a conflict no event caused (reference data): rare here, covered by reject-offending.test.ts.
    if (RUNS >= 40) for (const [kind, count] of Object.entries(decided).filter(([k]) => k !== "refused")) expect(count, `${kind} decisions exercised`).toBeGreaterThanOrEqual(3);
  }, 900_000);
});
