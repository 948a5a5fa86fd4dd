import type { SqlRunner } from "./sql-runner";

/**
 * Every table that holds rows of a case group, with the predicate that finds a group's rows by its
 * token and the columns holding random ids (newId), which a clone suffixes with `_<k>` so they stay
 * unique while foreign keys still match. Every other text and JSON column has the token replaced.
 *
 * Not cloned: reference data, sources, users, sessions, tokens, jobs, refusals and the audit log
 * (the template's refreshes write no audit rows: it has no overrides to lapse). A template must
 * not contain ids of its own rows inside JSON (a PROCESSING_FAILED exception's event id, an
 * override's lineage): the clone could not rewrite them. seedScale checks there are none.
 */
export interface GroupTable {
  name: string;
  /** SQL predicate over the table's columns selecting the rows of the group with token `$token`. */
  rowsOf: (tokenLiteral: string) => string;
  /** Columns with random ids (primary and foreign keys to cloned rows). */
  ids: string[];
}

const like = (col: string) => (t: string) => `"${col}" LIKE '%' || ${t} || '%'`;

/** In foreign-key order: a table comes after every table it references. */
export const GROUP_TABLES: GroupTable[] = [
  { name: "Case", rowsOf: like("id"), ids: [] },
  { name: "WebhookEvent", rowsOf: like("webhookId"), ids: ["id"] },
  { name: "SourceEntity", rowsOf: like("entityId"), ids: ["id", "currentEventId"] },
  { name: "EntityCaseLink", rowsOf: like("caseId"), ids: ["id", "entityId"] },
  { name: "EventCase", rowsOf: like("caseId"), ids: ["id", "eventId"] },
  { name: "RecordVersion", rowsOf: like("caseId"), ids: ["id", "triggerEventId"] },
  { name: "DeltaEntry", rowsOf: like("caseId"), ids: ["id", "versionId"] },
  { name: "CaseException", rowsOf: like("caseId"), ids: ["id"] },
  { name: "ApprovedConflict", rowsOf: like("caseId"), ids: ["id", "exceptionId"] },
  { name: "FieldOverride", rowsOf: like("caseId"), ids: ["id", "basisEntityId", "exceptionId"] },
  {
    name: "QuarantinedEvent",
    rowsOf: (t) => `"eventId" IN (SELECT w."id" FROM "WebhookEvent" w WHERE w."webhookId" LIKE '%' || ${t} || '%')`,
    ids: ["id", "eventId", "exceptionId"],
  },
];

export interface Column {
  name: string;
  type: string;
}

/** The columns of a table as the database has them (so a new migration's column is cloned too). */
export async function columnsOf(sql: SqlRunner, table: string): Promise<Column[]> {
  const rows = await sql.query<{ name: string; type: string }>(
    `SELECT column_name AS name, data_type AS type FROM information_schema.columns
     WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`,
    table,
  );
  if (!rows.length) throw new Error(`table "${table}" not found`);
  return rows;
}

export const isTimestamp = (c: Column) => c.type.startsWith("timestamp");

/**
 * Moves every time column of the group's rows at or after `since` by `deltaSeconds`: the template
 * is built now, then placed in the past, a round at a time (rows an earlier round placed are older
 * than `since`, so they are left alone).
 */
export async function shiftGroupTimes(sql: SqlRunner, token: string, since: string, deltaSeconds: number): Promise<void> {
  for (const t of GROUP_TABLES) {
    const cols = (await columnsOf(sql, t.name)).filter(isTimestamp).map((c) => `"${c.name}"`);
    const set = cols.map((c) => `${c} = CASE WHEN ${c} >= $2::timestamp THEN ${c} + make_interval(secs => $3::float8) ELSE ${c} END`);
    await sql.exec(
      `UPDATE "${t.name}" SET ${set.join(", ")} WHERE (${t.rowsOf("$1::text")}) AND (${cols.map((c) => `${c} >= $2::timestamp`).join(" OR ")})`,
      token,
      since,
      deltaSeconds,
    );
  }
}
