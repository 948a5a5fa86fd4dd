import type { Db } from "../../db/client";

/** docs/api.md's seven lineage fields: a lineage entry without one of them is incomplete. */
export const LINEAGE_KEYS = ["source", "entityKind", "entityId", "entityVersion", "webhookId", "occurredAt", "receivedAt"];

const escape = (key: string) => key.replace(/~/g, "~0").replace(/\//g, "~1");

/** Every leaf (a value that is neither object nor array) and every list item of a record, as JSON Pointers. */
export function leafAndItemPaths(value: unknown, path = "", out: string[] = []): string[] {
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      out.push(`${path}/${i}`);
      if (v !== null && typeof v === "object") leafAndItemPaths(v, `${path}/${i}`, out);
    });
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (v !== null && typeof v === "object") leafAndItemPaths(v, `${path}/${escape(k)}`, out);
      else out.push(`${path}/${escape(k)}`);
    }
  }
  return out;
}

export function hasLineageKeys(entry: unknown): boolean {
  return entry !== null && typeof entry === "object" && !Array.isArray(entry) && LINEAGE_KEYS.every((k) => k in entry);
}

/** Lined: every leaf and list item of the record has a lineage entry with the seven fields. */
export function isLined(record: unknown, lineage: unknown): boolean {
  const map = (lineage ?? {}) as Record<string, unknown>;
  return leafAndItemPaths(record).every((p) => hasLineageKeys(map[p]));
}

const parse = (v: unknown) => (typeof v === "string" ? (JSON.parse(v) as unknown) : v);

/**
 * The dashboard's self-check, version by version and once per change: does every leaf and list
 * item of the record carry a lineage entry with the seven fields (lined), and does the version's
 * delta trace exist with lineage on every entry (traced)? Triggers queue a version in
 * LineageAuditQueue when it is written, when its lineage or record changes and when its delta
 * entries do (migration 20261201100000_read_path_indexes). One pass takes up to `limit` queued
 * versions (SKIP LOCKED: concurrent passes take different ones), walks them here in the process
 * (a recursive walk in SQL cost PostgreSQL about a millisecond per version) and records the
 * incomplete ones in IncompleteVersion, dropping those now complete; queue rows and verdicts
 * move in one transaction, so a pass that fails leaves the queue as it was.
 *
 * The dashboard used to walk every version of its window on every read (seconds at a million
 * events); now each version is walked once, after its refresh committed, off the request path.
 */
export async function auditLineage(db: Db, limit = 200): Promise<{ audited: number; incomplete: number }> {
  return db.$transaction(async (tx) => {
    const taken = await tx.$queryRawUnsafe<{ versionId: string }[]>(
      `DELETE FROM "LineageAuditQueue" WHERE "versionId" IN (
         SELECT "versionId" FROM "LineageAuditQueue" ORDER BY "queuedAt" LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING "versionId"`,
      limit,
    );
    if (!taken.length) return { audited: 0, incomplete: 0 };
    const ids = taken.map((t) => t.versionId);
    // `= ANY($1)` plans as index look-ups by primary key and by versionId.
    const [versions, traces] = await Promise.all([
      tx.$queryRawUnsafe<{ id: string; caseId: string; version: number; record: string; lineage: string }[]>(
        `SELECT "id", "caseId", "version", "record"::text AS "record", "lineage"::text AS "lineage" FROM "RecordVersion" WHERE "id" = ANY($1::text[])`,
        ids,
      ),
      tx.$queryRawUnsafe<{ versionId: string; ok: boolean }[]>(
        `SELECT "versionId", bool_and(COALESCE("lineage" ?& $2::text[], false)) AS "ok" FROM "DeltaEntry" WHERE "versionId" = ANY($1::text[]) GROUP BY 1`,
        ids,
        LINEAGE_KEYS,
      ),
    ]);
    const traced = new Map(traces.map((t) => [t.versionId, t.ok]));
    const verdicts = versions.map((v) => ({ ...v, lined: isLined(parse(v.record), parse(v.lineage)), traced: traced.get(v.id) ?? false }));
    const bad = verdicts.filter((v) => !(v.lined && v.traced));
    const good = verdicts.filter((v) => v.lined && v.traced).map((v) => v.id);
    if (bad.length) {
      await tx.$executeRawUnsafe(
        `INSERT INTO "IncompleteVersion" ("versionId", "caseId", "version", "lined", "traced", "auditedAt")
         SELECT x.id, x.case_id, x.version, x.lined, x.traced, now()
         FROM unnest($1::text[], $2::text[], $3::int[], $4::boolean[], $5::boolean[]) AS x(id, case_id, version, lined, traced)
         ON CONFLICT ("versionId") DO UPDATE SET "lined" = EXCLUDED."lined", "traced" = EXCLUDED."traced", "auditedAt" = EXCLUDED."auditedAt"`,
        bad.map((b) => b.id),
        bad.map((b) => b.caseId),
        bad.map((b) => b.version),
        bad.map((b) => b.lined),
        bad.map((b) => b.traced),
      );
    }
    if (good.length) await tx.$executeRawUnsafe(`DELETE FROM "IncompleteVersion" WHERE "versionId" = ANY($1::text[])`, good);
    return { audited: taken.length, incomplete: bad.length };
  });
}

/** Versions still waiting for the audit, counted up to `cap`. */
export async function auditBacklog(db: Db, cap = 1000): Promise<number> {
  const [row] = await db.$queryRawUnsafe<{ n: number }[]>(
    `SELECT count(*)::int AS "n" FROM (SELECT 1 FROM "LineageAuditQueue" ORDER BY "queuedAt" LIMIT $1) x`,
    cap,
  );
  return row?.n ?? 0;
}
