import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";
import { postgresBinDir, startPrivatePostgres, type PrivatePostgres } from "../dev/testing/private-postgres";
import { screenshot } from "./fixtures/reviewer-data";

/**
 * The pages while PostgreSQL is away (docs/faults.md, "Database outage"): a second production
 * server of this spec's own, on a PostgreSQL server of its own (ports 5480-5489, away from the
 * Vitest outage test's 5490-5499), stopped and started for real. A page already open keeps what it
 * shows under a "Connection lost" banner; a page loaded during the outage shows the "Database
 * unavailable" panel and the header's badge; the read API answers 503 with Retry-After; once the
 * database is back both pages come back by themselves (the loaded one checks every few seconds;
 * Retry does the same at once), signed in as before, with no restart of the app.
 */
const ADMIN = { email: "outage.admin@example.test", password: "outage-admin-password-1" };
const TOKEN = "outage-e2e-read-token-0123456789";

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function waitForHealth(base: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the app exited (${child.exitCode}) before it was ready:\n${output()}`);
    try {
      const res = await fetch(`${base}/api/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`the app did not answer /api/health within 90 s:\n${output()}`);
}

test.describe("pages while the database is away", () => {
  test.skip(postgresBinDir() === null, "needs PostgreSQL's server binaries (/usr/lib/postgresql/*/bin)");

  let pg: PrivatePostgres | undefined;
  let app: ChildProcess | undefined;
  let dataDir = "";
  let base = "";
  let appOutput = "";

  test.beforeAll(async () => {
    test.setTimeout(180_000);
    pg = await startPrivatePostgres([5480, 5489]);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    dataDir = mkdtempSync(path.join(tmpdir(), "outage-e2e-"));
    app = spawn(process.execPath, ["scripts/start.mjs"], {
      stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env,
        NODE_ENV: "production",
        PORT: String(port),
        HOST: "127.0.0.1",
        DATABASE_URL: pg.url,
        DATA_DIR: dataDir,
        APP_SECRET_KEY: "ab".repeat(32),
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password,
        ADMIN_NAME: "Olive Outage",
        API_TOKEN: TOKEN,
        LOG_LEVEL: "warn",
      },
    });
    const keep = (chunk: Buffer) => {
      appOutput = (appOutput + chunk.toString("utf8")).slice(-20_000);
    };
    app.stdout?.on("data", keep);
    app.stderr?.on("data", keep);
    await waitForHealth(base, app, () => appOutput);
  });

  test.afterAll(async () => {
    if (app && app.exitCode === null) {
      const exited = new Promise((r) => app!.once("exit", r));
      app.kill("SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      if (app.exitCode === null) app.kill("SIGKILL");
    }
    await pg?.destroy();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function signInHere(page: Page): Promise<void> {
    const res = await page.request.post(`${base}/api/auth/sign-in`, { headers: { origin: base }, data: ADMIN });
    expect(res.status(), `sign-in: ${await res.text()}`).toBe(200);
  }

  test("an open page keeps its data under a banner, a new one says the database is unavailable, and both come back by themselves", async ({ page, browser }) => {
    test.setTimeout(180_000);
    await signInHere(page);
    await page.goto(`${base}/records`);
    await page.locator("body[data-hydrated=true]").waitFor({ state: "attached" });
    await expect(page.getByTestId("signed-in-user")).toContainText("Olive Outage");
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    const heading = (await page.getByRole("heading", { level: 1 }).textContent()) ?? "";

    await pg!.stop("fast");

    // The open page: what it showed stays, with the banner saying live updates stopped.
    await expect(page.getByTestId("connection-banner")).toBeVisible({ timeout: 60_000 });
    await expect(page.getByTestId("connection-banner")).toContainText("Connection lost");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(heading);

    // A page loaded now: the outage in words, in the page and in the header, not an error page.
    const secondContext = await browser.newContext();
    await secondContext.addCookies(await page.context().cookies());
    const second = await secondContext.newPage();
    await second.goto(`${base}/records`);
    await expect(second.getByTestId("database-unavailable")).toBeVisible();
    await expect(second.getByTestId("database-unavailable")).toContainText("Database unavailable");
    await expect(second.getByRole("banner").getByRole("status").filter({ hasText: "Database unavailable" })).toBeVisible();
    await expect(second.getByText("This page could not be shown")).toHaveCount(0);
    await screenshot(second, "outage-database-unavailable");
    const axe = await new AxeBuilder({ page: second }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]).analyze();
    expect(axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id}: ${v.help}`)).toEqual([]);

    // The read API says the same, with when to come back.
    const api = await fetch(`${base}/api/v1/exceptions`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(api.status).toBe(503);
    expect(Number(api.headers.get("retry-after"))).toBeGreaterThan(0);

    // Retry while it is still away: the same panel again, not an error page.
    await second.getByRole("button", { name: "Retry" }).click();
    await expect(second.getByRole("button", { name: "Retry" })).toBeEnabled();
    await expect(second.getByTestId("database-unavailable")).toBeVisible();
    await expect(second.getByText("This page could not be shown")).toHaveCount(0);

    await pg!.start();

    // Both pages come back by themselves, with no click and no restart of the app: the open one
    // once a poll gets through, the loaded one once the health check answers again.
    await expect(page.getByTestId("connection-banner")).toHaveCount(0, { timeout: 60_000 });
    await expect(second.getByTestId("database-unavailable")).toHaveCount(0, { timeout: 30_000 });
    await expect(second.getByRole("heading", { level: 1 })).toHaveText(heading);
    await expect(second.getByTestId("signed-in-user")).toContainText("Olive Outage");
    await expect(second.getByRole("banner").getByText("Database unavailable")).toHaveCount(0);
    const again = await fetch(`${base}/api/v1/exceptions`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(again.status).toBe(200);
    await secondContext.close();
  });
});
