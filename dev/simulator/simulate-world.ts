import type { DiagnosticsData, EntitlementData, EnvironmentData, IncidentData, SourceKind, TicketData } from "../../server/intake/event-schemas";
import type { Rule } from "../../server/refresh/types";
import {
  COMPONENTS,
  CONTACT_FIRST,
  CUSTOMERS,
  ENGINEERS,
  INCIDENT_TITLES,
  LOG_KINDS,
  NOTE_BODIES,
  OPERATING_SYSTEMS,
  PRODUCT_AREAS,
  REGIONS,
  REPRO_STEPS,
  SUBJECTS,
} from "./catalog";
import type { StreamItem } from "./generate-stream";
import { digestOf, type Random } from "./random";

/**
 * The simulated world behind the stream: accounts, their cases and tickets, incidents,
 * environments and diagnostic bundles, evolving the way real source systems do. Each function
 * changes the world and emits the new full state of one entity through `fresh`.
 */
export interface CaseState {
  caseId: string;
  /** Closed after many notes; the next event of this slot opens a new case in its place. */
  closed: boolean;
  ticketId: string;
  account: AccountState;
  product: string;
  envId: string;
  ticket: TicketData | null;
  noteSeq: number;
  bundles: string[];
  incidents: string[];
}

export interface AccountState {
  accountId: string;
  customer: string;
  tier: "standard" | "premium" | "enterprise";
  contractId: string;
  validUntilYear: number;
  data: EntitlementData | null;
  cases: CaseState[];
}


const TIER_LABELS = {
  standard: ["standard", "Standard Support", "STD"],
  premium: ["premium", "Premium Support", "PREM"],
  enterprise: ["enterprise", "Enterprise Support", "ENT"],
} as const;

export const SEVERITIES = ["S1", "S2", "S3", "S4"] as const;
/** A case closes after this many notes (tickets stay far below the 1,000-note and 256 KiB limits). */
const NOTES_BEFORE_CLOSING = 40;
const BUNDLES_PER_CASE = 8;
export const level = (s: string) => Number(s.slice(1));
export const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

export type Fresh = (source: SourceKind, caseId: string, entityId: string, data: Record<string, unknown>, conflict?: Rule | null) => Omit<StreamItem, "seq" | "burst">;

export interface World {
  accounts: AccountState[];
  cases: CaseState[];
  incidents: Map<string, IncidentData>;
  envs: Map<string, { data: EnvironmentData | null; product: string; cases: CaseState[] }>;
  bundles: Map<string, { caseId: string; data: DiagnosticsData }>;
  nextIncident: number;
  nextBundle: number;
  nextCase: number;
  caseBase: number;
  /** Drops the delivery history of entities that will never change again. */
  forget: (entityKeys: string[]) => void;
}

export function createWorld(rng: Random, caseCount: number, forget: World["forget"]): World {
  const accountCount = Math.max(1, Math.ceil(caseCount / 2.5));
  const accountBase = rng.int(10_000, 89_999);
  const caseBase = rng.int(100_000, 899_999);
  const accounts: AccountState[] = [];
  for (let i = 0; i < accountCount; i++) {
    const name = CUSTOMERS[i % CUSTOMERS.length]! + (i >= CUSTOMERS.length ? ` ${Math.floor(i / CUSTOMERS.length) + 1}` : "");
    accounts.push({
      accountId: `ACC-${accountBase + i * 7}`,
      customer: name,
      tier: rng.pick(["standard", "premium", "premium", "enterprise"] as const),
      contractId: `CTR-${2025 + rng.int(0, 1)}-${String(rng.int(100, 9999)).padStart(4, "0")}`,
      validUntilYear: 2027 + rng.int(0, 1),
      data: null,
      cases: [],
    });
  }
  const products = Object.keys(PRODUCT_AREAS);
  const envs: World["envs"] = new Map();
  const cases: CaseState[] = [];
  for (let i = 0; i < caseCount; i++) {
    const account = accounts[i % accountCount]!;
    const product = rng.pick(products);
    // Cases of one account often share the production environment.
    const shared = account.cases.find((c) => c.product === product);
    const envId = shared?.envId ?? `ENV-${account.accountId.slice(4)}-${String.fromCharCode(65 + account.cases.length)}`;
    const c: CaseState = {
      caseId: `CASE-${caseBase + i}`,
      closed: false,
      ticketId: `TCK-${caseBase * 3 + i * 11}`,
      account,
      product,
      envId,
      ticket: null,
      noteSeq: 0,
      bundles: [],
      incidents: [],
    };
    account.cases.push(c);
    cases.push(c);
    const env = envs.get(envId) ?? { data: null, product, cases: [] };
    env.cases.push(c);
    envs.set(envId, env);
  }
  return { accounts, cases, incidents: new Map(), envs, bundles: new Map(), nextIncident: rng.int(4000, 8999), nextBundle: 1, nextCase: caseCount, caseBase, forget };
}

function note(rng: Random, c: CaseState, at: string) {
  c.noteSeq++;
  const author = rng.chance(0.7) ? rng.pick(ENGINEERS) : `${rng.pick(CONTACT_FIRST)} (${c.account.customer})`;
  return { id: `${c.ticketId}-N${c.noteSeq}`, author, body: rng.pick(NOTE_BODIES), at };
}

function firstTicket(rng: Random, c: CaseState, at: string): TicketData {
  const tier = c.account.tier;
  return {
    accountId: c.account.accountId,
    customerName: c.account.customer,
    subject: rng.pick(SUBJECTS[c.product]!),
    status: "open",
    severity: rng.pick(["S1", "S2", "S2", "S3", "S3", "S4"] as const),
    productArea: rng.pick(PRODUCT_AREAS[c.product]!),
    ...(rng.chance(0.5) ? { declaredServiceTier: rng.pick(TIER_LABELS[tier]) } : {}),
    environmentId: c.envId,
    reproduction: { status: "not_attempted", steps: "" },
    notes: [note(rng, c, at)],
  };
}

/** Severities a case may take without clashing with a linked open incident (SEVERITY_CONFLICT). */
function allowedSeverities(c: CaseState, world: World | null): string[] {
  const open = world ? c.incidents.map((id) => world.incidents.get(id)).filter((i): i is IncidentData => !!i && i.status !== "resolved") : [];
  return SEVERITIES.filter((s) => open.every((i) => Math.abs(level(s) - level(i.severity)) < 2)).sort((a, b) => level(a) - level(b));
}

export function entitlementData(a: AccountState, rng: Random): EntitlementData {
  return {
    accountId: a.accountId,
    serviceTier: rng.pick(TIER_LABELS[a.tier]),
    status: "active",
    contractId: a.contractId,
    validUntil: `${a.validUntilYear}-12-31`,
  };
}

export function routineEvent(rng: Random, world: World, fresh: Fresh, at: string) {
  const withoutTicket = world.cases.filter((c) => !c.ticket);
  // Cases open over time: a first ticket is likelier while few cases exist.
  if (withoutTicket.length && rng.chance(0.15 + (0.6 * withoutTicket.length) / world.cases.length)) {
    const c = withoutTicket[0]!;
    c.ticket = firstTicket(rng, c, at);
    return fresh("ticketing", c.caseId, c.ticketId, c.ticket);
  }
  const kind = rng.weighted({ ticketing: 45, diagnostics: 15, entitlement: 8, incident: 12, environment: 10 });
  const opened = world.cases.filter((c) => c.ticket);
  const c = rng.pick(opened.length ? opened : world.cases);
  if (c.closed) {
    reopen(world, c);
    c.ticket = firstTicket(rng, c, at);
    return fresh("ticketing", c.caseId, c.ticketId, c.ticket);
  }
  if (c.ticket && c.ticket.notes.length >= NOTES_BEFORE_CLOSING) {
    c.closed = true;
    c.ticket = { ...c.ticket, status: "closed", notes: [...c.ticket.notes, { ...note(rng, c, at), body: "Customer confirmed the fix; closing the case." }] };
    return fresh("ticketing", c.caseId, c.ticketId, c.ticket);
  }
  if (!c.ticket) {
    c.ticket = firstTicket(rng, c, at);
    return fresh("ticketing", c.caseId, c.ticketId, c.ticket);
  }
  switch (kind) {
    case "ticketing":
      return fresh("ticketing", c.caseId, c.ticketId, updateTicket(rng, world, c, at));
    case "diagnostics":
      return bundleEvent(rng, world, c, fresh, at);
    case "entitlement": {
      const a = c.account;
      if (a.data && rng.chance(0.3)) {
        // A tier change would contradict tickets that declare the old tier; those accounts get a contract-id correction instead.
        const declared = a.cases.some((k) => k.ticket?.declaredServiceTier !== undefined);
        if (declared) a.contractId = `${a.contractId.split("-R")[0]}-R${rng.int(1, 9)}`;
        else a.tier = rng.pick(["premium", "enterprise"] as const);
        const reason = declared ? `Contract id corrected after the billing-system migration` : `Plan changed to ${a.tier} by contract amendment`;
        a.data = { ...entitlementData(a, rng), correction: { reason } };
      } else {
        if (a.data) a.validUntilYear++;
        a.data = entitlementData(a, rng);
      }
      return fresh("entitlement", rng.chance(0.5) ? "*" : c.caseId, a.accountId, a.data);
    }
    case "incident":
      return incidentEvent(rng, world, c, fresh, at);
    case "environment": {
      const env = world.envs.get(c.envId)!;
      const components = COMPONENTS[env.product]!.map((name) => ({ name, version: `${rng.int(3, 6)}.${rng.int(0, 30)}.${rng.int(0, 9)}` }));
      env.data = {
        environmentId: c.envId,
        productVersion: `2026.${rng.int(9, 11)}.${rng.int(0, 6)}`,
        deployment: env.data?.deployment ?? rng.pick(["saas", "self_hosted"] as const),
        os: env.data?.os ?? rng.pick(OPERATING_SYSTEMS),
        region: env.data?.region ?? rng.pick(REGIONS),
        components,
        capturedAt: at,
      };
      return fresh("environment", env.cases[0]!.caseId, c.envId, env.data);
    }
  }
}

/** A closed case's slot takes a new case of the same account and product. */
function reopen(world: World, c: CaseState): void {
  world.forget([`ticketing/${c.ticketId}`, ...c.bundles.map((b) => `diagnostics/${b}`)]);
  for (const b of c.bundles) world.bundles.delete(b);
  const n = world.nextCase++;
  Object.assign(c, { caseId: `CASE-${world.caseBase + n}`, ticketId: `TCK-${world.caseBase * 3 + n * 11}`, closed: false, ticket: null, noteSeq: 0, bundles: [], incidents: [] });
}

function updateTicket(rng: Random, world: World, c: CaseState, at: string): TicketData {
  const t = structuredClone(c.ticket!);
  const what = rng.weighted({ note: 55, status: 10, reproduction: 15, severity: 10, area: 5, subject: 5 });
  if (what === "note" || t.notes.length === 0) t.notes.push(note(rng, c, at));
  else if (what === "status") t.status = rng.pick(["open", "pending", "open", "solved"] as const);
  else if (what === "reproduction") {
    const next = { not_attempted: "in_progress", in_progress: rng.pick(["reproduced", "not_reproducible"] as const), reproduced: "reproduced", not_reproducible: "in_progress" } as const;
    t.reproduction = { status: next[t.reproduction.status], steps: REPRO_STEPS[c.product]! };
  } else if (what === "severity") {
    const allowed = allowedSeverities(c, world).filter((s) => Math.abs(level(s) - level(t.severity)) === 1);
    if (allowed.length) t.severity = rng.pick(allowed) as TicketData["severity"];
    else t.notes.push(note(rng, c, at));
  } else if (what === "area") t.productArea = rng.pick(PRODUCT_AREAS[c.product]!);
  else t.subject = rng.pick(SUBJECTS[c.product]!);
  c.ticket = t;
  return t;
}

export function newBundle(rng: Random, world: World, c: CaseState, logNames?: string[]): DiagnosticsData {
  const bundleId = `BND-${c.caseId.slice(5)}-${String(world.nextBundle++).padStart(3, "0")}`;
  const names = logNames ?? Array.from({ length: rng.int(1, 3) }, (_, i) => `${rng.pick(LOG_KINDS)}-${bundleId.toLowerCase()}-${i + 1}.log`);
  const uri = `s3://support-diagnostics/${c.caseId}/${bundleId}.zip`;
  return {
    bundleId,
    uri,
    sha256: digestOf(uri),
    sizeBytes: rng.int(40_000, 80_000_000),
    integrity: "ok",
    approval: { status: "pending" },
    logs: names.map((name) => {
      const logUri = `s3://support-diagnostics/${c.caseId}/${bundleId}/${name}`;
      return { name, uri: logUri, sha256: digestOf(logUri), sizeBytes: rng.int(1_000, 5_000_000) };
    }),
  };
}

function bundleEvent(rng: Random, world: World, c: CaseState, fresh: Fresh, at: string) {
  const pending = c.bundles.map((id) => world.bundles.get(id)!).filter((b) => b.data.approval.status === "pending" && b.data.integrity === "ok");
  if (pending.length && rng.chance(0.6)) {
    const b = rng.pick(pending);
    b.data = { ...b.data, approval: { status: "customer_approved", by: `${rng.pick(CONTACT_FIRST).toLowerCase()}@${c.account.customer.toLowerCase().replace(/[^a-z]+/g, "")}.example`, at } };
    return fresh("diagnostics", c.caseId, b.data.bundleId, b.data);
  }
  if (c.bundles.length >= BUNDLES_PER_CASE) return fresh("ticketing", c.caseId, c.ticketId, updateTicket(rng, world, c, at));
  const data = newBundle(rng, world, c);
  world.bundles.set(data.bundleId, { caseId: c.caseId, data });
  c.bundles.push(data.bundleId);
  return fresh("diagnostics", c.caseId, data.bundleId, data);
}

function incidentEvent(rng: Random, world: World, c: CaseState, fresh: Fresh, at: string) {
  const open = [...world.incidents.values()].filter((i) => i.status !== "resolved");
  if (!open.length || (open.length < Math.ceil(world.cases.length / 6) && rng.chance(0.3))) {
    // A new incident linking cases of the same product, with their accounts affected.
    const linked = world.cases.filter((k) => k.ticket && k.product === c.product).slice(0, rng.int(2, 4));
    const severity = SEVERITIES.find((s) => linked.every((k) => Math.abs(level(s) - level(k.ticket!.severity)) < 2)) ?? null;
    if (!severity) return fresh("ticketing", c.caseId, c.ticketId, updateTicket(rng, world, c, at));
    const incidentId = `INC-${world.nextIncident++}`;
    const data: IncidentData = {
      incidentId,
      title: rng.pick(INCIDENT_TITLES[c.product]!),
      severity,
      status: "investigating",
      classification: rng.pick(["degradation", "partial outage", "performance"]),
      affectedAccounts: [...new Set(linked.map((k) => k.account.accountId))].sort(),
      caseIds: linked.map((k) => k.caseId),
    };
    world.incidents.set(incidentId, data);
    for (const k of linked) k.incidents.push(incidentId);
    return fresh("incident", data.caseIds[0]!, incidentId, data);
  }
  const inc = structuredClone(rng.pick(open));
  // Cases closed since then are gone from the world; only open ones constrain the severity.
  const linked = inc.caseIds.map((id) => world.cases.find((k) => k.caseId === id && k.ticket)).filter((k): k is CaseState => !!k);
  const progress = { investigating: "identified", identified: "monitoring", monitoring: "resolved", resolved: "resolved" } as const;
  if (rng.chance(0.5)) inc.status = progress[inc.status];
  else {
    const options = SEVERITIES.filter((s) => Math.abs(level(s) - level(inc.severity)) === 1 && linked.every((k) => Math.abs(level(s) - level(k.ticket!.severity)) < 2));
    if (options.length) inc.severity = rng.pick(options);
    else inc.status = progress[inc.status];
  }
  const event = fresh("incident", inc.caseIds[0]!, inc.incidentId, inc);
  if (inc.status === "resolved") retireIncident(world, inc.incidentId);
  else world.incidents.set(inc.incidentId, inc);
  return event;
}

/** A resolved incident stops changing: it leaves the world (bounded memory on long runs). */
function retireIncident(world: World, id: string): void {
  world.incidents.delete(id);
  for (const c of world.cases) c.incidents = c.incidents.filter((x) => x !== id);
  world.forget([`incident/${id}`]);
}

/** The next version of the same entity as `first`, for an out-of-order pair. */
export function routineFollowUp(rng: Random, world: World, fresh: Fresh, first: Omit<StreamItem, "seq" | "burst">) {
  const id = first.body.entity.id;
  const at = first.body.occurredAt;
  switch (first.source) {
    case "ticketing": {
      const c = world.cases.find((k) => k.ticketId === id)!;
      return fresh("ticketing", c.caseId, id, updateTicket(rng, world, c, at));
    }
    case "diagnostics": {
      const b = world.bundles.get(id)!;
      b.data = { ...b.data, approval: { status: "customer_approved", by: "security-office@customer.example", at } };
      return fresh("diagnostics", b.caseId, id, b.data);
    }
    case "environment": {
      const env = world.envs.get(id)!;
      env.data = { ...env.data!, productVersion: `${env.data!.productVersion}-hotfix${rng.int(1, 9)}`, capturedAt: at };
      return fresh("environment", first.body.caseId, id, env.data);
    }
    case "entitlement": {
      const a = world.accounts.find((x) => x.accountId === id)!;
      a.validUntilYear++;
      a.data = { ...a.data!, validUntil: `${a.validUntilYear}-12-31` };
      return fresh("entitlement", first.body.caseId, id, a.data);
    }
    case "incident": {
      const current = world.incidents.get(id);
      if (!current) return null; // resolved by the first event
      const inc = { ...current, title: `${current.title} (update)` };
      world.incidents.set(id, inc);
      return fresh("incident", first.body.caseId, id, inc);
    }
  }
}

