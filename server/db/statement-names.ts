import { createHash } from "node:crypto";

/**
 * Named prepared statements on PostgreSQL for the statements run for every event (PrismaPg's
 * `statementNameGenerator`). A named statement is parsed once per connection, and PostgreSQL may
 * keep a generic plan for it (the refresh transaction asks for generic plans, see
 * server/refresh/refresh-case.ts), so the refresh's case-inputs read, which plans for longer than it
 * runs, is planned once per connection instead of once per refresh.
 *
 * Only texts registered with `prepared()` are named: pg keeps a named statement for the life of the
 * connection and cannot forget it, and a generic plan is only safe for a statement whose plan does
 * not depend on its values (look-ups by key; server/db/hot-statements.test.ts checks their generic
 * plans). Texts built from parts register each variant; at most MAX_NAMED texts are named per
 * process, any further one runs unnamed, as every other statement does.
 */
const MAX_NAMED = 200;
const registered = new Set<string>();
const named = new Map<string, string>();

/** Registers `sql` to run as a named prepared statement on PostgreSQL; returns it unchanged. */
export function prepared(sql: string): string {
  if (registered.size < MAX_NAMED) registered.add(sql);
  return sql;
}

/** Whether `sql` runs as a named prepared statement (for tests). */
export function isPrepared(sql: string): boolean {
  return registered.has(sql);
}

export function statementName(query: { sql: string }): string | undefined {
  const { sql } = query;
  const name = named.get(sql);
  if (name !== undefined || !registered.has(sql)) return name;
  const fresh = `s_${createHash("sha256").update(sql).digest("hex").slice(0, 32)}`;
  named.set(sql, fresh);
  return fresh;
}
