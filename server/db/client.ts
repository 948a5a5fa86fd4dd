import "server-only";
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { log } from "../lib/log";
import { DatabaseAvailability } from "./availability";
import { statementName } from "./statement-names";
import { noteConnection } from "./tx-connection";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { PrismaClient } from "./generated/client";

export type Db = PrismaClient;
export type Tx = Omit<PrismaClient, "$connect" | "$disconnect" | "$on" | "$transaction" | "$extends">;

export interface DbHandle {
  db: Db;
  kind: "postgres" | "pglite";
  /** Where it lives, for start-up messages (password stripped). */
  where: string;
  /**
   * PostgreSQL only: the connection pool under Prisma's adapter, for the statements that skip
   * Prisma's query layer (server/db/direct-sql.ts: intake's store, the refresh's statements).
   */
  pool?: pg.Pool;
  /** PostgreSQL only: whether the server is reachable, as last seen (server/db/availability.ts). */
  availability?: DatabaseAvailability;
  /** Embedded only: the whole data folder as an uncompressed tar, to start another database from (`initialData`). */
  dumpDataDir?: () => Promise<Blob>;
  close(): Promise<void>;
}

export interface DbOptions {
  databaseUrl?: string;
  /** Folder of the embedded database; "memory://" for a throw-away one. */
  dataDir?: string;
  poolSize?: number;
  /** Time allowed to open a new connection before the server counts as unreachable (default 1,000 ms). */
  connectTimeoutMs?: number;
  /**
   * Embedded, "memory://" only: start from this data folder (a `dumpDataDir()` of another handle)
   * instead of an empty one. The test suites clone one migrated and seeded database this way
   * (dev/testing/test-db.ts) rather than running every migration in every test file.
   */
  initialData?: Blob;
}

/**
 * A stopped server refuses connections at once, but an unreachable host leaves a connect hanging
 * for minutes: a new connection gets `connectTimeoutMs`, so a dead server is noticed within about a
 * second. The pool's own `connectionTimeoutMillis` would bound the wait for a free pooled
 * connection too, which under load is not an outage, so the limit is set on the client only.
 */
function clientWithConnectTimeout(ms: number): typeof pg.Client {
  return class extends pg.Client {
    constructor(config?: pg.ClientConfig) {
      super({ ...config, connectionTimeoutMillis: ms, keepAlive: true });
    }
  };
}

/**
 * The embedded server's settings. PGlite keeps PostgreSQL's shared buffers in the app's own memory
 * (its WebAssembly heap, which never shrinks), and PostgreSQL's default of 128 MB took an idle app
 * to 450-530 MB RSS before any load; with 32 MB it starts at about 330-400 MB (docs/faults.md). A
 * folder's pages the buffers do not hold are read from the file system (the OS caches them).
 */
const EMBEDDED_CONF = [
  "shared_buffers=32MB",
  // ANALYZE samples 300 × this many rows per table and holds the app's one thread while it does:
  // at PostgreSQL's default of 100 (30,000 rows) a table of a 5-minute bench:soak took 150-520 ms
  // (DeltaEntry 0.5 s), at 10 (3,000 rows) 45-55 ms. The app's statements look rows up by key and
  // plan the same on either (server/db/hot-statements.test.ts passes on PostgreSQL run with
  // PGOPTIONS="-c default_statistics_target=10"); docs/faults.md, "Table upkeep".
  "default_statistics_target=10",
];

export class DataDirLockedError extends Error {}

const pools = new WeakMap<Db, pg.Pool>();

/** PostgreSQL's pool under a database handle's client (undefined for the embedded database). */
export function poolOf(db: Db): pg.Pool | undefined {
  return pools.get(db);
}

/** One PGlite folder, one process: PGlite is single-connection and corrupts if opened twice. */
function lockDataDir(dir: string): () => void {
  mkdirSync(dir, { recursive: true });
  const lockPath = path.join(dir, "app.lock");
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, "wx");
      writeFileSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(lockPath, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      const pid = Number(readFileSync(lockPath, "utf8").trim());
      if (pid && (pid === process.pid || isAlive(pid))) {
        throw new DataDirLockedError(
          `The embedded database in ${path.resolve(dir)} is already open in process ${pid}${pid === process.pid ? " (this one)" : ""}. ` +
            `Only one process may use an embedded database: stop the other one, choose another DATA_DIR, ` +
            `or set DATABASE_URL to share a PostgreSQL server between processes.`,
        );
      }
      rmSync(lockPath, { force: true }); // left by a process that no longer runs
    }
  }
  throw new DataDirLockedError(`Could not lock ${lockPath}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    // A killed process its parent has not reaped yet still answers signal 0: it holds nothing.
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) return false;
    } catch {
      // no /proc (not Linux): trust the signal
    }
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export async function openDb(options: DbOptions): Promise<DbHandle> {
  if (options.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      max: options.poolSize ?? 10,
      Client: clientWithConnectTimeout(options.connectTimeoutMs ?? 1_000),
    });
    const availability = new DatabaseAvailability({ probe: () => pool.query("SELECT 1") });
    // A connection the server drops while idle must not become an unhandled error that ends the
    // process. A server going away drops them all at once: that is the outage, logged once when
    // the next connection fails, not once per pooled connection.
    pool.on("error", (err) => {
      if (availability.noteFailure(err)) log.debug({ err }, "database connection lost while idle");
      else log.warn({ err }, "database connection lost while idle");
    });
    // The same for a connection dropped while checked out between two statements (an interactive
    // transaction, the adapter's hold between queries): pg emits it on the client, where the pool
    // listens only while the client is idle; without a listener it ends the process. The next
    // statement on that client fails and is handled as any failed statement is.
    pool.on("connect", (client) => {
      client.on("error", (err) => {
        if (!availability.noteFailure(err)) log.warn({ err }, "database connection lost while in use");
      });
    });
    // The connection of each transaction Prisma's adapter starts (a promise-form connect), for the
    // statements that run on it directly (server/db/tx-connection.ts).
    const connect = pool.connect.bind(pool);
    pool.connect = ((callback?: Parameters<pg.Pool["connect"]>[0]) => {
      if (callback) return connect(callback);
      return connect().then((client) => {
        noteConnection(client);
        return client;
      });
    }) as pg.Pool["connect"];
    // A statement without a name (undefined) runs unnamed, as pg does by default (statement-names.ts).
    // errorFormat "minimal": no call site is captured for every query (a stack trace each time);
    // errors reach people through server/lib/http.ts's mapping, never Prisma's formatted text.
    const db = new PrismaClient({ adapter: new PrismaPg(pool, { statementNameGenerator: statementName as (q: { sql: string }) => string }), errorFormat: "minimal" });
    await db.$connect();
    pools.set(db, pool);
    return {
      db,
      kind: "postgres",
      where: options.databaseUrl.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@"),
      pool,
      availability,
      close: async () => {
        availability.close();
        await db.$disconnect();
        if (!pool.ended) await pool.end();
      },
    };
  }
  const dataDir = options.dataDir ?? "./.data";
  const inMemory = dataDir.startsWith("memory://");
  const unlock = inMemory ? () => {} : lockDataDir(dataDir);
  try {
    // pg_trgm backs the records list's substring search (a migration creates the extension).
    const extensions = { pg_trgm };
    if (options.initialData && !inMemory) throw new Error("initialData is for an in-memory database only");
    const pglite = inMemory
      ? new PGlite({ extensions, postgresqlconf: EMBEDDED_CONF, loadDataDir: options.initialData })
      : new PGlite(path.resolve(dataDir, "pg"), { extensions, postgresqlconf: EMBEDDED_CONF });
    await pglite.waitReady;
    const db = new PrismaClient({ adapter: new PrismaPGlite(pglite), errorFormat: "minimal" });
    await db.$connect();
    return {
      db,
      kind: "pglite",
      where: inMemory ? "memory" : path.resolve(dataDir),
      dumpDataDir: () => pglite.dumpDataDir("none"),
      close: async () => {
        await db.$disconnect();
        await pglite.close();
        unlock();
      },
    };
  } catch (err) {
    unlock();
    throw err;
  }
}
