import { createHash } from "node:crypto";

/**
 * Names for prepared statements on PostgreSQL (PrismaPg's `statementNameGenerator`). A named
 * statement is parsed once per connection; after a few executions PostgreSQL may keep a generic
 * plan for it, so a statement run for every refresh (the case-inputs read plans for longer than it
 * runs) stops being parsed and planned every time.
 *
 * pg keeps every named statement for the life of the connection and cannot forget one, so only
 * statements that come back are named (the second time a text is seen), only data statements (not
 * migrations' DDL or transaction control), and at most MAX_NAMED texts per process; any further text
 * runs unnamed, as every statement did before.
 */
const MAX_NAMED = 200;
const MAX_COUNTED = 5_000;
const DATA = /^\s*(WITH|SELECT|INSERT|UPDATE|DELETE)\b/i;

const named = new Map<string, string>();
const seen = new Set<string>();

export function statementName(query: { sql: string }): string | undefined {
  const { sql } = query;
  const name = named.get(sql);
  if (name !== undefined) return name;
  if (named.size >= MAX_NAMED || !DATA.test(sql)) return undefined;
  if (!seen.has(sql)) {
    if (seen.size >= MAX_COUNTED) seen.clear();
    seen.add(sql);
    return undefined;
  }
  const fresh = `s_${createHash("sha256").update(sql).digest("hex").slice(0, 32)}`;
  named.set(sql, fresh);
  return fresh;
}
