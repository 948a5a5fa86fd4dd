import type { DiagnosticsData, EntitlementData, EnvironmentData, IncidentData, SourceKind, TicketData } from "../../server/intake/event-schemas";
import { eventContract } from "../../server/intake/event-schemas";
import { CONTACT_FIRST, ENGINEERS, NOTE_BODIES, REPRO_STEPS } from "../simulator/catalog";
import { digestOf, Random } from "../simulator/random";
import { ACCOUNTS, CASES, ENVIRONMENTS, INCIDENTS, type AccountSpec, type CaseSpec } from "./demo-cast";
import type { DemoActionStep, DemoStep } from "./pack-rounds";

const STEP_MINUTES = 7;
const DEMO_SEED = 20261127;

/**
 * Keeps the full state of every demo entity and turns each change into a signed-event step with
 * the next version, or an action step; occurredAt advances STEP_MINUTES per step.
 */
export class ScenarioBuilder {
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
