import type { Db } from "../../db/client";
import { log } from "../../lib/log";
import { PollingLoop } from "../../lib/polling-loop";
import { pruneRefusals } from "../../intake/prune-refusals";
import { auditLineage } from "./lineage-audit";

/**
 * Upkeep of the dashboard's rollups (migration 20261201100000_read_path_indexes): the write
 * path's triggers add to rows of their writer's own shard, so concurrent transactions never wait
 * on one counter row; here shards are folded into shard 0 so a read sums few rows, and buckets no
 * window reaches any more are dropped. Correct under concurrency: rows are taken with FOR UPDATE
 * SKIP LOCKED (a fold never waits on a writer, so it cannot deadlock with one; a row a writer holds
 * is folded next time), and a writer that finds its shard row deleted by a fold inserts it anew.
 * One fold at a time (an advisory lock), so folds never deadlock with each other either.
 */
interface RollupTable {
  table: string;
  /** Key columns besides "shard". */
  keys: string[];
  /** Counted columns. */
  sums: string[];
}

export const ROLLUPS: RollupTable[] = [
  {
    table: "EventRollup",
    keys: ["width", "bucket", "sourceId"],
    sums: ["received", "applied", "held", "noChange", "stale", "waiting", "quarantined", "failed", "arrived", "departed"],
  },
  { table: "LatencyRollup", keys: ["width", "bucket", "kind", "bin"], sums: ["n"] },
  {
    table: "ExceptionRollup",
    keys: ["width", "bucket", "rule", "scope", "source", "field"],
    sums: ["opened", "open", "claimed", "approve", "reject", "override", "cleared"],
  },
  { table: "RefusalRollup", keys: ["width", "bucket", "sourceName", "httpStatus"], sums: ["n"] },
  { table: "MetricCounter", keys: ["name"], sums: ["value"] },
];

/** How long each bucket width is kept: a little more than the window that uses it. */
const KEEP_SECONDS: Record<number, number> = { 300: 3 * 3_600, 3_600: 2 * 86_400, 21_600: 8 * 86_400 };

const q = (c: string) => `"${c}"`;

function foldSql(r: RollupTable, batch: number): string {
  const keys = r.keys.map(q);
  const all = [...keys, `"shard"`];
  return `WITH taken AS (
      SELECT ${all.join(", ")} FROM "${r.table}" WHERE "shard" <> 0 LIMIT ${batch} FOR UPDATE SKIP LOCKED
    ), moved AS (
      DELETE FROM "${r.table}" t USING taken WHERE ${all.map((c) => `t.${c} = taken.${c}`).join(" AND ")}
      RETURNING t.*
    )
    INSERT INTO "${r.table}" AS t (${[...keys, `"shard"`, ...r.sums.map(q)].join(", ")})
    SELECT ${keys.join(", ")}, 0, ${r.sums.map((s) => `sum(${q(s)})`).join(", ")} FROM moved GROUP BY ${keys.join(", ")}
    ON CONFLICT (${all.join(", ")}) DO UPDATE SET ${r.sums.map((s) => `${q(s)} = t.${q(s)} + EXCLUDED.${q(s)}`).join(", ")}`;
}

/** Folds every shard row into shard 0 and drops expired buckets; returns the rows folded. */
export async function foldRollups(db: Db, batch = 20_000): Promise<number> {
  return db.$transaction(async (tx) => {
    const [lock] = await tx.$queryRawUnsafe<{ ok: boolean }[]>(`SELECT pg_try_advisory_xact_lock(727274002) AS "ok"`);
    if (!lock?.ok) return 0;
    let folded = 0;
    for (const r of ROLLUPS) {
      folded += await tx.$executeRawUnsafe(foldSql(r, batch));
      if (r.keys.includes("width")) {
        // A bucket still counting received events stays: the backlog is summed over all of them.
        const keepBacklog = r.table === "EventRollup" ? ` AND "received" = 0` : "";
        await tx.$executeRawUnsafe(
          `DELETE FROM "${r.table}" WHERE (${Object.entries(KEEP_SECONDS)
            .map(([width, keep]) => `("width" = ${width} AND "bucket" < now()::timestamp - make_interval(secs => ${keep}))`)
            .join(" OR ")})${keepBacklog}`,
        );
      }
    }
    return folded;
  });
}

/** Everything the dashboard needs done before it reads: shards folded, the lineage audit caught up (bounded). */
export async function runMetricsMaintenance(db: Db, opts: { auditBatches?: number } = {}): Promise<{ folded: number; audited: number }> {
  let audited = 0;
  for (let i = 0; i < (opts.auditBatches ?? Infinity); i++) {
    const r = await auditLineage(db);
    audited += r.audited;
    if (!r.audited) break;
  }
  return { folded: await foldRollups(db), audited };
}

/**
 * The loop that keeps the lineage audit caught up (a batch at a time, at once while there is
 * work), folds the rollups' shards about once a minute and prunes old refusals about once an hour. Several processes may run one each.
 */
export class MetricsMaintenance {
  private readonly loop: PollingLoop;
  private lastFold = 0;
  private lastPrune = 0;

  constructor(
    private readonly db: Db,
    private readonly opts: { pollMs?: number; foldEveryMs?: number } = {},
  ) {
    this.loop = new PollingLoop(() => this.step(), {
      name: "dashboard metrics upkeep",
      pollMs: opts.pollMs ?? 2_000,
      backoffMs: 1_000,
      maxBackoffMs: 60_000,
      onError: (err) => log.warn({ err }, "dashboard metrics upkeep failed"),
    });
  }

  async step(): Promise<boolean> {
    const { audited } = await auditLineage(this.db);
    if (Date.now() - this.lastFold >= (this.opts.foldEveryMs ?? 60_000)) {
      this.lastFold = Date.now();
      await foldRollups(this.db);
    }
    // The intake log's old refusal rows, about once an hour (server/intake/prune-refusals.ts).
    if (Date.now() - this.lastPrune >= 3_600_000) {
      this.lastPrune = Date.now();
      const pruned = await pruneRefusals(this.db, new Date());
      if (pruned) log.info({ pruned }, "refusals older than the retention pruned");
    }
    return audited > 0;
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }
}
