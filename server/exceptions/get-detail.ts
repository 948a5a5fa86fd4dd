import type { Db } from "../db/client";
import { loadExceptionSlas, slaMinutesFor } from "./exception-sla";
import { AppError } from "../lib/errors";
import type { Lineage } from "../refresh/types";

export interface EvidenceView {
  label: string;
  value: unknown;
  lineage: Lineage | null;
}

export interface HitView {
  rule: string;
  message: string;
  field: string;
  sourceName: string | null;
  evidence: EvidenceView[];
}

/**
 * One exception with what a specialist needs to decide: the conflicting evidence with lineage,
 * the versions to compare (held candidate against current), who did what so far, and the events
 * a rejection quarantined.
 */
export async function getExceptionDetail(db: Db, id: string) {
  const e = await db.caseException.findUnique({
    where: { id },
    select: {
      id: true, caseId: true, rule: true, status: true, field: true, sourceName: true, candidateVersion: true, detail: true,
      openedAt: true, lastSeenAt: true, claimedAt: true, resolvedAt: true, resolution: true, resolutionNote: true,
      claimedBy: { select: { id: true, name: true } },
      resolvedBy: { select: { id: true, name: true } },
      case: { select: { customerName: true, subject: true, severity: true, tier: true, currentVersion: true, lastVersion: true } },
    },
  });
  if (!e) throw new AppError("NOT_FOUND", `exception ${id} does not exist`);
  const [candidate, tier, audit, quarantined, slas] = await Promise.all([
    e.candidateVersion
      ? db.recordVersion.findUnique({ where: { caseId_version: { caseId: e.caseId, version: e.candidateVersion } }, select: { version: true, status: true, summary: true, causes: true } })
      : null,
    e.case.tier ? db.serviceTier.findUnique({ where: { code: e.case.tier }, select: { slaMinutes: true, name: true } }) : null,
    db.auditLog.findMany({
      where: { targetType: "exception", targetId: id },
      orderBy: { createdAt: "asc" },
      select: { id: true, actorLabel: true, action: true, note: true, createdAt: true, after: true },
    }),
    db.quarantinedEvent.findMany({
      where: { exceptionId: id },
      select: { event: { select: { id: true, webhookId: true, entityId: true, entityVersion: true, source: { select: { name: true } } } } },
    }),
    loadExceptionSlas(db),
  ]);
  const detail = (e.detail ?? {}) as { message?: string; hits?: HitView[] };
  const { case: c, detail: _raw, ...rest } = e;
  return {
    ...rest,
    message: detail.message ?? "",
    /** The exception SLA of this kind (docs/domain.md "Exception SLA"); the case's slaMinutes is the customer's. */
    slaMinutes: slaMinutesFor(slas, e.rule),
    hits: (detail.hits ?? []).map((h) => ({ rule: h.rule, message: h.message, field: h.field, sourceName: h.sourceName, evidence: h.evidence ?? [] })),
    case: { ...c, slaMinutes: tier?.slaMinutes ?? null, tierName: tier?.name ?? null },
    candidate,
    audit,
    quarantined: quarantined.map((q) => ({ id: q.event.id, webhookId: q.event.webhookId, source: q.event.source.name, entityId: q.event.entityId, entityVersion: q.event.entityVersion })),
  };
}
