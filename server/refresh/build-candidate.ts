import type { DiagnosticsData, IncidentData, TicketData } from "../intake/event-schemas";
import { normaliseAlias } from "../reference/normalise";
import { applyMappedFields } from "./mapped-fields";
import { DERIVED_FIELDS, overrideSpecOf, overrideWrites } from "./override-fields";
import { parsePointer, pointer } from "../../shared/pointer";
import {
  entityKey,
  type Candidate,
  type CaseInputs,
  type EntityState,
  type Json,
  type Lineage,
  type LineageMap,
  type OverrideSpec,
  type RecordDoc,
  type ReferenceData,
} from "./types";

export function lineageOf(s: EntityState<unknown>): Lineage {
  return {
    source: s.sourceName,
    entityKind: s.entityKind,
    entityId: s.entityId,
    entityVersion: s.version,
    webhookId: s.webhookId,
    occurredAt: s.occurredAt,
    receivedAt: s.receivedAt,
  };
}

/** Records lineage for every leaf and every list item under `path`. */
function stamp(lineage: LineageMap, path: string, value: Json, lin: Lineage, isListItem = false): void {
  if (Array.isArray(value)) {
    if (isListItem) lineage[path] = lin;
    value.forEach((item, i) => stamp(lineage, `${path}/${i}`, item, lin, true));
    return;
  }
  if (value !== null && typeof value === "object") {
    if (isListItem) lineage[path] = lin;
    for (const [k, v] of Object.entries(value)) stamp(lineage, pointer(...parsePointer(path), k), v, lin);
    return;
  }
  lineage[path] = lin;
}

function byRecency<T>(a: EntityState<T>, b: EntityState<T>): number {
  return b.occurredAt.localeCompare(a.occurredAt) || b.version - a.version || a.entityId.localeCompare(b.entityId);
}

const compact = <T extends Record<string, Json | undefined>>(o: T): { [k: string]: Json } => {
  const out: { [k: string]: Json } = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
};

/** The ticket the case's record is built from: one ticket per case, newest if a case got several. */
export function caseTicket(inputs: CaseInputs): EntityState<TicketData> | null {
  return [...inputs.tickets].sort(byRecency)[0] ?? null;
}

/** Incidents whose current state lists the case (the others are only evidence for CASE_BOUNDARY_CONFLICT). */
export function linkedIncidents(inputs: CaseInputs): EntityState<IncidentData>[] {
  return inputs.incidents.filter((i) => i.data.caseIds.includes(inputs.caseId)).sort((a, b) => a.entityId.localeCompare(b.entityId));
}

/**
 * Folds the accepted state of every source entity of a case into a record with lineage. Pure: the
 * same inputs give the same record whatever order the events arrived in.
 */
export function buildCandidate(inputs: CaseInputs, ref: ReferenceData, overrides: OverrideSpec[] = []): Candidate | null {
  const ticket = caseTicket(inputs);
  if (!ticket) return null;
  const t = ticket.data;
  const record: RecordDoc = {};
  const lineage: LineageMap = {};
  const problems: Candidate["problems"] = [];
  const entities = new Map<string, EntityState<unknown>>();
  const use = (s: EntityState<unknown>) => entities.set(entityKey(s.sourceName, s.entityId), s);
  use(ticket);
  const tl = lineageOf(ticket);

  const product = ref.products.get(normaliseAlias(t.productArea));
  if (!product) {
    problems.push({ field: "case.product", message: `product area "${t.productArea}" is not in the product taxonomy`, lineage: tl });
  }
  record.case = compact({
    id: inputs.caseId,
    accountId: t.accountId,
    customerName: t.customerName,
    subject: t.subject,
    status: t.status,
    severity: t.severity,
    productArea: t.productArea,
    product: product?.code,
    productName: product?.name,
    declaredTier: t.declaredServiceTier,
  });
  stamp(lineage, "/case", record.case, tl);

  if (inputs.entitlement) {
    const e = inputs.entitlement;
    use(e);
    const tier = ref.tiers.get(normaliseAlias(e.data.serviceTier));
    record.entitlement = compact({
      accountId: e.data.accountId,
      tier: tier?.code ?? e.data.serviceTier,
      tierName: tier?.name,
      status: e.data.status,
      contractId: e.data.contractId,
      validUntil: e.data.validUntil,
      slaMinutes: tier?.slaMinutes,
      corrected: e.data.correction ? true : undefined,
      correctionReason: e.data.correction?.reason,
    });
    stamp(lineage, "/entitlement", record.entitlement, lineageOf(e));
  }

  const incidents = linkedIncidents(inputs);
  const incidentItems: Json[] = incidents.map((i) => {
    use(i);
    return {
      id: i.data.incidentId,
      title: i.data.title,
      severity: i.data.severity,
      status: i.data.status,
      classification: i.data.classification,
      affectedAccounts: [...i.data.affectedAccounts],
      caseIds: [...i.data.caseIds],
    };
  });
  record.incidents = incidentItems;
  incidents.forEach((i, idx) => stamp(lineage, `/incidents/${idx}`, incidentItems[idx]!, lineageOf(i), true));

  if (inputs.environment) {
    const e = inputs.environment;
    use(e);
    record.environment = {
      id: e.data.environmentId,
      productVersion: e.data.productVersion,
      deployment: e.data.deployment,
      os: e.data.os,
      region: e.data.region,
      capturedAt: e.data.capturedAt,
      components: e.data.components.map((c) => ({ name: c.name, version: c.version })),
    };
    stamp(lineage, "/environment", record.environment, lineageOf(e));
  }

  record.reproduction = { status: t.reproduction.status, steps: t.reproduction.steps };
  stamp(lineage, "/reproduction", record.reproduction, tl);

  const bundles = [...inputs.bundles].sort((a, b) => a.entityId.localeCompare(b.entityId));
  const artifactItems = bundles.map((b) => {
    use(b);
    return artifactOf(b.data);
  });
  record.artifacts = artifactItems;
  bundles.forEach((b, idx) => stamp(lineage, `/artifacts/${idx}`, artifactItems[idx]!, lineageOf(b), true));

  const approved = approvedLogsOf(bundles);
  record.approvedLogs = approved.map((a) => a.item);
  approved.forEach((a, idx) => stamp(lineage, `/approvedLogs/${idx}`, a.item, lineageOf(a.bundle), true));

  const notes = [...t.notes].sort((a, b) => a.at.localeCompare(b.at) || a.id.localeCompare(b.id));
  record.notes = notes.map((n) => ({ id: n.id, author: n.author, body: n.body, at: n.at }));
  stamp(lineage, "/notes", record.notes, tl);

  // Fields the active schema version added, from the entities the sections above came from.
  applyMappedFields(ref.schema.fields, { case: ticket, reproduction: ticket, entitlement: inputs.entitlement, environment: inputs.environment }, lineageOf, { record, lineage, problems });
  applyOverrides(record, lineage, overrides, ref);
  return { record, lineage, problems, entities, eventIds: [...entities.values()].map((e) => e.eventId).sort() };
}

function artifactOf(d: DiagnosticsData): Json {
  return compact({
    bundleId: d.bundleId,
    uri: d.uri,
    sha256: d.sha256,
    sizeBytes: d.sizeBytes,
    integrity: d.integrity,
    approval: compact({ status: d.approval.status, by: d.approval.by, at: d.approval.at }),
    supersedes: d.supersedes,
    logs: d.logs.map((l) => ({ name: l.name, uri: l.uri, sha256: l.sha256, sizeBytes: l.sizeBytes })),
  });
}

/** Customer-approved log pointers only: one per log name, the newest approved bundle winning. */
export function approvedLogsOf(bundles: EntityState<DiagnosticsData>[]): { item: { [k: string]: Json }; bundle: EntityState<DiagnosticsData> }[] {
  const approved = bundles.filter((b) => b.data.approval.status === "customer_approved");
  const supersededByApproved = new Set(approved.map((b) => b.data.supersedes).filter(Boolean));
  const byName = new Map<string, { item: { [k: string]: Json }; bundle: EntityState<DiagnosticsData> }>();
  const ordered = approved
    .filter((b) => !supersededByApproved.has(b.data.bundleId))
    .sort((a, b) => a.occurredAt.localeCompare(b.occurredAt) || a.entityId.localeCompare(b.entityId));
  for (const b of ordered) {
    for (const l of b.data.logs) {
      byName.set(l.name, { item: { name: l.name, bundleId: b.data.bundleId, uri: l.uri, sha256: l.sha256, sizeBytes: l.sizeBytes }, bundle: b });
    }
  }
  return [...byName.values()].sort((a, b) => String(a.item.name).localeCompare(String(b.item.name)));
}

/** Paths a specialist may override: single values outside lists. */
export function isOverridablePath(path: string): boolean {
  const tokens = parsePointer(path);
  if (tokens.length !== 2) return false;
  return ["case", "entitlement", "environment", "reproduction"].includes(tokens[0]!) && tokens[1] !== "components";
}

/**
 * A specialist's values replace the source's (normalised like source data, override-fields.ts);
 * their leaves get manual_override lineage naming the specialist and the note. A lapsed override
 * sets nothing: the source's leaves stay and their lineage says the override lapsed. A section the
 * sources do not give yet is created for the override (a required field they miss).
 */
function applyOverrides(record: RecordDoc, lineage: LineageMap, overrides: OverrideSpec[], ref: ReferenceData): void {
  for (const o of overrides) {
    if (!isOverridablePath(o.path)) continue;
    const writes = overrideWrites(o.path, o.value, ref);
    const [section] = parsePointer(o.path) as [string, string];
    if (o.lapsed) {
      for (const [path] of writes) {
        const source = lineage[path];
        if (source) lineage[path] = { ...source, overrideLapsed: { exceptionId: o.exceptionId, by: o.by ?? "a specialist", value: o.value as Json } };
      }
      continue;
    }
    const existing = record[section];
    if (existing !== undefined && (existing === null || typeof existing !== "object" || Array.isArray(existing))) continue;
    const target = (existing ?? (record[section] = {})) as { [k: string]: Json };
    for (const [path, value] of writes) {
      const field = parsePointer(path)[1]!;
      // Only the record's own fields: a stored path such as /case/__proto__ sets nothing.
      if (!overrideSpecOf(path, ref) && !DERIVED_FIELDS.has(path) && !Object.hasOwn(target, field)) continue;
      target[field] = value;
      lineage[path] = {
        source: "manual_override",
        entityKind: "exception",
        entityId: o.exceptionId,
        entityVersion: 1,
        webhookId: o.id,
        occurredAt: o.createdAt,
        receivedAt: o.createdAt,
        ...(o.by !== undefined ? { override: { by: o.by, note: o.note ?? "" } } : {}),
      };
    }
  }
}
