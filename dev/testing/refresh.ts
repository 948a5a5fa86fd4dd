// Helpers shared by the refresh and exception tests (not imported by application code).
import type { Db } from "../../server/db/client";
import type { Actor } from "../../server/lib/audit";
import { newId } from "../../server/lib/ids";
import { canonical } from "../../shared/pointer";
import type { Lineage, LineageMap } from "../../server/refresh/types";

export interface CaseState {
  current: number | null;
  versions: { version: number; status: string }[];
  live: { id: string; rule: string; status: string; candidateVersion: number | null }[];
}

export async function caseState(db: Db, caseId: string): Promise<CaseState> {
  const [current, versions, live] = await Promise.all([
    db.recordVersion.findFirst({ where: { caseId, isCurrent: true }, select: { version: true } }),
    db.recordVersion.findMany({ where: { caseId }, orderBy: { version: "asc" }, select: { version: true, status: true } }),
    db.caseException.findMany({ where: { caseId, liveKey: { not: null } }, orderBy: { rule: "asc" }, select: { id: true, rule: true, status: true, candidateVersion: true } }),
  ]);
  return { current: current?.version ?? null, versions, live };
}

export async function currentRecord(db: Db, caseId: string): Promise<{ version: number; record: Record<string, unknown>; lineage: LineageMap } | null> {
  const v = await db.recordVersion.findFirst({ where: { caseId, isCurrent: true }, select: { version: true, record: true, lineage: true } });
  return v ? { version: v.version, record: v.record as Record<string, unknown>, lineage: v.lineage as unknown as LineageMap } : null;
}

/** caseId → canonical JSON of its current record. */
export async function currentRecords(db: Db): Promise<Map<string, string>> {
  const rows = await db.recordVersion.findMany({ where: { isCurrent: true }, select: { caseId: true, record: true }, orderBy: { caseId: "asc" } });
  return new Map(rows.map((r) => [r.caseId, canonical(r.record)]));
}

/** Empties everything events and refreshes write, keeping sources and reference data (DELETE: far cheaper than TRUNCATE on small tables). */
export async function resetEventTables(db: Db): Promise<void> {
  for (const table of ["FeedChange", "EventCase", "QuarantinedEvent", "DeltaEntry", "RecordVersion", "CaseException", "FieldOverride", "ApprovedConflict", "EntityCaseLink", "SourceEntity", "WebhookEvent", "Case", "AuditLog"]) {
    await db.$executeRawUnsafe(`DELETE FROM "${table}"`);
  }
}

export async function createUser(db: Db, role: "specialist" | "admin" | "duty_manager", name: string): Promise<Actor> {
  const id = newId("usr");
  await db.user.create({ data: { id, email: `${id}@example.test`, name, role, passwordHash: "not-a-real-hash" } });
  return { id, label: name, role };
}

export const LINEAGE_FIELDS = ["source", "entityKind", "entityId", "entityVersion", "webhookId", "occurredAt", "receivedAt"] as const;

/** docs/api.md's seven lineage fields, each present and of the right type. */
export function isCompleteLineage(l: Lineage | undefined): boolean {
  if (!l) return false;
  return (
    typeof l.source === "string" && l.source.length > 0 &&
    typeof l.entityKind === "string" && l.entityKind.length > 0 &&
    typeof l.entityId === "string" && l.entityId.length > 0 &&
    Number.isInteger(l.entityVersion) && l.entityVersion > 0 &&
    typeof l.webhookId === "string" && l.webhookId.length > 0 &&
    !Number.isNaN(Date.parse(l.occurredAt)) &&
    !Number.isNaN(Date.parse(l.receivedAt))
  );
}

/** Every leaf and every list item of a record, as JSON Pointers. */
export function leafAndItemPaths(value: unknown, path = ""): string[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => [`${path}/${i}`, ...leafAndItemPaths(v, `${path}/${i}`).filter((p) => p !== `${path}/${i}`)]);
  if (value !== null && typeof value === "object") {
    return Object.entries(value).flatMap(([k, v]) => leafAndItemPaths(v, `${path}/${k.replace(/~/g, "~0").replace(/\//g, "~1")}`));
  }
  return [path];
}
