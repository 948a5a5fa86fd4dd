import "server-only";
import type { Db } from "../db/client";
import { runQuery } from "../db/direct-sql";
import { prepared } from "../db/statement-names";
import { isDatabaseUnavailable, isDatabaseUnreachable } from "../lib/db-errors";
import { newId } from "../lib/ids";
import { metrics } from "../ops/metrics";
import type { SourceInfo } from "../sources/registry";
import type { ParsedEvent } from "./event-schemas";

/**
 * Intake's durable, idempotent store (docs/architecture.md, "Intake's store"). Deliveries that
 * arrive while earlier ones are being written are stored together, in one statement and one
 * commit (group commit): at most MAX_STATEMENTS store statements run at once, and each takes the
 * deliveries that queued meanwhile. A lone delivery goes at once, alone; under load the database
 * does one round trip, one commit and one run of the dashboard's rollup trigger per batch instead of
 * per delivery. Every delivery is still answered only after its own row has committed, with the
 * answer it would have had alone (accepted, stale or duplicate).
 */
export interface StoredEvent {
  status: "accepted" | "stale" | "duplicate";
  eventId: string;
}

/**
 * Store statements in flight at once, per database handle: one, as a database's own group commit
 * has it. Measured with `npm run bench:intake -- --db=postgres` on a two-core machine, one gave the
 * largest batches and the least PostgreSQL CPU per delivery (225 µs, against 304 with two, 363 with
 * four and 408 with eight at a time), and the most deliveries a second. A statement takes about a
 * millisecond, so a delivery that arrives while one runs waits at most that long for its own. Nor
 * does a second statement help latency under overload: `bench:overload` on PostgreSQL at twice the
 * capacity gave p99 124-148 ms with two, 50-65 ms with one (docs/performance.md, session 16).
 */
export const MAX_STATEMENTS = 1;
/** Deliveries per statement, and the JSON text they may add up to (a lone large one still goes). */
export const MAX_BATCH = 64;
const MAX_BATCH_BYTES = 1024 * 1024;
const LOST_CONNECTION_TRIES = 4;

/** One delivery's row, as the statement reads it from its JSON parameter. */
interface Row {
  id: string;
  sourceId: string;
  webhookId: string;
  type: string;
  caseId: string;
  entityKind: string;
  entityId: string;
  entityVersion: number;
  occurredAt: string;
  data: unknown;
  entityRowId: string;
  routeCaseId: string | null;
  accountId: string | null;
  environmentId: string | null;
}

/**
 * One statement for a batch, so atomic on its own and one round trip: first each entity's accepted
 * state moves to its event when the event's version is newer (ON CONFLICT ... WHERE locks the
 * entity's row, so concurrent versions of one entity serialise), then the event rows are inserted,
 * `received` when the event became its entity's current one and `stale` otherwise, unless the
 * webhook id is already stored (the unique key collapses concurrent duplicates in the database;
 * such a row is not returned). The entity upsert runs to completion (the aggregate over its rows)
 * before the first event row is inserted, and each insert takes its rows in key order, so two
 * batches take common locks in the same order and cannot deadlock each other. A batch never holds
 * two deliveries of one entity or one webhook id (StoreQueue.take).
 *
 * A duplicate webhook id that carries a newer version than its first delivery would point the
 * entity at an event that is never inserted; the entity's foreign key to its current event fails
 * the whole statement instead, the batch is stored again one delivery at a time, and that delivery
 * is answered as the duplicate it is.
 *
 * On PostgreSQL the statement goes straight through pg as a named prepared statement
 * (server/db/direct-sql.ts).
 */
const STORE_SQL = prepared(`WITH input AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS i(
           "id" text, "sourceId" text, "webhookId" text, "type" text, "caseId" text, "entityKind" text, "entityId" text,
           "entityVersion" integer, "occurredAt" timestamptz, "data" jsonb,
           "entityRowId" text, "routeCaseId" text, "accountId" text, "environmentId" text)
       ), ent AS (
         INSERT INTO "SourceEntity" ("id", "sourceId", "entityKind", "entityId", "maxVersion", "currentEventId", "caseId", "accountId", "environmentId", "updatedAt")
         SELECT "entityRowId", "sourceId", "entityKind", "entityId", "entityVersion", "id", "routeCaseId", "accountId", "environmentId", now()
         FROM input ORDER BY "sourceId", "entityId"
         ON CONFLICT ("sourceId", "entityId") DO UPDATE SET
           "maxVersion" = EXCLUDED."maxVersion", "currentEventId" = EXCLUDED."currentEventId",
           "caseId" = EXCLUDED."caseId", "accountId" = EXCLUDED."accountId", "environmentId" = EXCLUDED."environmentId",
           "updatedAt" = now()
         WHERE "SourceEntity"."maxVersion" < EXCLUDED."maxVersion"
         RETURNING "currentEventId"
       )
       INSERT INTO "WebhookEvent" ("id", "sourceId", "webhookId", "type", "caseId", "entityKind", "entityId", "entityVersion", "occurredAt", "data", "status", "processedAt", "updatedAt")
       SELECT i."id", i."sourceId", i."webhookId", i."type", i."caseId", i."entityKind", i."entityId", i."entityVersion", i."occurredAt", i."data",
              CASE WHEN i."id" = ANY (f.ids) THEN 'received' ELSE 'stale' END::"EventStatus",
              CASE WHEN i."id" = ANY (f.ids) THEN NULL ELSE now() END, now()
       FROM input i
       CROSS JOIN (SELECT array_agg("currentEventId") AS ids FROM ent) f
       ORDER BY i."sourceId", i."webhookId"
       ON CONFLICT ("sourceId", "webhookId") DO NOTHING
       RETURNING "id", "status"::text AS status`);

/** Routing keys the refresh engine looks entities up by. */
function routingKeys(event: ParsedEvent): { caseId: string | null; accountId: string | null; environmentId: string | null } {
  const d = event.data as Record<string, unknown>;
  switch (event.kind) {
    case "ticketing":
      return { caseId: event.caseId, accountId: String(d.accountId), environmentId: (d.environmentId as string | undefined) ?? null };
    case "diagnostics":
      return { caseId: event.caseId, accountId: null, environmentId: null };
    case "entitlement":
      return { caseId: null, accountId: event.entity.id, environmentId: null };
    case "environment":
      return { caseId: null, accountId: null, environmentId: event.entity.id };
    case "incident":
      return { caseId: null, accountId: null, environmentId: null };
  }
}

function rowOf(sourceId: string, webhookId: string, event: ParsedEvent): Row {
  const keys = routingKeys(event);
  return {
    id: newId("evt"),
    sourceId,
    webhookId,
    type: event.type,
    caseId: event.caseId,
    entityKind: event.entity.kind,
    entityId: event.entity.id,
    entityVersion: event.version,
    occurredAt: event.occurredAt,
    data: event.data,
    entityRowId: newId("ent"),
    routeCaseId: keys.caseId,
    accountId: keys.accountId,
    environmentId: keys.environmentId,
  };
}

interface Pending {
  row: Row;
  /** The row as JSON, for the statement's parameter and the batch's byte bound. */
  json: string;
  resolve: (stored: StoredEvent) => void;
  reject: (err: unknown) => void;
}

/** The queue of one database handle's deliveries waiting for a store statement. */
export class StoreQueue {
  private queue: Pending[] = [];
  private inFlight = 0;
  /** Store statements sent (failed ones included), deliveries they carried and the largest batch, for tests. */
  readonly stats = { statements: 0, deliveries: 0, largestBatch: 0 };

  constructor(
    private readonly db: Db,
    private readonly maxStatements = MAX_STATEMENTS,
  ) {}

  store(sourceId: string, webhookId: string, event: ParsedEvent): Promise<StoredEvent> {
    const row = rowOf(sourceId, webhookId, event);
    return new Promise<StoredEvent>((resolve, reject) => {
      this.queue.push({ row, json: JSON.stringify(row), resolve, reject });
      this.schedulePump();
    });
  }

  private pumpScheduled = false;

  /**
   * The next statement starts once the event loop has finished the I/O it is handling (setImmediate),
   * not at once: every delivery read in the same turn joins it. On the embedded database a statement
   * runs on the loop itself, so no delivery can arrive while one runs, and starting at once stored
   * every delivery alone (one commit and one run of the rollup trigger each): `bench:overload`'s
   * 32 closed-loop senders got 280 deliveries a second stored, now 1,450-1,950 (batches of about 6).
   * On PostgreSQL a delivery waits one turn of the loop longer, within the same statement's time.
   */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    while (this.inFlight < this.maxStatements && this.queue.length > 0) {
      const batch = this.take();
      this.inFlight++;
      void this.settle(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  /**
   * The oldest waiting deliveries, in arrival order, up to the bounds, leaving for a later batch any
   * that shares an entity or a webhook id with an earlier one still waiting or already taken: one
   * statement cannot move an entity twice, and a later delivery must see the earlier one stored
   * (a small version 3 must not overtake a large version 2 that did not fit).
   */
  private take(): Pending[] {
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    const earlier = new Set<string>();
    let bytes = 0;
    for (const p of this.queue) {
      const entityKey = `e\u0000${p.row.sourceId}\u0000${p.row.entityId}`;
      const webhookKey = `w\u0000${p.row.sourceId}\u0000${p.row.webhookId}`;
      const behindAnother = earlier.has(entityKey) || earlier.has(webhookKey);
      earlier.add(entityKey).add(webhookKey);
      const fits = batch.length === 0 || (batch.length < MAX_BATCH && bytes + p.json.length <= MAX_BATCH_BYTES);
      if (behindAnother || !fits) {
        rest.push(p);
        continue;
      }
      bytes += p.json.length;
      batch.push(p);
    }
    this.queue = rest;
    return batch;
  }

  /** Stores a batch and answers each of its deliveries; a failed batch is stored again one by one. */
  private async settle(batch: Pending[]): Promise<void> {
    let stored: Map<string, string>;
    try {
      stored = await this.write(batch);
    } catch (err) {
      if (batch.length > 1 && !isDatabaseUnreachable(err)) {
        // One delivery's fault (a foreign key, a deadlock between batches) must not fail the others.
        await Promise.all(batch.map((p) => this.settle([p])));
        return;
      }
      if (!isForeignKeyViolation(err)) {
        for (const p of batch) p.reject(err);
        return;
      }
      stored = new Map();
    }
    await Promise.all(
      batch.map(async (p) => {
        try {
          const status = stored.get(p.row.id);
          p.resolve(status ? { status: status === "stale" ? "stale" : "accepted", eventId: p.row.id } : await this.duplicateOf(p.row));
        } catch (err) {
          p.reject(err);
        }
      }),
    );
  }

  /** Runs the statement, again on another connection when its connection was lost; the stored rows' statuses by event id. */
  private async write(batch: Pending[]): Promise<Map<string, string>> {
    const param = `[${batch.map((p) => p.json).join(",")}]`;
    for (let tries = 1; ; tries++) {
      this.stats.statements++;
      this.stats.deliveries += batch.length;
      this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
      metrics.intakeStoreBatch.observe(batch.length);
      const started = performance.now();
      try {
        const rows = await runQuery<{ id: string; status: string }>(this.db, STORE_SQL, [param]);
        metrics.intakeStoreDuration.observe((performance.now() - started) / 1000);
        return new Map(rows.map((r) => [r.id, r.status]));
      } catch (err) {
        // Its connection was lost (pg_terminate_backend, a crashed backend) while the server still
        // takes new ones: again, on another connection. Safe however the statement ended: rolled
        // back, it runs again; committed, the webhook ids find their rows and the deliveries are
        // answered as stored. After a mass kill the pool may hand out a few more dead idle
        // connections before it has read their termination notices, hence a few tries, a moment apart.
        // A deadlock with a refresh that locks entities of its own rolled this statement back: again.
        const again = (isDatabaseUnavailable(err) && !isDatabaseUnreachable(err)) || isDeadlock(err);
        if (tries >= LOST_CONNECTION_TRIES || !again) throw err;
        await new Promise((resolve) => setTimeout(resolve, 5 * tries));
      }
    }
  }

  private async duplicateOf(row: Row): Promise<StoredEvent> {
    const existing = await this.db.webhookEvent.findUnique({
      where: { sourceId_webhookId: { sourceId: row.sourceId, webhookId: row.webhookId } },
      select: { id: true },
    });
    if (!existing) throw new Error(`webhook id ${row.webhookId} was neither stored nor found`);
    return { status: "duplicate", eventId: existing.id };
  }
}

const queues = new WeakMap<Db, StoreQueue>();

/** The store queue of a database handle (one per handle, created on first use). */
export function storeQueueOf(db: Db): StoreQueue {
  let queue = queues.get(db);
  if (!queue) queues.set(db, (queue = new StoreQueue(db)));
  return queue;
}

/** Stores one validated delivery; resolves once its row has committed. */
export function storeEvent(db: Db, source: Pick<SourceInfo, "id">, webhookId: string, event: ParsedEvent): Promise<StoredEvent> {
  return storeQueueOf(db).store(source.id, webhookId, event);
}

/** PostgreSQL's deadlock_detected: the statement was rolled back. */
function isDeadlock(err: unknown): boolean {
  return /40P01|deadlock detected/i.test(`${(err as { code?: string })?.code ?? ""} ${(err as Error)?.message ?? ""}`);
}

/** PostgreSQL's foreign_key_violation, as the pg and PGlite adapters report it. */
function isForeignKeyViolation(err: unknown): boolean {
  const text = `${(err as { code?: string })?.code ?? ""} ${(err as Error)?.message ?? ""} ${JSON.stringify((err as { meta?: unknown })?.meta ?? "")}`;
  return /23503|foreign key/i.test(text);
}
