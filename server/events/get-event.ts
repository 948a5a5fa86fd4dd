import type { Db } from "../db/client";
import { AppError } from "../lib/errors";

/** One accepted event with its verified body and the versions it produced. */
export async function getEvent(db: Db, id: string) {
  const e = await db.webhookEvent.findUnique({
    where: { id },
    select: {
      id: true, seq: true, webhookId: true, type: true, caseId: true, entityKind: true, entityId: true, entityVersion: true,
      occurredAt: true, receivedAt: true, processedAt: true, status: true, attempts: true, lastError: true, data: true,
      source: { select: { name: true } },
      cases: { select: { caseId: true, outcome: true, recordVersion: true }, orderBy: { caseId: "asc" } },
      quarantine: { select: { exceptionId: true, note: true, createdAt: true } },
    },
  });
  if (!e) throw new AppError("NOT_FOUND", `event ${id} does not exist`);
  const { source, seq, ...rest } = e;
  return { ...rest, seq: seq.toString(), source: source.name };
}
