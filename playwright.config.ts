import { defineConfig, devices } from "@playwright/test";

/**
 * e2e against a production build with the embedded demo, in Debian's Chromium
 * (never a downloaded browser). `npm run build` must have run (scripts/test.mjs does).
 */
const port = Number(process.env.E2E_PORT ?? 3210);
const dataDir = process.env.E2E_DATA_DIR ?? `.data-e2e`;

export default defineConfig({
  testDir: "e2e",
  globalSetup: "./e2e/global-setup.ts",
  // Generous: npm test runs this suite beside the two Vitest suites on the same two cores.
  timeout: 120_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: "off",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
    },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"], channel: undefined } }],
  webServer: {
    command: `rm -rf ${dataDir} && node scripts/start.mjs`,
    url: `http://127.0.0.1:${port}/api/health`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      PORT: String(port),
      DATA_DIR: dataDir,
      NODE_ENV: "production",
      API_TOKEN: "e2e-read-token-0123456789",
      LOG_LEVEL: "warn",
      // npm test runs this server beside two Vitest suites on two cores, where the event loop can
      // fall a second behind for reasons that are not intake overload; the specs post webhooks and
      // expect 202, so shedding by lag (docs/faults.md) is off here. Load shedding has its own tests.
      INTAKE_MAX_LAG_MS: "0",
      INTAKE_TARGET_LAG_MS: "0",
    },
  },
});
