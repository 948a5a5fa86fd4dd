// `npm test`: every check, in the order that fails fastest. Lint and type-check (side by side), a
// production build, then side by side: the domain and integration suites on embedded PGlite and on
// PostgreSQL (each test makes its own database, and the runs share no files) and the Playwright
// suite in Debian's Chromium against the production build. Running them together keeps a full CI
// run on a 2-core machine under 20 minutes (one after another they took about 27).
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import pg from "pg";

const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
const pgUrl = process.env.TEST_DATABASE_URL ?? "postgresql://root@127.0.0.1:5432/postgres";
const totals = { passed: 0, failed: 0, skipped: 0 };
const stages = [];
mkdirSync("test-results", { recursive: true });

function run(name, cmd, args, extraEnv = {}) {
  const started = Date.now();
  console.log(`\n=== ${name}: ${cmd} ${args.join(" ")}`);
  const r = spawnSync(cmd, args, { stdio: "inherit", env: { ...env, ...extraEnv } });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  stages.push({ name, ok: r.status === 0, seconds });
  if (r.status !== 0) {
    console.error(`\n✗ ${name} failed (exit ${r.status ?? r.signal}) after ${seconds}s`);
    summary();
    process.exit(1);
  }
}

/** Runs several stages at once, each line of their output prefixed with the stage's name; fails after all end if any failed. */
async function runTogether(jobs) {
  const started = Date.now();
  const results = await Promise.all(
    jobs.map(
      ({ name, cmd, args, extraEnv = {}, prefix }) =>
        new Promise((resolve) => {
          console.log(`\n=== ${name}: ${cmd} ${args.join(" ")} (in parallel)`);
          const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"], env: { ...env, ...extraEnv } });
          // The last lines of each stage, repeated at the very end when it fails: interleaved with
          // two other suites, the reason a stage failed is otherwise hard to find in a long CI log.
          const tail = [];
          const keep = (line) => {
            console.log(`[${prefix}] ${line}`);
            tail.push(line);
            if (tail.length > 80) tail.shift();
          };
          for (const stream of [child.stdout, child.stderr]) {
            let rest = "";
            stream.on("data", (chunk) => {
              const lines = (rest + chunk.toString("utf8")).split("\n");
              rest = lines.pop() ?? "";
              for (const line of lines) keep(line);
            });
            stream.on("end", () => rest && keep(rest));
          }
          child.on("close", (code, signal) => resolve({ name, prefix, tail, ok: code === 0, code: code ?? signal, seconds: ((Date.now() - started) / 1000).toFixed(1) }));
        }),
    ),
  );
  for (const r of results) {
    stages.push({ name: r.name, ok: r.ok, seconds: r.seconds });
    if (!r.ok) {
      console.error(`\n✗ ${r.name} failed (exit ${r.code}) after ${r.seconds}s; its last lines:`);
      for (const line of r.tail) console.error(`  [${r.prefix}] ${line}`);
    }
  }
  return results.every((r) => r.ok);
}

/** `preferred` when nothing listens on it (on any address), otherwise a port the system picks. */
async function freePort(preferred) {
  const tryListen = (port) =>
    new Promise((resolve) => {
      const server = createServer();
      server.once("error", () => resolve(null));
      server.listen({ port, host: "0.0.0.0", exclusive: true }, () => {
        const { port: got } = server.address();
        server.close(() => resolve(got));
      });
    });
  return (await tryListen(preferred)) ?? (await tryListen(0));
}

function countVitest(file) {
  if (!existsSync(file)) return;
  const report = JSON.parse(readFileSync(file, "utf8"));
  totals.passed += report.numPassedTests ?? 0;
  totals.failed += report.numFailedTests ?? 0;
  totals.skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}

function countPlaywright(file) {
  if (!existsSync(file)) return;
  const s = JSON.parse(readFileSync(file, "utf8")).stats ?? {};
  totals.passed += (s.expected ?? 0) + (s.flaky ?? 0);
  totals.failed += s.unexpected ?? 0;
  totals.skipped += s.skipped ?? 0;
}

function summary() {
  console.log("\n=== summary");
  for (const s of stages) console.log(`${s.ok ? "✓" : "✗"} ${s.name} (${s.seconds}s)`);
  console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
}

async function postgresReachable() {
  const client = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

const npx = (bin) => ["node_modules/.bin/" + bin];

run("prisma generate", "npx", ["prisma", "generate"]);
// Next's generated types (next-env.d.ts, .next/types/routes.d.ts: PageProps, LayoutProps, typed
// routes), which a fresh clone lacks: with them the type-check below is the program `next build`
// would check (tsconfig.json's), so the build skips its own check.
run("route types", ...npx("next"), ["typegen"]);
if (
  !(await runTogether([
    { name: "lint", prefix: "lint", cmd: npx("eslint")[0], args: ["--max-warnings=0", "."] },
    { name: "typecheck", prefix: "tsc", cmd: npx("tsc")[0], args: ["--noEmit", "-p", "."] },
  ]))
) {
  summary();
  process.exit(1);
}
// The type-check above covered the build's program (next.config.js, NEXT_SKIP_TYPECHECK).
run("build", ...npx("next"), ["build"], { NEXT_SKIP_TYPECHECK: "1" });

for (const f of ["test-results/vitest-pglite.json", "test-results/vitest-postgres.json", "test-results/playwright.json"]) rmSync(f, { force: true });
const vitestArgs = (kind) => ["run", "--reporter=default", "--reporter=json", `--outputFile.json=test-results/vitest-${kind}.json`];
// Vitest's default on two cores is one worker per suite. The PGlite suite is the longest of the three
// and does all its database work in its own process, one core at most per worker; two workers let it
// use the core the PostgreSQL and browser suites leave idle (they finish first, and the browser suite
// waits on the browser much of the time). Its slowest files start first (dev/testing/slow-first-sequencer.ts).
const suites = [{ name: "unit + integration (PGlite)", prefix: "pglite", cmd: npx("vitest")[0], args: [...vitestArgs("pglite"), "--maxWorkers=2"], extraEnv: { TEST_DB: "pglite" } }];
if (await postgresReachable()) {
  suites.push({
    name: "unit + integration (PostgreSQL)",
    prefix: "postgres",
    cmd: npx("vitest")[0],
    // One worker (Vitest's default here): with two, this suite took the PGlite suite's second core
    // and the whole run got longer (1,457 s against 915 s for the PGlite suite). The property test's
    // permutations check the first 100 of the PGlite suite's 200 sets (same seed): the fold is the
    // engine's code, the same on both databases; its SQL is exercised by every set.
    args: vitestArgs("postgres"),
    extraEnv: { TEST_DB: "postgres", TEST_DATABASE_URL: pgUrl, PROPERTY_RUNS: "100" },
  });
} else if (process.env.CI) {
  console.error(`PostgreSQL is not reachable at ${pgUrl}; CI requires the PostgreSQL suite.`);
  stages.push({ name: "unit + integration (PostgreSQL)", ok: false, seconds: "0" });
  summary();
  process.exit(1);
} else {
  console.warn(`\n!!! PostgreSQL is not reachable at ${pgUrl}: the PostgreSQL suite was SKIPPED (CI fails in this case).`);
  stages.push({ name: "unit + integration (PostgreSQL) SKIPPED", ok: true, seconds: "0" });
}
// The browser suite drives its own production server (port 3210, or a free port when something
// else holds 3210, and its own data folder) and spends much of its time waiting on the browser, so
// it runs beside the two Vitest suites.
const e2ePort = process.env.E2E_PORT ?? String(await freePort(3210));
if (e2ePort !== "3210") console.warn(`\nport 3210 is taken; the browser suite's server uses port ${e2ePort}`);
suites.push({
  name: "e2e (Playwright, Chromium)",
  prefix: "e2e",
  cmd: npx("playwright")[0],
  args: ["test", "--reporter=list,json"],
  extraEnv: { PLAYWRIGHT_JSON_OUTPUT_NAME: "test-results/playwright.json", E2E_PORT: e2ePort },
});
const suitesOk = await runTogether(suites);
countVitest("test-results/vitest-pglite.json");
countVitest("test-results/vitest-postgres.json");
countPlaywright("test-results/playwright.json");
summary();
if (!suitesOk) process.exit(1);
