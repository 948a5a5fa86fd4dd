import { AsyncLocalStorage } from "node:async_hooks";
import type pg from "pg";

/**
 * The connection under a Prisma interactive transaction on PostgreSQL, so that the refresh's own
 * statements can run on it straight through pg (server/db/direct-sql.ts) while the rest of the
 * transaction goes through Prisma on the same connection.
 *
 * Why: a refresh is CPU-bound in Node on the machines it runs on, and Prisma's raw-query layer
 * (serialising every parameter to JSON and back, a call-site capture, its request pipeline) was a
 * quarter of the worker's CPU (docs/architecture.md, "Direct statements").
 *
 * How: `directTransaction(run)` runs `run` with a fresh scope; the pool under Prisma's adapter
 * (server/db/client.ts) reports every connection it hands out through `connect()` without a
 * callback, which is how @prisma/adapter-pg starts a transaction, and the scope that is waiting
 * for its transaction keeps the first one. Inside the transaction's callback, `bind(tx)` ties that
 * connection to the Prisma transaction client. Nothing else in the scope asks the pool for a
 * connection with a promise between the start and the bind: Prisma's queries outside a transaction
 * go through `pool.query`, which uses the callback form, and are not captured.
 */
interface Scope {
  capturing: boolean;
  client?: pg.PoolClient;
  tx?: unknown;
}

const scopes = new AsyncLocalStorage<Scope>();

/** Runs `start` (which must start exactly one Prisma transaction) in a scope that records its connection. */
export function directTransaction<T>(start: () => Promise<T>): Promise<T> {
  return scopes.run({ capturing: true }, start);
}

/** Called by the pool wrapper for each connection handed out by a promise-form `connect()`. */
export function noteConnection(client: pg.PoolClient): void {
  const scope = scopes.getStore();
  if (scope?.capturing && !scope.client) scope.client = client;
}

/** Inside the transaction's callback: `tx` is the transaction client whose connection was recorded. */
export function bindTransaction(tx: unknown): void {
  const scope = scopes.getStore();
  if (!scope) return;
  scope.capturing = false;
  if (scope.client) scope.tx = tx;
}

/** The connection under `tx`, when `tx` is the transaction bound in the current scope. */
export function connectionOf(tx: unknown): pg.PoolClient | undefined {
  const scope = scopes.getStore();
  return scope && scope.tx === tx ? scope.client : undefined;
}
