import { execFile } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";

const run = promisify(execFile);

/**
 * A PostgreSQL server of a fault test's own (TOOLCHAIN.md's last bullet): initdb into a temporary
 * folder as the `postgres` OS user, on a free port of 5490-5499, so the test can stop, restart and
 * kill connections on it without disturbing the shared server on 5432.
 */
export interface PrivatePostgres {
  port: number;
  /** postgresql:// URL of its `postgres` database. */
  url: string;
  stop(mode?: "fast" | "immediate"): Promise<void>;
  start(): Promise<void>;
  /** pg_terminate_backend on every other connection to the database; returns how many. */
  terminateAll(): Promise<number>;
  destroy(): Promise<void>;
}

export function postgresBinDir(): string | null {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(a) - Number(b));
  return versions.length ? path.join(root, versions.at(-1)!, "bin") : null;
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer().once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

const asPostgres = (cmd: string) => run("su", ["postgres", "-s", "/bin/sh", "-c", cmd], { timeout: 60_000 });
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export async function startPrivatePostgres(ports: [number, number] = [5490, 5499]): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error("no PostgreSQL binaries under /usr/lib/postgresql/*/bin");
  const dir = mkdtempSync(path.join(tmpdir(), "pg-private-"));
  chmodSync(dir, 0o777);
  const data = path.join(dir, "data");
  await asPostgres(`${q(path.join(bin, "initdb"))} -D ${q(data)} -A trust -U postgres --no-sync >/dev/null`);
  let port = 0;
  const ctl = (args: string) => asPostgres(`${q(path.join(bin, "pg_ctl"))} -D ${q(data)} ${args}`);
  const start = async () => {
    // fsync off: the tests stop the server on purpose, never the machine.
    await ctl(`-o ${q(`-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`)} -l ${q(path.join(dir, "log"))} -w -t 30 start`);
  };
  const first = ports[0] + Math.floor(Math.random() * (ports[1] - ports[0] + 1));
  for (let i = 0; i <= ports[1] - ports[0] && !port; i++) {
    const candidate = ports[0] + ((first - ports[0] + i) % (ports[1] - ports[0] + 1));
    if (!(await portFree(candidate))) continue;
    port = candidate;
    try {
      await start();
    } catch {
      port = 0; // taken between the check and the start: try the next one
    }
  }
  if (!port) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`no free port in ${ports[0]}-${ports[1]} for a private PostgreSQL`);
  }
  const url = `postgresql://postgres@127.0.0.1:${port}/postgres`;
  let running = true;
  return {
    port,
    url,
    async stop(mode = "fast") {
      await ctl(`-m ${mode} -w -t 30 stop`);
      running = false;
    },
    async start() {
      await start();
      running = true;
    },
    async terminateAll() {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        const r = await c.query(`SELECT count(*)::int AS n FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type = 'client backend') t`);
        return (r.rows[0] as { n: number }).n;
      } finally {
        await c.end();
      }
    },
    async destroy() {
      if (running) await ctl("-m immediate -w stop").catch(() => {});
      running = false;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
