import type { Tx } from "../../db/client";
import { SqlParams } from "../../db/sql-params";
import { runCommand } from "../../db/direct-sql";
import { prepared } from "../../db/statement-names";
import type { Part } from "./statement";

/**
 * The one statement composed at run time: the writes of one refresh (superseding the current
 * version, the new or promoted version with its delta entries, the change-feed row, the case's
 * columns, the per-case outcomes) as one statement of data-modifying CTEs, sent once at the end of
 * the refresh: one round trip instead of four or five, each of which cost a network write and a
 * statement's overhead in the app and in PostgreSQL.
 *
 * Each CTE is a typed part from its own module (supersede-current.ts, promote-held.ts,
 * insert-version.ts, insert-delta-entries.ts, update-case-columns.ts, upsert-event-outcomes.ts, and
 * server/feed/record-change.ts for the feed row); `add` numbers its placeholders and names it w0,
 * w1, ... in order. Which parts a refresh adds depends on its decision, so there are a few dozen
 * statement texts; each is registered as a named prepared statement (server/db/statement-names.ts).
 *
 * The CTEs of one statement share one snapshot and none sees another's rows, so a write that must
 * follow another (a new current version after the old one stopped being current: the unique index
 * on (caseId, isCurrent) allows one) names it as `after`: it then reads from that CTE's result first
 * (afterClause), which PostgreSQL must finish before the dependent write produces its row. Writes
 * whose order does not matter need nothing. Reads of rows these writes make (the events' statuses
 * from their per-case outcomes) stay separate statements after it (settle-event-status.ts).
 */
export class RefreshWrites {
  private readonly p = new SqlParams();
  private readonly ctes: string[] = [];

  /** Adds a write part with its values; returns its CTE's name (for a later part's refs). */
  add<Params>(part: Part<Params>, params: Params): string;
  add<Params, Refs>(part: Part<Params, Refs>, params: Params, refs: Refs): string;
  add<Params, Refs>(part: Part<Params, Refs>, params: Params, refs?: Refs): string {
    const name = `w${this.ctes.length}`;
    this.ctes.push(`${name} AS (${part(this.p, params, refs as Refs)})`);
    return name;
  }

  get empty(): boolean {
    return this.ctes.length === 0;
  }

  /** The composed statement's text and values (for tests). */
  get statement(): { sql: string; values: unknown[] } {
    return { sql: `WITH ${this.ctes.join(",\n")}\nSELECT 1`, values: this.p.values };
  }

  /** Sends everything gathered as one statement (a named prepared statement per shape on PostgreSQL). */
  async flush(tx: Tx): Promise<void> {
    if (this.empty) return;
    const { sql, values } = this.statement;
    await runCommand(tx, prepared(sql), values);
  }
}

/** A FROM clause that makes a write wait until CTE `name` has finished (an aggregate reads it whole); empty for null. */
export function afterClause(name: string | null): string {
  return name ? `FROM (SELECT count(*) FROM ${name}) AS ${name}_done ` : "";
}
