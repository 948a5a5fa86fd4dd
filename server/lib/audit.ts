import type { Prisma } from "../db/generated/client";
import type { Tx } from "../db/client";
import { newId } from "./ids";

export interface Actor {
  id: string | null;
  label: string;
  role: "duty_manager" | "specialist" | "admin" | "system";
}

export const SYSTEM_ACTOR: Actor = { id: null, label: "system", role: "system" };

export async function audit(
  tx: Tx,
  actor: Actor,
  entry: { action: string; targetType: string; targetId: string; before?: unknown; after?: unknown; note?: string | null },
): Promise<void> {
  await tx.auditLog.create({
    data: {
      id: newId("aud"),
      actorId: actor.id,
      actorLabel: actor.label,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId,
      before: entry.before === undefined ? undefined : (entry.before as Prisma.InputJsonValue),
      after: entry.after === undefined ? undefined : (entry.after as Prisma.InputJsonValue),
      note: entry.note ?? null,
    },
  });
}
