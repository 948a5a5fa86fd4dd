import type { Tx } from "../db/client";
import { newId } from "../lib/ids";

/**
 * Opens (or refreshes) the PROCESSING_FAILED exception of a case whose event failed for good
 * (docs/domain.md, "Exceptions"): one live exception per case, its detail naming the newest failed
 * event, and the case's open-exception count kept in step.
 */
export async function openProcessingFailed(tx: Tx, caseId: string, failure: { eventId: string; attempts: number; lastError: string }): Promise<void> {
  await tx.$executeRawUnsafe(`INSERT INTO "Case" ("id", "updatedAt") VALUES ($1, now()) ON CONFLICT ("id") DO NOTHING`, caseId);
  const liveKey = `${caseId}:PROCESSING_FAILED`;
  const detail = { message: `Event ${failure.eventId} failed ${failure.attempts} times: ${failure.lastError}`, hits: [], eventId: failure.eventId };
  const existing = await tx.caseException.findUnique({ where: { liveKey }, select: { id: true } });
  if (existing) await tx.caseException.update({ where: { id: existing.id }, data: { detail, lastSeenAt: new Date() } });
  else await tx.caseException.create({ data: { id: newId("exc"), caseId, rule: "PROCESSING_FAILED", liveKey, detail } });
  const open = await tx.caseException.count({ where: { caseId, liveKey: { not: null } } });
  await tx.case.update({ where: { id: caseId }, data: { openExceptionCount: open } });
}
