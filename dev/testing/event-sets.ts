// Generated event sets for the order-independence and replay tests (not imported by application code).
import fc from "fast-check";
import { bundle, entitlement, environment, incident, SHA, ticket, type TestEvent } from "./events";

export const CASES = ["P-1", "P-2", "P-3"] as const;
const ACCOUNTS = ["A-1", "A-2"] as const;
const ENVS = ["E-1", "E-2"] as const;
const NOTES = [
  { id: "n1", author: "agent", body: "Customer reports failures", at: "2026-11-27T01:00:00Z" },
  { id: "n2", author: "agent", body: "Asked for logs", at: "2026-11-27T01:05:00Z" },
  { id: "n3", author: "lead", body: "Escalated to engineering", at: "2026-11-27T01:10:00Z" },
];

export interface Delivery {
  webhookId: string;
  event: TestEvent;
}

const versionsArb = fc.uniqueArray(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 2 }).map((v) => [...v].sort((a, b) => a - b));

const ticketData = fc.record({
  accountId: fc.constantFrom(...ACCOUNTS),
  severity: fc.constantFrom("S2", "S3"),
  subject: fc.constantFrom("Invoices fail to render", "Checkout is slow", "SSO redirect loop"),
  status: fc.constantFrom("open", "pending", "solved"),
  productArea: fc.constantFrom("payments/billing", "Billing API", "checkout-web", "sso", "export"),
  environmentId: fc.option(fc.constantFrom(...ENVS), { nil: undefined }),
  notes: fc.subarray(NOTES),
  reproduction: fc.record({ status: fc.constantFrom("not_attempted", "in_progress", "reproduced"), steps: fc.constantFrom("Open an invoice", "Pay twice") }),
});
const entitlementData = fc.record({
  serviceTier: fc.constantFrom("premium", "Premium Support", "enterprise", "ENT", "standard"),
  validUntil: fc.constantFrom("2027-06-30", "2027-12-31"),
  contractId: fc.constantFrom("CTR-1", "CTR-2"),
  correction: fc.option(fc.record({ reason: fc.constantFrom("Renewed early", "Tier upgraded") }), { nil: undefined }),
});
const incidentData = fc.record({
  severity: fc.constantFrom("S2", "S3"),
  status: fc.constantFrom("investigating", "identified", "monitoring", "resolved"),
  title: fc.constantFrom("Elevated errors", "Latency"),
  caseIds: fc.subarray([...CASES], { minLength: 1 }),
});
const environmentData = fc.record({
  productVersion: fc.constantFrom("5.4.1", "5.5.0"),
  region: fc.constantFrom("eu-west-1", "us-east-1"),
  components: fc.subarray([
    { name: "api", version: "5.4.1" },
    { name: "worker", version: "5.4.0" },
  ]),
});
const bundleData = fc.record({
  uri: fc.constantFrom("s3://diag/a.zip", "s3://diag/b.zip"),
  sizeBytes: fc.integer({ min: 1, max: 5000 }),
  logNames: fc.subarray(["app.log", "db.log"]),
});

/** One entity: its versions in order, plus a "stale" extra (lower version, other content) delivered after. */
function entityArb<T>(data: fc.Arbitrary<T>) {
  return fc.record({ versions: versionsArb, datas: fc.array(data, { minLength: 2, maxLength: 2 }), stale: fc.option(data, { nil: undefined, freq: 2 }) });
}

const modelArb = fc.record({
    tickets: fc.array(fc.option(entityArb(ticketData), { nil: undefined, freq: 4 }), { minLength: CASES.length, maxLength: CASES.length }),
    entitlements: fc.array(fc.option(entityArb(entitlementData), { nil: undefined }), { minLength: ACCOUNTS.length, maxLength: ACCOUNTS.length }),
    entitlementCase: fc.constantFrom("*", ...CASES),
    incidents: fc.array(entityArb(incidentData), { maxLength: 2 }),
    environments: fc.array(fc.option(entityArb(environmentData), { nil: undefined }), { minLength: ENVS.length, maxLength: ENVS.length }),
    bundles: fc.array(
      fc.record({ caseIdx: fc.nat(CASES.length - 1), approved: fc.boolean(), supersedesPrevious: fc.boolean(), entity: entityArb(bundleData) }),
      { maxLength: 2 },
    ),
    interleave: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 60, maxLength: 60 }),
});
type Model = typeof modelArb extends fc.Arbitrary<infer U> ? U : never;
export const eventSetArb = modelArb.map(buildDeliveries);

interface Entity<T> {
  versions: number[];
  datas: T[];
  stale?: T;
}

/** Turns the generated model into an in-order delivery list: each entity's versions ascend, interleaved at random. */
function buildDeliveries(m: Model): Delivery[] {
  const streams: TestEvent[][] = [];
  const add = <T>(e: Entity<T> | undefined, make: (version: number, data: T, final: boolean) => TestEvent) => {
    if (!e) return;
    const last = e.versions[e.versions.length - 1]!;
    const stream = e.versions.map((v, i) => make(v, e.datas[i]!, v === last));
    // A lower version with other content, after the newest: stale in order, maybe accepted early when permuted.
    if (e.stale !== undefined && last > 1) stream.push(make(last - 1, e.stale, false));
    streams.push(stream);
  };
  m.tickets.forEach((e, i) => add(e, (v, d) => ticket(CASES[i]!, v, { ...d })));
  m.entitlements.forEach((e, i) => add(e, (v, d) => entitlement(ACCOUNTS[i]!, v, { ...d }, m.entitlementCase)));
  m.environments.forEach((e, i) => add(e, (v, d) => environment(ENVS[i]!, v, { ...d }, CASES[i % CASES.length]!)));
  m.incidents.forEach((e, i) => {
    // Every case any version lists stays listed by the newest version (an unlinked case is a boundary conflict).
    const all = [...new Set([...e.datas.slice(0, e.versions.length), ...(e.stale ? [e.stale] : [])].flatMap((d) => d.caseIds))].sort();
    add(e, (v, d, final) =>
      incident(`I-${i}`, v, { ...d, caseIds: final ? all : d.caseIds, affectedAccounts: [...ACCOUNTS] }),
    );
  });
  const approvedIds = new Map<number, string>();
  m.bundles.forEach((b, i) => {
    const caseId = CASES[b.caseIdx]!;
    const id = `B-${i}`;
    const supersedes = b.approved && b.supersedesPrevious ? approvedIds.get(b.caseIdx) : undefined;
    if (b.approved) approvedIds.set(b.caseIdx, id);
    add(b.entity, (v, d) =>
      bundle(caseId, id, v, {
        uri: d.uri,
        sizeBytes: d.sizeBytes,
        ...(supersedes ? { supersedes } : {}),
        approval: b.approved ? { status: "customer_approved", by: "customer@example.com" } : { status: "pending" },
        // Pending uploads never share a log name with approved evidence (that is UNAPPROVED_EVIDENCE).
        logs: (b.approved ? d.logNames : [`${id}.log`]).map((name) => ({ name, uri: `s3://diag/${id}/${name}`, sha256: SHA, sizeBytes: 10 })),
      }),
    );
  });
  // Random interleaving that keeps each stream's order.
  const keyed = streams.flatMap((s, si) => {
    const keys = s.map((_, k) => m.interleave[(si * 7 + k * 3) % m.interleave.length]!).sort((a, b) => a - b);
    return s.map((event, k) => ({ event, key: keys[k]!, si, k }));
  });
  keyed.sort((a, b) => a.key - b.key || a.si - b.si || a.k - b.k);
  return keyed.map(({ event }, i) => ({ webhookId: `wh-${i}-${event.body.entity.id}-${event.body.version}`, event }));
}

/** A permutation of the deliveries plus re-deliveries of some, and where the worker drains in between. */
export const scenarioArb = eventSetArb.chain((deliveries) =>
  fc.record({
    deliveries: fc.constant(deliveries),
    permuted: fc.shuffledSubarray(deliveries, { minLength: deliveries.length, maxLength: deliveries.length }),
    duplicates: fc.array(fc.record({ pick: fc.nat(), at: fc.nat() }), { maxLength: 6 }),
    // About one delivery in four is followed by a refresh pass, in batches of 1, a few, or everything due.
    drainAfter: fc.array(fc.nat(3).map((x) => x === 0), { minLength: 40, maxLength: 40 }),
    batch: fc.constantFrom(1, 3, 100),
  }),
);

