import type { Db } from "../db/client";
import { AppError } from "../lib/errors";
import { parsePointer, pointer } from "../../shared/pointer";
import type { Lineage, LineageMap } from "../refresh/types";

/** "/incidents/0/severity" → ["/incidents", "/incidents/0", "/incidents/0/severity"]. */
function selfAndAncestors(path: string): string[] {
  const tokens = parsePointer(path);
  return tokens.map((_, i) => pointer(...tokens.slice(0, i + 1)));
}

/** The lineage of a path: its own entry, else the nearest list item or ancestor that has one. */
export function lineageAt(map: LineageMap, path: string): Lineage | null {
  const chain = selfAndAncestors(path).reverse();
  for (const p of chain) if (map[p]) return map[p]!;
  return null;
}

/** Changes listed per drill-down: the newest ones (a field can change in every one of 1,000 versions). */
export const FIELD_HISTORY_LIMIT = 200;

/**
 * Lineage drill-down of one field: where its value in `version` came from, and the newest recorded
 * changes of the field (or of the list item or section that holds it) across the case's versions.
 * Every look-up is by the case's own keys, so the cost follows the case, never the database.
 */
export async function getFieldHistory(db: Db, caseId: string, path: string, version: number) {
  if (!path.startsWith("/")) throw new AppError("BAD_REQUEST", `path must be a JSON pointer such as /case/severity (got ${JSON.stringify(path)})`);
  const v = await db.recordVersion.findUnique({ where: { caseId_version: { caseId, version } }, select: { version: true, status: true, lineage: true } });
  if (!v) throw new AppError("NOT_FOUND", `case "${caseId}" has no version ${version}`);
  const lineage = lineageAt(v.lineage as unknown as LineageMap, path);
  const entries = await db.deltaEntry.findMany({
    where: { caseId, OR: [{ path: { in: selfAndAncestors(path) } }, { path: { startsWith: `${path}/` } }] },
    select: { path: true, before: true, after: true, cause: true, lineage: true, version: { select: { version: true, status: true, createdAt: true } } },
    orderBy: [{ createdAt: "desc" }, { id: "asc" }],
    take: FIELD_HISTORY_LIMIT,
  });
  const history = entries
    .map((e) => ({
      version: e.version.version,
      status: e.version.status,
      createdAt: e.version.createdAt,
      path: e.path,
      before: e.before ?? null,
      after: e.after ?? null,
      cause: e.cause,
      lineage: e.lineage as unknown as Lineage,
    }))
    .sort((a, b) => b.version - a.version || a.path.localeCompare(b.path, "en", { numeric: true }));
  const lineages = [lineage, ...history.map((h) => h.lineage)].filter((l): l is Lineage => !!l && l.source !== "manual_override");
  // Source names to ids first (a handful of rows), so each event is one probe of the unique (sourceId, webhookId) key.
  const sources = lineages.length ? await db.source.findMany({ select: { id: true, name: true } }) : [];
  const idOf = new Map(sources.map((s) => [s.name, s.id]));
  const keys = new Map<string, { sourceId: string; webhookId: string }>();
  for (const l of lineages) {
    const sourceId = idOf.get(l.source);
    if (sourceId && l.webhookId) keys.set(`${sourceId}/${l.webhookId}`, { sourceId, webhookId: l.webhookId });
  }
  const events = keys.size
    ? await db.webhookEvent.findMany({ where: { OR: [...keys.values()] }, select: { id: true, webhookId: true, source: { select: { name: true } } } })
    : [];
  return {
    caseId,
    path,
    version: v.version,
    versionStatus: v.status,
    lineage,
    history,
    /** Event id by "source/webhookId", for links into the event log. */
    eventIds: Object.fromEntries(events.map((e) => [`${e.source.name}/${e.webhookId}`, e.id])),
  };
}
