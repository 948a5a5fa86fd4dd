import { z } from "zod";
import { isStorableDate, safeCoercedDate, safeInt } from "../lib/safe-text";
import type { Db } from "../db/client";
import type { Prisma } from "../db/generated/client";
import type { Actor } from "../lib/audit";
import { assertRole } from "./authorize";

/** The audit log browser: newest first, filtered, paged by (createdAt, id) so equal timestamps never skip a row. */
export const auditQueryInput = z.object({
  action: z.string().trim().max(100).optional(),
  actor: z.string().trim().max(200).optional(),
  targetType: z.string().trim().max(100).optional(),
  targetId: z.string().trim().max(200).optional(),
  from: safeCoercedDate().optional(),
  to: safeCoercedDate().optional(),
  cursor: z.string().max(200).optional(),
  limit: safeInt(1, 200).default(50),
});
export type AuditQuery = z.input<typeof auditQueryInput>;

function encodeCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(`${row.createdAt.toISOString()}|${row.id}`).toString("base64url");
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } | null {
  const [at, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const createdAt = new Date(at ?? "");
  return id && isStorableDate(createdAt) ? { createdAt, id } : null;
}

export async function listAuditLog(db: Db, actor: Actor, raw: AuditQuery = {}) {
  assertRole(actor, "admin");
  const q = auditQueryInput.parse(raw);
  const and: Prisma.AuditLogWhereInput[] = [];
  if (q.action) and.push({ action: q.action.endsWith("*") ? { startsWith: q.action.slice(0, -1) } : q.action });
  if (q.actor) and.push({ OR: [{ actorId: q.actor }, { actorLabel: { contains: q.actor, mode: "insensitive" } }] });
  if (q.targetType) and.push({ targetType: q.targetType });
  if (q.targetId) and.push({ targetId: q.targetId });
  if (q.from) and.push({ createdAt: { gte: q.from } });
  if (q.to) and.push({ createdAt: { lte: q.to } });
  const cur = q.cursor ? decodeCursor(q.cursor) : null;
  if (cur) and.push({ OR: [{ createdAt: { lt: cur.createdAt } }, { createdAt: cur.createdAt, id: { lt: cur.id } }] });
  const rows = await db.auditLog.findMany({
    where: and.length ? { AND: and } : {},
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: q.limit + 1,
    select: { id: true, actorId: true, actorLabel: true, action: true, targetType: true, targetId: true, before: true, after: true, note: true, createdAt: true },
  });
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return { entries: page, nextCursor: rows.length > q.limit && last ? encodeCursor(last) : null };
}

/** Distinct actions and target types, for the browser's filters. */
export async function auditFacets(db: Db, actor: Actor) {
  assertRole(actor, "admin");
  const [actions, targetTypes] = await Promise.all([
    db.auditLog.findMany({ distinct: ["action"], select: { action: true }, orderBy: { action: "asc" } }),
    db.auditLog.findMany({ distinct: ["targetType"], select: { targetType: true }, orderBy: { targetType: "asc" } }),
  ]);
  return { actions: actions.map((a) => a.action), targetTypes: targetTypes.map((t) => t.targetType) };
}
