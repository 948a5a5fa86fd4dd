import { columnsOf, GROUP_TABLES, type Column, type GroupTable } from "./group-tables";
import type { SqlRunner } from "./sql-runner";

const staging = (t: GroupTable) => `"scale_tpl_${t.name}"`;

/** Copies the template group's rows aside (small tables the clones are read from). */
export async function stageTemplate(sql: SqlRunner, token: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const t of GROUP_TABLES) {
    await sql.exec(`DROP TABLE IF EXISTS ${staging(t)}`);
    // The event's rank in delivery order: clones keep it, so each clone's events queue in the same order.
    const rank = t.name === "WebhookEvent" ? `, row_number() OVER (ORDER BY "seq") AS "scale_rank"` : "";
    await sql.exec(`CREATE TABLE ${staging(t)} AS SELECT *${rank} FROM "${t.name}" WHERE ${t.rowsOf(`'${token}'`)}`);
    const [row] = await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${staging(t)}`);
    counts[t.name] = Number(row!.n);
  }
  return counts;
}

export async function dropStaging(sql: SqlRunner): Promise<void> {
  for (const t of GROUP_TABLES) await sql.exec(`DROP TABLE IF EXISTS ${staging(t)}`);
}

/** The SELECT expression that makes clone `g.k`'s value of a column from the template's. */
function cloneExpr(t: GroupTable, c: Column, token: string): string {
  const col = `s."${c.name}"`;
  const tok = `('G' || lpad(g.k::text, 5, '0'))`;
  if (t.name === "WebhookEvent" && c.name === "seq") return `$3::bigint + (g.k - $1::int)::bigint * $4::bigint + s."scale_rank"`;
  if (t.ids.includes(c.name)) return `${col} || '_' || g.k::text`;
  if (c.type === "text") return `replace(${col}, '${token}', ${tok})`;
  if (c.type === "jsonb") return `replace(${col}::text, '${token}', ${tok})::jsonb`;
  if (c.type === "json") return `replace(${col}::text, '${token}', ${tok})::json`;
  return col;
}

/**
 * Inserts clones `from`..`to` of the staged template: the token replaced by each clone's own in
 * every text and JSON column, random ids suffixed, event sequence numbers continuing after the
 * highest one (in the template's order), everything else (versions, statuses, counters, times) as
 * the template has it. One statement per table for the whole range.
 */
export async function insertClones(sql: SqlRunner, token: string, from: number, to: number): Promise<void> {
  const events = await sql.query<{ base: string; n: number }>(
    `SELECT COALESCE((SELECT max("seq") FROM "WebhookEvent"), 0)::text AS base, (SELECT count(*)::int FROM ${staging(GROUP_TABLES[1]!)}) AS n`,
  );
  const base = events[0]!.base;
  const perClone = Number(events[0]!.n);
  for (const t of GROUP_TABLES) {
    const cols = await columnsOf(sql, t.name);
    const list = cols.map((c) => `"${c.name}"`).join(", ");
    const exprs = cols.map((c) => cloneExpr(t, c, token)).join(", ");
    const params: unknown[] = [from, to];
    if (t.name === "WebhookEvent") params.push(base, perClone);
    await sql.exec(
      `INSERT INTO "${t.name}" (${list}) SELECT ${exprs} FROM ${staging(t)} s CROSS JOIN generate_series($1::int, $2::int) AS g(k)`,
      ...params,
    );
  }
}

/** The event sequence continues after the clones' explicit numbers. */
export async function resetEventSequence(sql: SqlRunner): Promise<void> {
  await sql.query(`SELECT setval(pg_get_serial_sequence('"WebhookEvent"', 'seq'), (SELECT max("seq") FROM "WebhookEvent"))`);
}

/**
 * Runs a bulk load with the group tables' secondary indexes dropped and rebuilt afterwards (one
 * sort per index instead of a B-tree insert per row; a unique index rebuilt over clones that broke
 * it would fail loudly) and, where the role may, foreign-key triggers off for the session (the
 * clones satisfy them by construction; dev/testing/seed-scale.test.ts looks for orphans).
 */
export async function withBulkLoad<T>(sql: SqlRunner, fn: () => Promise<T>): Promise<T> {
  const indexes = await sql.query<{ name: string; def: string }>(
    `SELECT indexname AS name, indexdef AS def FROM pg_indexes
     WHERE schemaname = current_schema() AND tablename = ANY($1::text[]) AND indexname NOT IN (SELECT conname FROM pg_constraint)`,
    GROUP_TABLES.map((t) => t.name),
  );
  for (const i of indexes) await sql.exec(`DROP INDEX "${i.name}"`);
  let triggersOff = false;
  try {
    await sql.exec(`SET session_replication_role = replica`);
    triggersOff = true;
  } catch {
    // not allowed for this role: foreign keys are checked row by row
  }
  try {
    return await fn();
  } finally {
    if (triggersOff) await sql.exec(`SET session_replication_role = DEFAULT`);
    for (const i of indexes) await sql.exec(i.def);
  }
}
