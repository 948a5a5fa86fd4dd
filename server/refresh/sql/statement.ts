import { runCommand, runQuery, type Runner } from "../../db/direct-sql";
import type { SqlParams } from "../../db/sql-params";
import { prepared } from "../../db/statement-names";

/**
 * The refresh's SQL statements, one module per statement (docs/architecture.md, "The refresh
 * pipeline"). Each module holds the statement's text as a constant, its parameter tuple, its row
 * type, and one typed function that runs it; the rest of the refresh never writes SQL and never
 * casts a row.
 *
 * Three kinds of module:
 * - a query (`query<Params, Row>(sql)`): `(tx, params) => Promise<Row[]>`;
 * - a command (`command<Params>(sql)`): `(tx, params) => Promise<number>` (rows affected);
 * - a part (`Part<Params>`): the body of one data-modifying CTE, with its placeholders numbered by
 *   the statement it joins. The refresh's writes are such parts composed into one statement
 *   (refresh-writes.ts, the one statement built at run time, and documented there); the case-context
 *   read is a constant composed of two fragments (case-inputs.ts, candidate-events.ts) when its
 *   module loads.
 *
 * Statements are registered with `prepared()` (server/db/statement-names.ts): on PostgreSQL each
 * runs as a named prepared statement, parsed once per connection, whose generic plan the refresh's
 * transaction asks for. That is what keeps a refresh cheap; a new statement here keeps it.
 * On PostgreSQL they run straight through pg, not Prisma's raw-query layer (server/db/direct-sql.ts).
 *
 * Why not Prisma TypedSQL (`prisma generate --sql` with `$queryRawTyped`): it derives the types by
 * preparing each `.sql` file against a live database at generate time, so `prisma generate` (run by
 * `npm ci`, every test script and the build, none of which has a database) would need one; the
 * embedded database (PGlite) cannot be reached by URL at all. Its statements are also fixed texts,
 * so the writes statement, whose CTEs depend on what the refresh decided, cannot be one. So the row
 * and parameter types here are written by hand beside the SQL they describe, and the tests that run
 * every statement on both databases (server/refresh/*.test.ts, server/db/hot-statements.test.ts)
 * hold them to it.
 */

/** A database handle a statement runs on: a transaction, or the client outside one. */
export type { Runner };

/** A query's typed runner. The text is exposed for tests and EXPLAIN. */
export interface Query<Params extends readonly unknown[], Row> {
  (db: Runner, params: Params): Promise<Row[]>;
  readonly sql: string;
}

export interface Command<Params extends readonly unknown[]> {
  (db: Runner, params: Params): Promise<number>;
  readonly sql: string;
}

/**
 * A data-modifying CTE body for a composed statement (refresh-writes.ts): `p` numbers its
 * placeholders in the statement it joins, `params` are its values, `refs` name the CTEs it reads
 * (structure, never values).
 */
export type Part<Params, Refs = undefined> = (p: SqlParams, params: Params, refs: Refs) => string;

interface Options {
  /** Run as a named prepared statement on PostgreSQL (default true). */
  named?: boolean;
}

/** A SELECT (or a write with RETURNING) whose rows have type Row. */
export function query<Params extends readonly unknown[], Row>(sql: string, opts: Options = {}): Query<Params, Row> {
  const text = opts.named === false ? sql : prepared(sql);
  return Object.assign((db: Runner, params: Params) => runQuery<Row>(db, text, params), { sql: text });
}

/** A statement run for its effect; resolves to the number of rows it affected. */
export function command<Params extends readonly unknown[]>(sql: string, opts: Options = {}): Command<Params> {
  const text = opts.named === false ? sql : prepared(sql);
  return Object.assign((db: Runner, params: Params) => runCommand(db, text, params), { sql: text });
}

/** A JSON column as the driver hands it over: parsed already, or JSON text (columns cast to ::text). */
export type JsonColumn<T> = T | string;

/** The value of a JSON column, parsed if it came as text. */
export function fromJson<T>(v: JsonColumn<T>): T {
  return (typeof v === "string" ? JSON.parse(v) : v) as T;
}
