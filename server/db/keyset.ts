import { isStorableDate, isStorableText, MAX_DB_INT } from "../lib/safe-text";
import type { SqlParams } from "./sql-params";

/**
 * Keyset ("cursor") paging for the reviewer lists. OFFSET reads and throws away every row before
 * the page, so page 2,000 of a list costs 2,000 pages; a keyset page starts where an index says
 * the previous one ended and costs the same anywhere in the list.
 *
 * A list orders by a tuple of SQL expressions, all in one direction, the last one unique (the
 * id); an index on the same expressions lets PostgreSQL start at the cursor. A cursor is the
 * tuple of the row to continue after (or before), as text, tagged with the list and order it
 * belongs to so a cursor from another sort is ignored rather than misread.
 */
export interface KeysetOrder {
  /** What the cursor belongs to, e.g. "records:refreshed:desc". */
  tag: string;
  /** The ordering expressions, most significant first; the last is unique. */
  keys: readonly string[];
  /** The SQL type of each key, to cast the cursor's text back (e.g. "timestamp", "int", "text"). */
  types: readonly string[];
  dir: "asc" | "desc";
}

export interface PageRequest {
  /** Continue after this cursor (the next page). */
  after?: string;
  /** Continue before this cursor (the previous page). */
  before?: string;
}

/** The cursor of a row whose key columns were selected as text (see keyColumns). */
export function encodeCursor(order: KeysetOrder, values: readonly (string | null)[]): string {
  return Buffer.from(JSON.stringify([order.tag, ...values]), "utf8").toString("base64url");
}

/** The key values of a cursor made for this order; null when it was made for another one or is garbled. */
export function decodeCursor(order: KeysetOrder, cursor: string | undefined): string[] | null {
  if (!cursor) return null;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    if (!Array.isArray(parsed) || parsed[0] !== order.tag || parsed.length !== order.keys.length + 1) return null;
    const values = parsed.slice(1);
    return values.every((v, i) => typeof v === "string" && fitsType(v, order.types[i]!)) ? (values as string[]) : null;
  } catch {
    return null;
  }
}

/**
 * Whether a cursor value is one the database itself could have written for a key of `type`. A
 * cursor is client-held text: a forged one must be ignored like a garbled one, not cast in SQL,
 * where "not a time"::timestamp or a NUL in text fails the query (docs/api.md: no 5xx from input).
 */
function fitsType(value: string, type: string): boolean {
  switch (type) {
    case "timestamp": {
      // A list may order never-set times as -infinity (list-records.ts), and cursors carry it.
      if (value === "-infinity" || value === "infinity") return true;
      const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d{1,6})?$/.exec(value);
      if (!m) return false;
      const d = new Date(`${m[1]}T${m[2]}${m[3] ?? ""}Z`);
      // JavaScript rolls 2026-02-30 over to March; PostgreSQL refuses it: the date must read back the same.
      return isStorableDate(d) && d.toISOString().slice(0, 19) === `${m[1]}T${m[2]}`;
    }
    case "int":
      return /^-?\d{1,10}$/.test(value) && Math.abs(Number(value)) <= MAX_DB_INT;
    case "bigint":
      return /^-?\d{1,18}$/.test(value);
    default:
      return value.length <= 2000 && isStorableText(value);
  }
}

/** `k0::text AS "_k0", ...`: the key values to make a cursor from, selected alongside the row. */
export function keyColumns(order: KeysetOrder): string {
  return order.keys.map((k, i) => `(${k})::text AS "_k${i}"`).join(", ");
}

export function keyValues(order: KeysetOrder, row: object): string[] {
  return order.keys.map((_, i) => String((row as Record<string, unknown>)[`_k${i}`]));
}

export interface KeysetPlan {
  /** A condition to AND into the WHERE clause ("true" on a first page). */
  where: string;
  /** ORDER BY ... (reversed when reading backwards). */
  orderBy: string;
  /** The direction the keys are read in (reversed when reading backwards). */
  readDir: "ASC" | "DESC";
  /** Reading backwards: the rows come newest-last and must be reversed. */
  backwards: boolean;
  /** A cursor was given and understood. */
  resumed: boolean;
}

/**
 * The WHERE and ORDER BY of one page. A row-value comparison `(a, b, id) < ($1, $2, $3)` is what
 * lets a btree index on (a, b, id) start at the cursor.
 */
export function keysetPlan(p: SqlParams, order: KeysetOrder, page: PageRequest): KeysetPlan {
  const after = decodeCursor(order, page.after);
  const before = after ? null : decodeCursor(order, page.before);
  const backwards = !!before;
  const forwardOp = order.dir === "desc" ? "<" : ">";
  const op = backwards ? (forwardOp === "<" ? ">" : "<") : forwardOp;
  const readDir: "ASC" | "DESC" = backwards ? (order.dir === "desc" ? "ASC" : "DESC") : order.dir === "desc" ? "DESC" : "ASC";
  const orderBy = order.keys.map((k) => `${k} ${readDir}`).join(", ");
  const values = after ?? before;
  if (!values) return { where: "true", orderBy, readDir, backwards: false, resumed: false };
  const params = values.map((v, i) => `${p.add(v)}::${order.types[i]}`);
  return { where: `(${order.keys.join(", ")}) ${op} (${params.join(", ")})`, orderBy, readDir, backwards, resumed: true };
}

export interface KeysetPage<T> {
  rows: T[];
  /** Cursor for the page after this one; null on the last page. */
  next: string | null;
  /** Cursor for the page before this one; null on the first page. */
  prev: string | null;
}

/**
 * Turns the `pageSize + 1` rows one page query read into the page and its neighbours' cursors.
 * `firstPage` re-reads from the start: a previous-page read that reached the start of the list
 * returns a full first page instead of a short one.
 */
export async function finishPage<R extends object, T>(
  order: KeysetOrder,
  plan: KeysetPlan,
  fetched: R[],
  pageSize: number,
  shape: (row: R) => T,
  firstPage: () => Promise<R[]>,
): Promise<KeysetPage<T>> {
  if (plan.backwards) {
    if (fetched.length <= pageSize) return finishPage(order, { ...plan, backwards: false, resumed: false }, await firstPage(), pageSize, shape, firstPage);
    const rows = fetched.slice(0, pageSize).reverse();
    return {
      rows: rows.map(shape),
      prev: encodeCursor(order, keyValues(order, rows[0]!)),
      next: encodeCursor(order, keyValues(order, rows.at(-1)!)),
    };
  }
  const rows = fetched.slice(0, pageSize);
  const more = fetched.length > pageSize;
  return {
    rows: rows.map(shape),
    next: more && rows.length ? encodeCursor(order, keyValues(order, rows.at(-1)!)) : null,
    prev: plan.resumed && rows.length ? encodeCursor(order, keyValues(order, rows[0]!)) : null,
  };
}

/** Counting stops here: at it a list says "1,000+" (an exact count reads every matching row). */
export const COUNT_CAP = 1000;

/**
 * `SELECT count(*)` of at most COUNT_CAP rows of `fromWhere` ("FROM ... WHERE ..."), read in
 * the list's own order when given, so the count walks the same index as the page and stops early.
 */
export function cappedCountSql(fromWhere: string, order?: KeysetOrder): string {
  const orderBy = order ? ` ORDER BY ${order.keys.map((k) => `${k} ${order.dir.toUpperCase()}`).join(", ")}` : "";
  return `SELECT count(*)::int AS "n" FROM (SELECT 1 ${fromWhere}${orderBy} LIMIT ${COUNT_CAP}) x`;
}

export interface Total {
  /** Matching rows, at most COUNT_CAP. */
  count: number;
  /** COUNT_CAP or more match: show "1,000+". */
  capped: boolean;
}

export function cappedTotal(n: number): Total {
  return n >= COUNT_CAP ? { count: COUNT_CAP, capped: true } : { count: n, capped: false };
}
