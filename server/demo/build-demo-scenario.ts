import type {
  DiagnosticsData,
  EntitlementData,
  EnvironmentData,
  IncidentData,
  SourceKind,
  TicketData,
} from "../intake/event-schemas";
import { eventContract } from "../intake/event-schemas";
import type { Rule } from "../refresh/types";
import { CONTACT_FIRST, ENGINEERS, NOTE_BODIES, REPRO_STEPS } from "../simulator/catalog";
import type { EventBody } from "../simulator/generate-stream";
import { digestOf, Random } from "../simulator/random";

/**
 * The embedded demo as data: realistic cases whose sources evolve over two days, with every delta
 * cause and every conflict rule, some conflicts resolved by a specialist and one left open per
 * rule. Pure and deterministic for a given start time.
 *
 * Steps are packed into rounds in which no case is touched twice, and the runner lets the engine
 * finish a round before posting the next: so each event that changes a case makes exactly one
 * version of it, whatever the worker's batching, and the histories come out the same every time.
 */
export interface DemoEventStep {
  kind: "event";
  source: string;
  sourceKind: SourceKind;
  webhookId: string;
  body: EventBody;
  /** Every case the event fans out to (SPEC.md's table). */
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

interface CaseSpec {
  id: string;
  account: string;
  product: string;
  productArea: string;
  subject: string;
  severity: TicketData["severity"];
  declared?: string;
  env: string;
  /** Own routine updates (notes, status, reproduction, diagnostics) over the two days. */
  routine: number;
}

interface AccountSpec {
  id: string;
  customer: string;
  tier: string;
  contract: string;
  validUntil: string;
  contact: string;
}

const ACCOUNTS: AccountSpec[] = [
  { id: "ACC-20417", customer: "Northwind Traders", tier: "Premium Support", contract: "CTR-2025-0417", validUntil: "2027-03-31", contact: "northwind" },
  { id: "ACC-20533", customer: "Contoso Pharmaceuticals", tier: "enterprise", contract: "CTR-2024-0533", validUntil: "2027-06-30", contact: "contoso" },
  { id: "ACC-20618", customer: "Fabrikam Logistics", tier: "premium", contract: "CTR-2025-0618", validUntil: "2026-12-31", contact: "fabrikam" },
  { id: "ACC-20702", customer: "Tailspin Airlines", tier: "Enterprise Support", contract: "CTR-2023-0702", validUntil: "2027-09-30", contact: "tailspin" },
  { id: "ACC-20788", customer: "Woodgrove Bank", tier: "ENT", contract: "CTR-2025-0788", validUntil: "2028-01-31", contact: "woodgrove" },
  { id: "ACC-20841", customer: "Litware Media", tier: "standard", contract: "CTR-2026-0841", validUntil: "2027-02-28", contact: "litware" },
  { id: "ACC-20905", customer: "Proseware Retail", tier: "PREM", contract: "CTR-2025-0905", validUntil: "2027-05-31", contact: "proseware" },
  { id: "ACC-20977", customer: "Adatum Insurance", tier: "premium", contract: "CTR-2024-0977", validUntil: "2027-01-31", contact: "adatum" },
  { id: "ACC-21032", customer: "Lamna Healthcare", tier: "enterprise", contract: "CTR-2025-1032", validUntil: "2027-12-31", contact: "lamna" },
  { id: "ACC-21110", customer: "Wide World Importers", tier: "Standard Support", contract: "CTR-2025-1110", validUntil: "2026-12-31", contact: "wideworld" },
  { id: "ACC-21186", customer: "Alpine Ski House", tier: "premium", contract: "CTR-2026-1186", validUntil: "2027-04-30", contact: "alpineskihouse" },
  { id: "ACC-21244", customer: "Coho Winery", tier: "standard", contract: "CTR-2025-1244", validUntil: "2027-08-31", contact: "cohowinery" },
  { id: "ACC-21309", customer: "Trey Research", tier: "enterprise", contract: "CTR-2024-1309", validUntil: "2027-10-31", contact: "treyresearch" },
  { id: "ACC-21377", customer: "Fourth Coffee", tier: "Premium Support", contract: "CTR-2025-1377", validUntil: "2027-07-31", contact: "fourthcoffee" },
];

const CASES: CaseSpec[] = [
  { id: "CASE-1041", account: "ACC-20417", product: "billing-api", productArea: "payments/billing", subject: "Duplicate invoice lines after mid-cycle upgrades", severity: "S3", env: "ENV-NW-PROD", routine: 9 },
  { id: "CASE-1042", account: "ACC-20417", product: "checkout", productArea: "Checkout", subject: "Card payments stuck in a 3-D Secure challenge loop", severity: "S2", declared: "Premium Support", env: "ENV-NW-PROD", routine: 12 },
  { id: "CASE-1043", account: "ACC-20533", product: "identity", productArea: "sso", subject: "SSO login fails for all users after certificate rotation", severity: "S1", declared: "ENT", env: "ENV-CT-EU", routine: 8 },
  { id: "CASE-1044", account: "ACC-20618", product: "data-export", productArea: "reporting/export", subject: "CSV export truncates rows over 1 million", severity: "S3", env: "ENV-FB-PROD", routine: 10 },
  { id: "CASE-1045", account: "ACC-20618", product: "billing-api", productArea: "billing-api", subject: "Tax amounts rounded differently in API and invoices", severity: "S3", declared: "Premium Support", env: "ENV-FB-PROD", routine: 16 },
  { id: "CASE-1046", account: "ACC-20702", product: "identity", productArea: "Identity", subject: "SCIM provisioning creates duplicate accounts", severity: "S2", declared: "Enterprise Support", env: "ENV-TS-US", routine: 9 },
  { id: "CASE-1047", account: "ACC-20788", product: "billing-api", productArea: "Billing API", subject: "Invoice PDF rendering times out for large accounts", severity: "S2", declared: "enterprise", env: "ENV-WG-EU", routine: 10 },
  { id: "CASE-1048", account: "ACC-20841", product: "data-export", productArea: "Data Export", subject: "Scheduled exports arrive hours late", severity: "S3", env: "ENV-LW-US", routine: 9 },
  { id: "CASE-1049", account: "ACC-20905", product: "checkout", productArea: "checkout-web", subject: "Checkout page slow to load during peak traffic", severity: "S2", declared: "PREM", env: "ENV-PW-EU", routine: 8 },
  { id: "CASE-1050", account: "ACC-20977", product: "identity", productArea: "auth", subject: "Users logged out every 10 minutes", severity: "S3", env: "ENV-AD-EU", routine: 7 },
  { id: "CASE-1051", account: "ACC-21032", product: "data-export", productArea: "export", subject: "Parquet export missing the currency column", severity: "S3", declared: "Enterprise Support", env: "ENV-LH-EU", routine: 9 },
  { id: "CASE-1052", account: "ACC-21110", product: "checkout", productArea: "payments/checkout", subject: "Apple Pay button not shown in Safari", severity: "S3", env: "ENV-WW-US", routine: 8 },
  { id: "CASE-1053", account: "ACC-21186", product: "checkout", productArea: "payments/checkout", subject: "Saved payment methods disappear after login", severity: "S3", env: "ENV-AS-EU", routine: 10 },
  { id: "CASE-1054", account: "ACC-21244", product: "data-export", productArea: "data-exports", subject: "Export job stuck in queued state", severity: "S4", env: "ENV-CW-US", routine: 15 },
  { id: "CASE-1055", account: "ACC-21309", product: "identity", productArea: "identity/sso", subject: "SAML assertions rejected with clock skew error", severity: "S2", declared: "enterprise", env: "ENV-TR-US", routine: 14 },
  { id: "CASE-1056", account: "ACC-21377", product: "billing-api", productArea: "billing", subject: "Credit notes missing from the monthly statement export", severity: "S3", declared: "gold", env: "ENV-FC-EU", routine: 18 },
];

const ENVIRONMENTS: Record<string, { productVersion: string; deployment: EnvironmentData["deployment"]; os: string; region: string; components: string[] }> = {
  "ENV-NW-PROD": { productVersion: "2026.10.4", deployment: "saas", os: "Ubuntu 22.04", region: "eu-west-1", components: ["billing-api", "invoice-renderer", "checkout-web"] },
  "ENV-CT-EU": { productVersion: "2026.9.2", deployment: "self_hosted", os: "RHEL 9.3", region: "eu-central-1", components: ["sso-broker", "session-store"] },
  "ENV-FB-PROD": { productVersion: "2026.10.1", deployment: "saas", os: "Debian 12", region: "eu-west-1", components: ["export-worker", "billing-api", "tax-engine"] },
  "ENV-TS-US": { productVersion: "2026.8.7", deployment: "self_hosted", os: "Windows Server 2022", region: "us-east-1", components: ["scim-service", "sso-broker"] },
  "ENV-WG-EU": { productVersion: "2026.10.4", deployment: "saas", os: "Ubuntu 22.04", region: "eu-west-1", components: ["invoice-renderer", "billing-api"] },
  "ENV-LW-US": { productVersion: "2026.10.2", deployment: "saas", os: "Amazon Linux 2023", region: "us-west-2", components: ["export-scheduler", "export-worker"] },
  "ENV-PW-EU": { productVersion: "2026.11.0", deployment: "saas", os: "Ubuntu 22.04", region: "eu-west-1", components: ["checkout-web", "payment-gateway"] },
  "ENV-AD-EU": { productVersion: "2026.9.5", deployment: "self_hosted", os: "RHEL 9.3", region: "eu-central-1", components: ["session-store", "sso-broker"] },
  "ENV-LH-EU": { productVersion: "2026.10.3", deployment: "saas", os: "Debian 12", region: "eu-west-1", components: ["export-worker", "object-store-client"] },
  "ENV-WW-US": { productVersion: "2026.10.0", deployment: "saas", os: "Ubuntu 22.04", region: "us-east-1", components: ["checkout-web", "payment-gateway"] },
  "ENV-AS-EU": { productVersion: "2026.10.4", deployment: "saas", os: "Ubuntu 22.04", region: "eu-central-1", components: ["checkout-web", "fraud-screening"] },
  "ENV-CW-US": { productVersion: "2026.7.9", deployment: "self_hosted", os: "Debian 12", region: "us-west-2", components: ["export-scheduler", "export-worker", "object-store-client"] },
  "ENV-TR-US": { productVersion: "2026.10.1", deployment: "saas", os: "Amazon Linux 2023", region: "us-east-1", components: ["sso-broker", "scim-service"] },
  "ENV-FC-EU": { productVersion: "2026.10.2", deployment: "saas", os: "Ubuntu 22.04", region: "eu-west-1", components: ["billing-api", "invoice-renderer"] },
};

const INCIDENTS: Record<string, Omit<IncidentData, "incidentId">> = {
  "INC-5101": { title: "Payments platform: elevated 5xx on invoice and payment APIs", severity: "S2", status: "investigating", classification: "degradation", affectedAccounts: ["ACC-20417", "ACC-20788"], caseIds: ["CASE-1041", "CASE-1042", "CASE-1047"] },
  "INC-5102": { title: "Identity: SSO token validation latency", severity: "S2", status: "investigating", classification: "performance", affectedAccounts: ["ACC-20533", "ACC-21309"], caseIds: ["CASE-1043", "CASE-1055"] },
  "INC-5103": { title: "Checkout: payment page latency at peak", severity: "S3", status: "investigating", classification: "performance", affectedAccounts: ["ACC-21186"], caseIds: ["CASE-1053"] },
  "INC-5104": { title: "Data Export: delayed scheduled exports", severity: "S3", status: "identified", classification: "partial outage", affectedAccounts: ["ACC-21032", "ACC-21244"], caseIds: ["CASE-1051", "CASE-1054"] },
};

const STEP_MINUTES = 7;
const DEMO_SEED = 20261127;

export const DEMO_CASES = CASES.map((c) => c.id);

class ScenarioBuilder {
  readonly steps: DemoStep[] = [];
  private readonly versions = new Map<string, number>();
  private readonly rng = new Random(DEMO_SEED);
  private tick = 0;
  private webhookSeq = 0;
  readonly tickets = new Map<string, TicketData>();
  private readonly entitlements = new Map<string, EntitlementData>();
  private readonly incidents = new Map<string, IncidentData>();
  private readonly incidentCases = new Map<string, Set<string>>();
  private readonly envs = new Map<string, EnvironmentData>();
  readonly bundles = new Map<string, { caseId: string; data: DiagnosticsData }>();
  private readonly bundleSeq = new Map<string, number>();
  private readonly noteSeq = new Map<string, number>();
  private readonly bodyCursor = new Map<string, number>();

  constructor(private readonly startMs: number) {}

  /** occurredAt of the next step: the story runs forward in STEP_MINUTES steps. */
  private now(): string {
    return new Date(this.startMs + this.tick * STEP_MINUTES * 60_000).toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  private emit(source: string, sourceKind: SourceKind, caseId: string, entityId: string, data: object, touches: string[]): void {
    const key = `${source}/${entityId}`;
    const version = (this.versions.get(key) ?? 0) + 1;
    this.versions.set(key, version);
    const contract = eventContract[sourceKind];
    this.steps.push({
      kind: "event",
      source,
      sourceKind,
      webhookId: `msg_demo_${String(++this.webhookSeq).padStart(4, "0")}`,
      body: { type: contract.type, caseId, entity: { kind: contract.entityKind, id: entityId }, version, occurredAt: this.now(), data: structuredClone(data) as Record<string, unknown> },
      touches: [...new Set(touches)].sort(),
    });
    this.tick++;
  }

  action(a: DemoActionStep): void {
    this.steps.push(a);
    this.tick++;
  }

  spec(caseId: string): CaseSpec {
    return CASES.find((c) => c.id === caseId)!;
  }

  private account(id: string): AccountSpec {
    return ACCOUNTS.find((a) => a.id === id)!;
  }

  note(caseId: string, body?: string, author?: string) {
    const n = (this.noteSeq.get(caseId) ?? 0) + 1;
    this.noteSeq.set(caseId, n);
    const acc = this.account(this.spec(caseId).account);
    const cursor = this.bodyCursor.get(caseId) ?? this.rng.int(0, NOTE_BODIES.length - 1);
    this.bodyCursor.set(caseId, cursor + 1);
    return {
      id: `${caseId.replace("CASE", "TCK")}-N${n}`,
      author: author ?? (this.rng.chance(0.7) ? this.rng.pick(ENGINEERS) : `${this.rng.pick(CONTACT_FIRST)} (${acc.customer})`),
      body: body ?? NOTE_BODIES[cursor % NOTE_BODIES.length]!,
      at: this.now(),
    };
  }

  ticket(caseId: string, change: (t: TicketData) => void, source = "ticketing", entityId = caseId.replace("CASE", "TCK")): void {
    const spec = this.spec(caseId);
    const acc = this.account(spec.account);
    const t: TicketData = structuredClone(
      this.tickets.get(caseId) ?? {
        accountId: acc.id,
        customerName: acc.customer,
        subject: spec.subject,
        status: "open",
        severity: spec.severity,
        productArea: spec.productArea,
        ...(spec.declared ? { declaredServiceTier: spec.declared } : {}),
        environmentId: spec.env,
        reproduction: { status: "not_attempted", steps: "" },
        notes: [],
      },
    );
    change(t);
    this.tickets.set(caseId, t);
    this.emit(source, "ticketing", caseId, entityId, t, [caseId]);
  }

  entitlement(accountId: string, change: (e: EntitlementData) => void = () => {}): void {
    const acc = this.account(accountId);
    const e: EntitlementData = structuredClone(
      this.entitlements.get(accountId) ?? { accountId, serviceTier: acc.tier, status: "active", contractId: acc.contract, validUntil: acc.validUntil },
    );
    change(e);
    this.entitlements.set(accountId, e);
    const cases = CASES.filter((c) => c.account === accountId).map((c) => c.id);
    this.emit("entitlement", "entitlement", this.rng.chance(0.5) ? "*" : cases[0]!, accountId, e, cases);
  }

  incident(id: string, change: (i: IncidentData) => void = () => {}): void {
    const i: IncidentData = structuredClone(this.incidents.get(id) ?? { incidentId: id, ...structuredClone(INCIDENTS[id]!) });
    change(i);
    this.incidents.set(id, i);
    const all = this.incidentCases.get(id) ?? new Set<string>();
    for (const c of i.caseIds) all.add(c);
    this.incidentCases.set(id, all);
    this.emit("incident", "incident", i.caseIds[0]!, id, i, [...all]);
  }

  environment(envId: string, change: (e: EnvironmentData) => void = () => {}): void {
    const base = ENVIRONMENTS[envId]!;
    const e: EnvironmentData = structuredClone(
      this.envs.get(envId) ?? {
        environmentId: envId,
        productVersion: base.productVersion,
        deployment: base.deployment,
        os: base.os,
        region: base.region,
        components: base.components.map((name, i) => ({ name, version: `${4 + i}.${(envId.length * 3 + i * 7) % 20}.${i + 1}` })),
        capturedAt: this.now(),
      },
    );
    change(e);
    e.capturedAt = this.now();
    this.envs.set(envId, e);
    const cases = CASES.filter((c) => c.env === envId).map((c) => c.id);
    this.emit("environment", "environment", cases[0]!, envId, e, cases);
  }

  /**
   * A new bundle of a case (pending customer approval unless `data` says otherwise); returns its id.
   * Log names carry the capture time, so only a deliberate re-use collides with approved evidence.
   */
  newBundle(caseId: string, logKinds: string[], data: Partial<DiagnosticsData> = {}, logNames?: string[]): string {
    const n = (this.bundleSeq.get(caseId) ?? 0) + 1;
    this.bundleSeq.set(caseId, n);
    const bundleId = `BND-${caseId.slice(5)}-${String(n).padStart(2, "0")}`;
    const stamp = this.now().slice(0, 16).replace(/[-:]/g, "").replace("T", "-");
    const uri = `s3://support-diagnostics/${caseId}/${bundleId}.zip`;
    const bundle: DiagnosticsData = {
      bundleId,
      uri,
      sha256: digestOf(uri),
      sizeBytes: this.rng.int(2_000_000, 90_000_000),
      integrity: "ok",
      approval: { status: "pending" },
      logs: (logNames ?? logKinds.map((kind) => `${kind}-${stamp}.log`)).map((name) => {
        const logUri = `s3://support-diagnostics/${caseId}/${bundleId}/${name}`;
        return { name, uri: logUri, sha256: digestOf(logUri), sizeBytes: this.rng.int(20_000, 8_000_000) };
      }),
      ...data,
    };
    this.bundles.set(bundleId, { caseId, data: bundle });
    this.emit("diagnostics", "diagnostics", caseId, bundleId, bundle, [caseId]);
    return bundleId;
  }

  /** A later version of a bundle (approval given, a re-upload). */
  updateBundle(bundleId: string, change: (b: DiagnosticsData) => void): void {
    const entry = this.bundles.get(bundleId)!;
    const b = structuredClone(entry.data);
    change(b);
    entry.data = b;
    this.emit("diagnostics", "diagnostics", entry.caseId, bundleId, b, [entry.caseId]);
  }

  approve(bundleId: string): void {
    const entry = this.bundles.get(bundleId)!;
    const acc = this.account(this.spec(entry.caseId).account);
    this.updateBundle(bundleId, (b) => {
      b.approval = { status: "customer_approved", by: `security@${acc.contact}.example`, at: this.now() };
    });
  }

  pendingBundles(caseId: string): string[] {
    return [...this.bundles.entries()].filter(([, b]) => b.caseId === caseId && b.data.approval.status === "pending" && b.data.integrity === "ok" && b.data.sizeBytes > 0).map(([id]) => id);
  }

  /** One routine update of a case: mostly notes, sometimes status, reproduction or diagnostics. */
  routine(caseId: string, linked: boolean): void {
    const t = this.tickets.get(caseId)!;
    const pending = this.pendingBundles(caseId);
    const ownBundles = [...this.bundles.values()].filter((b) => b.caseId === caseId).length;
    const kind = this.rng.weighted({ note: 58, status: 8, reproduction: 12, bundle: 10, approve: 10, severity: linked ? 0 : 2 });
    if (kind === "approve" && pending.length) return this.approve(pending[0]!);
    if (kind === "bundle" && ownBundles < 4) {
      const spec = this.spec(caseId);
      const components = ENVIRONMENTS[spec.env]!.components;
      this.newBundle(caseId, components.slice(0, this.rng.int(1, components.length)));
      return;
    }
    if (kind === "reproduction" && t.reproduction.status !== "reproduced") {
      const next = t.reproduction.status === "not_attempted" ? "in_progress" : "reproduced";
      return this.ticket(caseId, (x) => {
        x.reproduction = { status: next, steps: REPRO_STEPS[this.spec(caseId).product]! };
        x.notes.push(this.note(caseId, next === "reproduced" ? "Reproduced in staging with the customer's configuration." : "Started reproducing with the customer's configuration."));
      });
    }
    if (kind === "status") {
      return this.ticket(caseId, (x) => {
        x.status = x.status === "open" ? "pending" : "open";
        x.notes.push(this.note(caseId, x.status === "pending" ? "Waiting for the customer to confirm the workaround." : "Customer replied; back to open."));
      });
    }
    if (kind === "severity") {
      return this.ticket(caseId, (x) => {
        x.severity = x.severity === "S2" ? "S3" : "S2";
        x.notes.push(this.note(caseId, `Severity reassessed as ${x.severity} after the customer's impact update.`));
      });
    }
    this.ticket(caseId, (x) => {
      x.notes.push(this.note(caseId));
    });
  }
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

const LINKED = new Set(Object.values(INCIDENTS).flatMap((i) => i.caseIds).concat("CASE-1049"));

/** Builds the demo story; `startMs` is when it begins (about two days before the demo runs). */
export function buildDemoScenario(startMs: number): DemoScenario {
  const b = new ScenarioBuilder(startMs);
  const routineLeft = new Map(CASES.map((c) => [c.id, c.routine]));
  const routinePhase = (share: number) => {
    // Round-robin over the cases, so the story interleaves as a real day would.
    const quota = new Map(CASES.map((c) => [c.id, Math.round(c.routine * share)]));
    for (let more = true; more; ) {
      more = false;
      for (const c of CASES) {
        const q = quota.get(c.id)!;
        const left = routineLeft.get(c.id)!;
        if (q <= 0 || left <= 0) continue;
        b.routine(c.id, LINKED.has(c.id));
        quota.set(c.id, q - 1);
        routineLeft.set(c.id, left - 1);
        more = true;
      }
    }
  };

  // Day 1: cases open, and their accounts, environments and incidents arrive.
  CASES.forEach((c, i) => {
    const customer = ACCOUNTS.find((a) => a.id === c.account)!.customer;
    b.ticket(c.id, (t) => t.notes.push(b.note(c.id, `Case opened: ${c.subject}.`, `${CONTACT_FIRST[i % CONTACT_FIRST.length]} (${customer})`)));
  });
  for (const a of ACCOUNTS) b.entitlement(a.id);
  for (const envId of Object.keys(ENVIRONMENTS)) b.environment(envId);
  for (const id of Object.keys(INCIDENTS)) b.incident(id);

  // A scripted first bundle for Litware: approved, so a later unapproved upload collides with it.
  const litwareApproved = b.newBundle("CASE-1048", ["export-scheduler"]);
  b.approve(litwareApproved);
  routinePhase(0.45);

  b.incident("INC-5101", (i) => (i.status = "identified"));
  b.incident("INC-5102", (i) => (i.status = "identified"));
  b.entitlement("ACC-20417", (e) => {
    e.validUntil = "2027-06-30";
    e.correction = { reason: "Renewal date corrected: contract amendment A2 extends the term to 30 June 2027." };
  });
  b.entitlement("ACC-21244", (e) => {
    e.serviceTier = "Premium Support";
    e.correction = { reason: "Upgraded from Standard to Premium on 2026-11-20; the billing system lagged behind." };
  });
  b.environment("ENV-NW-PROD", (e) => {
    e.productVersion = "2026.11.1";
    e.components = e.components.map((c) => (c.name === "invoice-renderer" ? { ...c, version: "7.2.0" } : c));
  });
  b.environment("ENV-CW-US", (e) => {
    e.productVersion = "2026.10.0";
  });
  b.incident("INC-5104", (i) => (i.status = "monitoring"));

  // Conflicts a specialist resolves: an override, a rejection and two approvals.
  b.incident("INC-5101", (i) => {
    i.severity = "S1";
    i.title = "Payments platform: invoice and payment APIs failing for EU customers";
  });
  b.action({
    kind: "resolve",
    caseId: "CASE-1041",
    rule: "SEVERITY_CONFLICT",
    resolution: "override",
    path: "/case/severity",
    value: "S2",
    note: "Customer impact is limited to invoice previews; aligned with the duty manager to track this case at S2 under the S1 incident.",
    touches: ["CASE-1041"],
  });
  const woodgroveEmpty = b.newBundle("CASE-1047", ["invoice-renderer", "billing-api"], { sizeBytes: 0 });
  b.action({
    kind: "resolve",
    caseId: "CASE-1047",
    rule: "DIAGNOSTIC_CORRUPTED",
    resolution: "reject",
    note: "The upload stopped at 0 bytes (the customer's proxy cut it off). Rejected; the customer will upload the bundle again.",
    touches: ["CASE-1047"],
  });
  b.ticket("CASE-1051", (t) => {
    t.productArea = "Scheduled reports";
    t.notes.push(b.note("CASE-1051", "Customer clarifies the failing exports are the ones created under Scheduled reports."));
  });
  b.action({
    kind: "resolve",
    caseId: "CASE-1051",
    rule: "SCHEMA_INVALID",
    resolution: "approve",
    note: "Scheduled reports is the customer's name for Data Export schedules; approving while the taxonomy gets the alias.",
    touches: ["CASE-1051"],
  });
  b.entitlement("ACC-21110", (e) => {
    e.serviceTier = "Premium Plus";
    e.correction = { reason: "Renewed on the new Premium Plus plan on 2026-11-25." };
  });
  b.action({
    kind: "resolve",
    caseId: "CASE-1052",
    rule: "ENTITLEMENT_INCONSISTENT",
    resolution: "approve",
    note: "Premium Plus is the new commercial name of the Premium plan; confirmed with the account team.",
    touches: ["CASE-1052"],
  });

  // Day 2: the story goes on; the ticket now agrees with the override, the bundle is re-uploaded.
  b.ticket("CASE-1041", (t) => {
    t.severity = "S2";
    t.notes.push(b.note("CASE-1041", "Severity set to S2 in the ticket as agreed with the duty manager."));
  });
  b.updateBundle(woodgroveEmpty, (x) => {
    x.sizeBytes = 48_213_504;
    x.uri = x.uri.replace(".zip", "-reupload.zip");
    x.sha256 = digestOf(x.uri);
  });
  routinePhase(0.6);
  b.incident("INC-5101", (i) => (i.status = "monitoring"));
  b.incident("INC-5104", (i) => (i.status = "resolved"));
  b.environment("ENV-FB-PROD", (e) => {
    e.productVersion = "2026.11.0";
  });
  b.entitlement("ACC-20618", (e) => {
    e.contractId = "CTR-2025-0618-R1";
    e.correction = { reason: "Contract id corrected after the billing-system migration." };
  });
  b.incident("INC-5103", (i) => (i.status = "identified"));

  // Reference data catches up: the alias makes the product area and the tier normalise.
  b.action({ kind: "alias", aliasKind: "product", alias: "Scheduled reports", code: "data-export", note: "Customers call Data Export schedules Scheduled reports.", touches: ["CASE-1051"] });
  b.action({ kind: "alias", aliasKind: "tier", alias: "Premium Plus", code: "premium", note: "New commercial name of the Premium plan since November 2026.", touches: ["CASE-1052"] });
  routinePhase(1);
  b.incident("INC-5101", (i) => (i.status = "resolved"));

  // Conflicts left open for the exception queue, one per rule.
  b.incident("INC-5102", (i) => {
    i.severity = "S3";
    i.status = "monitoring";
  });
  b.ticket("CASE-1044", (t) => {
    t.declaredServiceTier = "Enterprise Support";
    t.notes.push(b.note("CASE-1044", "Customer states they moved to Enterprise Support last week and expects the 30-minute SLA."));
  });
  b.newBundle("CASE-1046", ["scim-service"], { integrity: "failed" });
  const approvedLogs = b.bundles.get(litwareApproved)!.data.logs.map((l) => l.name);
  b.newBundle("CASE-1048", [], { approval: { status: "unapproved" } }, approvedLogs);
  b.incident("INC-5103", (i) => {
    i.caseIds = [...i.caseIds, "CASE-1049"];
  });
  b.ticket("CASE-1050", (t) => {
    t.productArea = "Mobile SDK";
    t.notes.push(b.note("CASE-1050", "Only the mobile app is affected; moving the case to the Mobile SDK team."));
  });
  b.action({ kind: "onboard", name: "ticketing-emea", sourceKind: "ticketing", note: "The EMEA follow-the-sun desk runs its own ticketing system.", touches: ["CASE-1053"] });
  // The EMEA desk's ticket carries the case as the AMER ticket left it, plus its own changes.
  b.ticket(
    "CASE-1053",
    (t) => {
      t.status = "pending";
      t.notes.push(b.note("CASE-1053", "Handover from the AMER desk: EMEA follows up with the customer during business hours.", "Elena Petrova (Escalations)"));
    },
    "ticketing-emea",
    "EMEA-TCK-1053",
  );
  // Later events still build candidates: the open exceptions show the newest one.
  b.ticket("CASE-1043", (t) => t.notes.push(b.note("CASE-1043", "Customer reports logins still fail for roughly 40% of users.")));
  b.ticket("CASE-1050", (t) => t.notes.push(b.note("CASE-1050", "Mobile SDK team acknowledged the case.")));

  const rounds = packRounds(b.steps);
  return {
    rounds,
    events: b.steps.filter((s) => s.kind === "event").length,
    cases: DEMO_CASES,
    openByRule: {
      SEVERITY_CONFLICT: "CASE-1043",
      ENTITLEMENT_INCONSISTENT: "CASE-1044",
      DIAGNOSTIC_CORRUPTED: "CASE-1046",
      UNAPPROVED_EVIDENCE: "CASE-1048",
      CASE_BOUNDARY_CONFLICT: "CASE-1049",
      SCHEMA_INVALID: "CASE-1050",
      REVIEW_REQUIRED: "CASE-1053",
    },
  };
}
