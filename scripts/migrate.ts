// `npm run db:migrate`: applies the pending migrations of prisma/migrations to DATABASE_URL (or to
// the embedded database in DATA_DIR) and exits. Every app and worker process also migrates on
// start; this is for deploys that want the step explicit. It uses the same runner and the same
// `_prisma_migrations` bookkeeping (server/db/migrate.ts), under the same advisory lock.
import { openDb } from "../server/db/client";
import { migrate } from "../server/db/migrate";
import { EnvError, parseEnv } from "../server/env";

async function main(): Promise<void> {
  let env;
  try {
    env = parseEnv();
  } catch (err) {
    if (err instanceof EnvError) {
      console.error(`[escalation-refresh migrate] ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  const handle = await openDb({ databaseUrl: env.DATABASE_URL, dataDir: env.DATA_DIR });
  try {
    const applied = await migrate(handle.db);
    console.log(applied.length ? `applied ${applied.length} migration(s): ${applied.join(", ")}` : "the database is up to date");
  } finally {
    await handle.close();
  }
}

await main();
