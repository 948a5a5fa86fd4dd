import { bundle, entitlement, environment, incident, ticket, type TestEvent } from "../../dev/testing/events";

/**
 * The events of one case group of the scale seed (bench/scale/seed.ts), built for the group token
 * `token` (TEMPLATE_TOKEN for the template). Every id of the group carries the token at the same
 * place (`C-G00000-007`, `ACC-G00000-01`, `wh-G00000-123`, ...), so a clone is the template with the
 * token replaced, and ids of one group keep their relative order in every clone.
 *
 * The mix, for `cases` cases and `ticketVersions` ticket versions per case (about ticketVersions + 4
 * events per case): a ticket per case updated once a round (a new note each time, status and
 * severity varied across cases); an account shared by four cases (entitlement, two versions); an
 * environment shared by two cases (two snapshots); an incident per five cases linking one to three
 * of them (three versions); one customer-approved diagnostic bundle per case, a second for three cases in four; a stale
 * re-delivery for one case in twenty; and, in the last round, a corrupted bundle for one case in
 * ten, which holds its refresh behind an open DIAGNOSTIC_CORRUPTED exception.
 */
export const TEMPLATE_TOKEN = "G00000";

export const groupToken = (k: number) => `G${String(k).padStart(5, "0")}`;
export const caseIdOf = (token: string, i: number) => `C-${token}-${String(i).padStart(3, "0")}`;
export const accountIdOf = (token: string, i: number) => `ACC-${token}-${String(Math.floor(i / 4)).padStart(3, "0")}`;
const environmentIdOf = (token: string, i: number) => `ENV-${token}-${String(Math.floor(i / 2)).padStart(3, "0")}`;
const incidentIdOf = (token: string, n: number) => `INC-${token}-${String(n).padStart(3, "0")}`;
const bundleIdOf = (token: string, i: number, b: number) => `BND-${token}-${String(i).padStart(3, "0")}-${b}`;

const CUSTOMERS = ["Northwind", "Contoso", "Fabrikam", "Globex", "Initech", "Umbrella", "Tyrell", "Wayne"];
const SUBJECTS = ["Invoices fail to render", "SSO login loops", "Export times out", "Checkout returns 502", "Webhook retries pile up"];
const PRODUCT_AREAS = ["payments/billing", "identity/sso", "reporting/export", "payments/checkout"];

/** One event of the group, in delivery order, with the round it belongs to and its webhook id. */
export interface TemplateEvent {
  round: number;
  webhookId: string;
  event: TestEvent;
}

/** Ticket severities: cases linked to an incident stay within one level of it (no accidental conflict). */
function severityOf(i: number): string {
  if (i % 5 < 3) return i % 2 ? "S3" : "S2";
  return ["S1", "S4", "S3", "S2"][Math.floor(i / 5) % 4]!;
}

/** Rounds the group is delivered in: round 0 opens every case, the last adds the exceptions. */
export const roundsOf = (ticketVersions: number) => ticketVersions + 1;

export function templateEvents(token: string, cases: number, ticketVersions: number): TemplateEvent[] {
  const rounds = roundsOf(ticketVersions);
  const last = rounds - 1;
  const mid = Math.max(1, Math.floor(rounds / 2));
  const out: TemplateEvent[] = [];
  const add = (round: number, event: TestEvent) => out.push({ round, webhookId: `wh-${token}-${String(out.length).padStart(5, "0")}`, event });
  const noteAt = (round: number, i: number) => new Date(Date.UTC(2026, 9, 1) + round * 86_400_000 + i * 60_000).toISOString();
  const ticketAt = (i: number, v: number) => {
    const a = Math.floor(i / 4);
    return ticket(caseIdOf(token, i), v, {
      accountId: accountIdOf(token, i),
      customerName: `${CUSTOMERS[a % CUSTOMERS.length]} ${token}-${String(a).padStart(3, "0")}`,
      subject: `${SUBJECTS[i % SUBJECTS.length]} (${caseIdOf(token, i)})`,
      status: v === ticketVersions && i % 3 === 0 ? "pending" : "open",
      severity: severityOf(i),
      productArea: PRODUCT_AREAS[i % PRODUCT_AREAS.length],
      environmentId: environmentIdOf(token, i),
      reproduction: { status: v > 2 ? "reproduced" : "in_progress", steps: `Steps for ${caseIdOf(token, i)}` },
      notes: Array.from({ length: v - 1 }, (_, n) => ({ id: `n${n + 1}`, author: "agent", body: `Update ${n + 1} on ${caseIdOf(token, i)}`, at: noteAt(n + 1, i) })),
    }, `TCK-${caseIdOf(token, i)}`);
  };
  const incidentAt = (n: number, v: number) => {
    const linked = Array.from({ length: 1 + (n % 3) }, (_, j) => 5 * n + j).filter((i) => i < cases);
    return incident(incidentIdOf(token, n), v, {
      caseIds: linked.map((i) => caseIdOf(token, i)),
      affectedAccounts: [...new Set(linked.map((i) => accountIdOf(token, i)))],
      severity: "S2",
      status: v === 3 ? "monitoring" : "investigating",
      title: `Elevated errors ${incidentIdOf(token, n)}, update ${v}`,
    });
  };
  const bundleOf = (i: number, b: number, corrupted = false) =>
    bundle(caseIdOf(token, i), bundleIdOf(token, i, b), 1, {
      uri: `s3://diag/${bundleIdOf(token, i, b)}.zip`,
      integrity: corrupted ? "failed" : "ok",
      logs: [{ name: `app-${b}.log`, uri: `s3://diag/${bundleIdOf(token, i, b)}/app.log`, sha256: "b".repeat(64), sizeBytes: 4096 }],
    });

  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < cases; i++) {
      const caseId = caseIdOf(token, i);
      if (round < ticketVersions) add(round, ticketAt(i, round + 1));
      if (round === 0 && i % 4 === 0) add(round, entitlement(accountIdOf(token, i), 1, { serviceTier: i % 8 ? "premium" : "enterprise", validUntil: "2027-06-30" }, caseId));
      if (round === mid && i % 4 === 0) add(round, entitlement(accountIdOf(token, i), 2, { serviceTier: i % 8 ? "premium" : "enterprise", validUntil: "2027-12-31" }, caseId));
      if ((round === 0 || round === Math.min(2, last)) && i % 2 === 0) {
        add(round, environment(environmentIdOf(token, i), round ? 2 : 1, { productVersion: `5.4.${round}` }, caseId));
      }
      if (i % 5 === 0 && round >= 1 && round <= 3 && round < last) add(round, incidentAt(i / 5, round));
      if (round === 1) add(round, bundleOf(i, 1));
      if (round === Math.min(4, last - 1) && i % 4 !== 0) add(round, bundleOf(i, 2));
      if (round === last && i % 20 === 11) add(round, ticketAt(i, 1)); // a late re-delivery of an old version: stale
      if (round === last && i % 10 === 7) add(round, bundleOf(i, 9, true));
    }
  }
  return out;
}

/** Ticket versions per case that give about `eventsPerCase` events per case. */
export function ticketVersionsFor(eventsPerCase: number): number {
  return Math.max(2, Math.round(eventsPerCase - 4));
}
