import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";

const DDL = `CREATE TABLE IF NOT EXISTS bench_ceiling (id text PRIMARY KEY, payload jsonb NOT NULL, created_at timestamp(3) NOT NULL DEFAULT now())`;
const PAYLOAD = JSON.stringify({ accountId: "ACC-1", subject: "x".repeat(200), notes: Array.from({ length: 10 }, (_, i) => ({ id: i, body: "y".repeat(80) })) });

/** One insert-plus-update transaction per second through `pg` (the shape of a refresh's write). */
export async function pgTxCeiling(url: string, seconds: number, clients = 4): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: clients });
  await pool.query(DDL);
  await pool.query(`CREATE TABLE IF NOT EXISTS bench_ceiling_head (id text PRIMARY KEY, n int NOT NULL)`);
  await pool.query(`INSERT INTO bench_ceiling_head SELECT 'h' || g, 0 FROM generate_series(0, 499) g ON CONFLICT DO NOTHING`);
  let n = 0;
  const until = performance.now() + seconds * 1000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      const client = await pool.connect();
      let i = 0;
      while (performance.now() < until) {
        await client.query("BEGIN");
        await client.query(`INSERT INTO bench_ceiling (id, payload) VALUES ($1, $2)`, [`t${c}-${i}-${start}`, PAYLOAD]);
        await client.query(`UPDATE bench_ceiling_head SET n = n + 1 WHERE id = $1`, [`h${(c * 131 + i) % 500}`]);
        await client.query("COMMIT");
        i++;
        n++;
      }
      client.release();
    }),
  );
  const rate = n / ((performance.now() - start) / 1000);
  await pool.query(`DROP TABLE bench_ceiling; DROP TABLE bench_ceiling_head`);
  await pool.end();
  return rate;
}

/** The same two measures on an embedded PGlite folder (one connection, as the app has). */
export async function pgliteCeilings(seconds: number): Promise<{ insert: number; tx: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), "bench-pglite-"));
  const db = new PGlite(path.join(dir, "pg"));
  await db.exec(DDL + `; CREATE TABLE bench_ceiling_head (id text PRIMARY KEY, n int NOT NULL); INSERT INTO bench_ceiling_head SELECT 'h' || g, 0 FROM generate_series(0, 499) g`);
  let n = 0;
  let start = performance.now();
  let until = start + seconds * 1000;
  while (performance.now() < until) await db.query(`INSERT INTO bench_ceiling (id, payload) VALUES ($1, $2)`, [`i${n++}`, PAYLOAD]);
  const insert = n / ((performance.now() - start) / 1000);
  n = 0;
  start = performance.now();
  until = start + seconds * 1000;
  while (performance.now() < until) {
    await db.transaction(async (tx) => {
      await tx.query(`INSERT INTO bench_ceiling (id, payload) VALUES ($1, $2)`, [`t${n}`, PAYLOAD]);
      await tx.query(`UPDATE bench_ceiling_head SET n = n + 1 WHERE id = $1`, [`h${n % 500}`]);
    });
    n++;
  }
  const tx = n / ((performance.now() - start) / 1000);
  await db.close();
  rmSync(dir, { recursive: true, force: true });
  return { insert, tx };
}
