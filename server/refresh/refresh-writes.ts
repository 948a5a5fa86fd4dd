import type { Tx } from "../db/client";
import { SqlParams } from "../db/sql-params";
import { prepared } from "../db/statement-names";

/**
 * The writes of one refresh (superseding the current version, the new or promoted version with its
 * delta entries, the change-feed row, the case's columns, the per-case outcomes) gathered into one
 * statement of data-modifying CTEs, sent once at the end of the refresh: one round trip instead of
 * four or five, each of which cost a network write and a statement's overhead in the app and in
 * PostgreSQL (server/refresh/refresh-case.ts).
 *
 * The CTEs of one statement share one snapshot and none sees another's rows, so a write that must
 * follow another (a new current version after the old one stopped being current: the unique index
 * on (caseId, isCurrent) allows one) names it in `after`: it then reads from that CTE's result first,
 * which PostgreSQL must finish before the dependent write produces its row. Writes whose order does
 * not matter need nothing. Reads of rows these writes make (the events' statuses from their
 * per-case outcomes) stay separate statements after it.
 */
export class RefreshWrites {
  readonly p = new SqlParams();
  private readonly ctes: string[] = [];

  /** Adds a data-modifying statement (no WITH of its own); returns its CTE's name. */
  add(sql: string): string {
    const name = `w${this.ctes.length}`;
    this.ctes.push(`${name} AS (${sql})`);
    return name;
  }

  /** A FROM item that makes a write wait until CTE `name` has finished (an aggregate reads it whole). */
  static after(name: string): string {
    return `(SELECT count(*) FROM ${name}) AS ${name}_done`;
  }

  get empty(): boolean {
    return this.ctes.length === 0;
  }

  /** Sends everything gathered as one statement (a named prepared statement per shape on PostgreSQL). */
  async flush(tx: Tx): Promise<void> {
    if (this.empty) return;
    await tx.$executeRawUnsafe(prepared(`WITH ${this.ctes.join(",\n")}\nSELECT 1`), ...this.p.values);
  }
}
