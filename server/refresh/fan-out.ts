import type { Db } from "../db/client";
import { newId } from "../lib/ids";
import type { SourceKind } from "../intake/event-schemas";
import type { QueuedEvent } from "./sql/claim-events";
import { linkIncidentCases } from "./sql/link-incident-cases";

export type { QueuedEvent } from "./sql/claim-events";

/**
 * The cases an event touches (docs/domain.md's "fans out to"): its case; every case of the account;
 * every case an incident lists now or listed before; every case whose ticket names the environment.
 */
export async function fanOut(db: Db, kind: SourceKind, event: QueuedEvent): Promise<string[]> {
  const cases = new Set<string>();
  if (event.caseId !== "*") cases.add(event.caseId);
  const data = (typeof event.data === "string" ? JSON.parse(event.data) : event.data) as Record<string, unknown>;
  if (kind === "entitlement") {
    const rows = await db.sourceEntity.findMany({ where: { entityKind: "ticket", accountId: event.entityId, caseId: { not: null } }, select: { caseId: true } });
    for (const r of rows) cases.add(r.caseId!);
  } else if (kind === "environment") {
    const rows = await db.sourceEntity.findMany({ where: { entityKind: "ticket", environmentId: event.entityId, caseId: { not: null } }, select: { caseId: true } });
    for (const r of rows) cases.add(r.caseId!);
  } else if (kind === "incident") {
    const entity = await db.sourceEntity.findUnique({ where: { sourceId_entityId: { sourceId: event.sourceId, entityId: event.entityId } }, select: { id: true } });
    if (entity) {
      const listed = (data.caseIds as string[]) ?? [];
      if (listed.length) {
        await linkIncidentCases(db, [entity.id, listed.map(() => newId("lnk")), listed]);
      }
      const links = await db.entityCaseLink.findMany({ where: { entityId: entity.id }, select: { caseId: true } });
      for (const l of links) cases.add(l.caseId);
    }
  }
  return [...cases].sort();
}
