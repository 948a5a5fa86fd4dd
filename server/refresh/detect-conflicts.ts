import { fieldPhrase } from "../../shared/format";
import { normaliseAlias } from "../reference/normalise";
import { caseTicket, lineageOf } from "./build-candidate";
import { fieldOf, getAt } from "../../shared/pointer";
import {
  entityKey,
  type Candidate,
  type CaseInputs,
  type DeltaItem,
  type EntityState,
  type Json,
  type LineageMap,
  type RecordDoc,
  type ReferenceData,
  type RuleHit,
} from "./types";
import type { DiagnosticsData } from "../intake/event-schemas";

export interface ConflictContext {
  inputs: CaseInputs;
  candidate: Candidate;
  previous: { record: RecordDoc; lineage: LineageMap } | null;
  delta: DeltaItem[];
  ref: ReferenceData;
  /** Overwrite policy of a field for a source. */
  policyOf: (sourceName: string, field: string) => "auto" | "review";
}

const level = (s: string) => Number(s.slice(1));
const SHA256 = /^[0-9a-f]{64}$/i;
const OPEN_INCIDENT = (status: string) => status !== "resolved";

/** Runs every rule of docs/domain.md on a candidate; the caller drops hits a specialist already approved. */
export function detectConflicts(ctx: ConflictContext): RuleHit[] {
  return [
    ...severityConflicts(ctx),
    ...entitlementInconsistencies(ctx),
    ...corruptedDiagnostics(ctx),
    ...unapprovedEvidence(ctx),
    ...boundaryConflicts(ctx),
    ...schemaInvalid(ctx),
    ...reviewRequired(ctx),
  ];
}

function severityConflicts({ inputs, candidate }: ConflictContext): RuleHit[] {
  const ticket = caseTicket(inputs)!;
  const severity = String(getAt(candidate.record, "/case/severity"));
  const hits: RuleHit[] = [];
  const incidents = (candidate.record.incidents as { id: string; severity: string; status: string }[]) ?? [];
  incidents.forEach((inc, idx) => {
    if (!OPEN_INCIDENT(inc.status) || Math.abs(level(severity) - level(inc.severity)) < 2) return;
    const incLineage = candidate.lineage[`/incidents/${idx}/severity`]!;
    const newer = incLineage.occurredAt > ticket.occurredAt ? incLineage.source : ticket.sourceName;
    hits.push({
      rule: "SEVERITY_CONFLICT",
      fingerprint: `ticket:${severity}|${inc.id}:${inc.severity}`,
      message: `Ticket severity ${severity} and open incident ${inc.id} severity ${inc.severity} are ${Math.abs(level(severity) - level(inc.severity))} levels apart.`,
      field: "case.severity",
      sourceName: newer,
      evidence: [
        { label: "Ticket severity", value: severity, lineage: candidate.lineage["/case/severity"] ?? null },
        { label: `Incident ${inc.id} severity`, value: inc.severity, lineage: incLineage },
      ],
      entities: [entityKey(ticket.sourceName, ticket.entityId), entityKey(incLineage.source, incLineage.entityId)],
    });
  });
  return hits;
}

/**
 * A tier the rule reads: the source's own text, or, where an override of that field holds, the
 * specialist's value as the candidate record shows it (with the override's lineage). The rule then
 * judges the record a reader sees, as SEVERITY_CONFLICT does: a later change of the other side is
 * judged against the overridden value (docs/domain.md, "An override holds").
 */
function tierRead(candidate: Candidate, path: string, sourceText: string | undefined, sourceLineage: LineageMap[string]): { text: string | undefined; lineage: LineageMap[string] } {
  const lineage = candidate.lineage[path];
  if (lineage?.source !== "manual_override") return { text: sourceText, lineage: sourceLineage };
  const value = getAt(candidate.record, path);
  return { text: typeof value === "string" ? value : sourceText, lineage };
}

function entitlementInconsistencies({ inputs, candidate, ref }: ConflictContext): RuleHit[] {
  const ticket = caseTicket(inputs)!;
  const ent = inputs.entitlement;
  const hits: RuleHit[] = [];
  const { text: declared, lineage: tl } = tierRead(candidate, "/case/declaredTier", ticket.data.declaredServiceTier, lineageOf(ticket));
  const declaredTier = declared !== undefined ? ref.tiers.get(normaliseAlias(declared)) : undefined;
  const entKey = ent ? entityKey(ent.sourceName, ent.entityId) : null;
  const ticketKey = entityKey(ticket.sourceName, ticket.entityId);
  const hit = (fingerprint: string, message: string, field: string, sourceName: string, evidence: RuleHit["evidence"], entities: string[]) =>
    hits.push({ rule: "ENTITLEMENT_INCONSISTENT", fingerprint, message, field, sourceName, evidence, entities });

  if (declared !== undefined && !declaredTier) {
    hit(`declared-unknown:${declared}`, `Declared service tier "${declared}" is not in the service-tier registry.`, "case.declaredTier", ticket.sourceName,
      [{ label: "Declared tier", value: declared, lineage: tl }], [ticketKey]);
  }
  if (!ent) return hits;
  const el = lineageOf(ent);
  const { text: entText, lineage: tierLineage } = tierRead(candidate, "/entitlement/tier", ent.data.serviceTier, el);
  const entTier = entText !== undefined ? ref.tiers.get(normaliseAlias(entText)) : undefined;
  if (!entTier) {
    hit(`tier-unknown:${entText}`, `Entitlement tier "${entText}" is not in the service-tier registry.`, "entitlement.tier", ent.sourceName,
      [{ label: "Entitlement tier", value: entText ?? null, lineage: tierLineage }], [entKey!]);
  }
  if (declaredTier && entTier && declaredTier.code !== entTier.code) {
    hit(`mismatch:${declaredTier.code}|${entTier.code}`, `The ticket declares tier ${declaredTier.code} but the entitlement says ${entTier.code}.`, "entitlement.tier",
      ent.occurredAt > ticket.occurredAt ? ent.sourceName : ticket.sourceName,
      [
        { label: "Declared tier (ticket)", value: declared!, lineage: tl },
        { label: "Entitlement tier", value: entText!, lineage: tierLineage },
      ], [ticketKey, entKey!]);
  }
  if (ent.data.status !== "active") {
    hit(`status:${ent.data.status}`, `Entitlement status is ${ent.data.status}, not active.`, "entitlement.status", ent.sourceName,
      [{ label: "Entitlement status", value: ent.data.status, lineage: el }], [entKey!]);
  }
  if (ent.data.correction && !ent.data.correction.reason?.trim()) {
    hit(`correction-without-reason@${ent.version}`, `Entitlement correction (version ${ent.version}) has no reason.`, "entitlement.correctionReason", ent.sourceName,
      [{ label: "Correction reason", value: ent.data.correction.reason ?? null, lineage: el }], [entKey!]);
  }
  return hits;
}

function diagnosticsProblems(b: EntityState<DiagnosticsData>): string[] {
  const d = b.data;
  const out: string[] = [];
  if (d.integrity === "failed") out.push(`bundle ${d.bundleId} reports integrity "failed"`);
  if (!SHA256.test(d.sha256)) out.push(`bundle ${d.bundleId} has a malformed SHA-256`);
  if (d.sizeBytes === 0) out.push(`bundle ${d.bundleId} has size 0`);
  for (const l of d.logs) {
    if (!SHA256.test(l.sha256)) out.push(`log ${l.name} of bundle ${d.bundleId} has a malformed SHA-256`);
    if (l.sizeBytes === 0) out.push(`log ${l.name} of bundle ${d.bundleId} has size 0`);
  }
  return out;
}

function corruptedDiagnostics({ inputs }: ConflictContext): RuleHit[] {
  return inputs.bundles.flatMap((b) => {
    const problems = diagnosticsProblems(b);
    if (!problems.length) return [];
    return [{
      rule: "DIAGNOSTIC_CORRUPTED" as const,
      fingerprint: `${b.entityId}@${b.version}:${problems.join(";")}`,
      message: `Corrupted diagnostics: ${problems.join("; ")}.`,
      field: "artifacts",
      sourceName: b.sourceName,
      evidence: [
        { label: `Bundle ${b.entityId} sha256`, value: b.data.sha256, lineage: lineageOf(b) },
        { label: `Bundle ${b.entityId} size`, value: b.data.sizeBytes, lineage: lineageOf(b) },
        { label: `Bundle ${b.entityId} integrity`, value: b.data.integrity, lineage: lineageOf(b) },
      ],
      entities: [entityKey(b.sourceName, b.entityId)],
    }];
  });
}

function unapprovedEvidence({ inputs, previous }: ConflictContext): RuleHit[] {
  const hits: RuleHit[] = [];
  const approved = inputs.bundles.filter((b) => b.data.approval.status === "customer_approved");
  const approvedById = new Map(approved.map((b) => [b.data.bundleId, b]));
  for (const b of inputs.bundles) {
    if (b.data.approval.status === "customer_approved") continue;
    const bl = lineageOf(b);
    const replaced = b.data.supersedes ? approvedById.get(b.data.supersedes) : undefined;
    const evidence: RuleHit["evidence"] = [{ label: `Bundle ${b.entityId} approval`, value: b.data.approval.status, lineage: bl }];
    const reasons: string[] = [];
    const entities = [entityKey(b.sourceName, b.entityId)];
    if (replaced) {
      reasons.push(`supersedes customer-approved bundle ${replaced.entityId}`);
      evidence.push({ label: `Bundle ${replaced.entityId} approval`, value: replaced.data.approval.status, lineage: lineageOf(replaced) });
    }
    for (const log of b.data.logs) {
      const other = approved.find((a) => a.entityId !== b.entityId && a.data.logs.some((l) => l.name === log.name));
      if (other) {
        reasons.push(`log "${log.name}" would replace the approved one from bundle ${other.entityId}`);
        evidence.push({ label: `Approved log "${log.name}"`, value: other.entityId, lineage: lineageOf(other) });
      }
    }
    const prevApproved = (previous?.record.approvedLogs as { bundleId: string }[] | undefined) ?? [];
    if (prevApproved.some((l) => l.bundleId === b.entityId)) {
      reasons.push(`bundle ${b.entityId} was customer-approved and is now ${b.data.approval.status}`);
    }
    if (!reasons.length) continue;
    hits.push({
      rule: "UNAPPROVED_EVIDENCE",
      fingerprint: `${b.entityId}@${b.version}:${reasons.join(";")}`,
      message: `Unapproved upload ${b.entityId} (${b.data.approval.status}): ${reasons.join("; ")}.`,
      field: "approvedLogs",
      sourceName: b.sourceName,
      evidence,
      entities,
    });
  }
  return hits;
}

function boundaryConflicts({ inputs, candidate, previous }: ConflictContext): RuleHit[] {
  const hits: RuleHit[] = [];
  const accountId = String(getAt(candidate.record, "/case/accountId"));
  const linked = (candidate.record.incidents as { id: string; affectedAccounts: string[] }[]) ?? [];
  linked.forEach((inc, idx) => {
    if (inc.affectedAccounts.includes(accountId)) return;
    const lin = candidate.lineage[`/incidents/${idx}`]!;
    hits.push({
      rule: "CASE_BOUNDARY_CONFLICT",
      fingerprint: `${inc.id}@${lin.entityVersion}:excludes:${accountId}`,
      message: `Incident ${inc.id} lists this case but its affected accounts exclude the case's account ${accountId}.`,
      field: "incidents",
      sourceName: lin.source,
      evidence: [
        { label: "Case account", value: accountId, lineage: candidate.lineage["/case/accountId"] ?? null },
        { label: `Incident ${inc.id} affected accounts`, value: inc.affectedAccounts, lineage: lin },
      ],
      entities: [entityKey(lin.source, lin.entityId)],
    });
  });
  const before = (previous?.record.incidents as { id: string }[] | undefined) ?? [];
  const now = new Set(linked.map((i) => i.id));
  for (const gone of before) {
    if (now.has(gone.id)) continue;
    const state = inputs.incidents.find((i) => i.entityId === gone.id);
    if (!state) continue; // quarantined away by a specialist, not unlinked by the source
    hits.push({
      rule: "CASE_BOUNDARY_CONFLICT",
      fingerprint: `${gone.id}@${state.version}:unlinked`,
      message: `Incident ${gone.id} is linked in the current record but no longer lists this case.`,
      field: "incidents",
      sourceName: state.sourceName,
      evidence: [{ label: `Incident ${gone.id} case ids`, value: state.data.caseIds as Json, lineage: lineageOf(state) }],
      entities: [entityKey(state.sourceName, state.entityId)],
    });
  }
  return hits;
}

function isPresent(v: unknown): boolean {
  if (v === undefined || v === null || v === "") return false;
  if (Array.isArray(v)) return v.length > 0;
  return true;
}

function schemaInvalid({ candidate, ref }: ConflictContext): RuleHit[] {
  const hits: RuleHit[] = [];
  for (const p of candidate.problems) {
    hits.push({
      rule: "SCHEMA_INVALID",
      fingerprint: `unnormalised:${p.field}:${p.message}`,
      message: p.message,
      field: p.field,
      sourceName: p.lineage?.source ?? null,
      evidence: [{ label: p.field, value: p.message, lineage: p.lineage }],
      entities: p.lineage ? [entityKey(p.lineage.source, p.lineage.entityId)] : [],
    });
  }
  const unnormalised = new Set(candidate.problems.map((p) => p.field));
  for (const f of ref.schema.fields) {
    if (!f.required || unnormalised.has(f.path)) continue;
    const value = getAt(candidate.record, "/" + f.path.split(".").join("/"));
    if (isPresent(value)) continue;
    hits.push({
      rule: "SCHEMA_INVALID",
      fingerprint: `missing:${f.path}@schema${ref.schema.version}`,
      message: `Required field ${fieldPhrase(f.path)} (escalation schema version ${ref.schema.version}) is missing${f.source ? `; it comes from ${f.source}` : ""}.`,
      field: f.path,
      // A field the schema added names its source, so the recurring-exceptions report can group it there.
      sourceName: f.source ?? null,
      evidence: [{ label: f.path, value: null, lineage: null }],
      entities: [],
    });
  }
  return hits;
}

function reviewRequired({ delta, policyOf }: ConflictContext): RuleHit[] {
  const groups = new Map<string, RuleHit>();
  for (const d of delta) {
    if (d.cause === "manual_override" || d.cause === "schema_change") continue;
    const field = fieldOf(d.path);
    if (policyOf(d.lineage.source, field) !== "review") continue;
    const key = `${d.lineage.source}|${field}`;
    let hit = groups.get(key);
    if (!hit) {
      hit = {
        rule: "REVIEW_REQUIRED",
        fingerprint: "",
        message: `Source ${d.lineage.source} changes ${fieldPhrase(field)}, whose overwrite policy is review.`,
        field,
        sourceName: d.lineage.source,
        evidence: [],
        entities: [],
      };
      groups.set(key, hit);
    }
    hit.evidence.push({ label: d.path, value: d.after, lineage: d.lineage });
    const ek = entityKey(d.lineage.source, d.lineage.entityId);
    if (!hit.entities.includes(ek)) hit.entities.push(ek);
  }
  for (const hit of groups.values()) {
    const versions = [...new Set(hit.evidence.map((e) => `${e.lineage!.entityId}@${e.lineage!.entityVersion}`))].sort();
    hit.fingerprint = `${hit.sourceName}|${hit.field}|${versions.join(",")}`;
  }
  return [...groups.values()];
}
