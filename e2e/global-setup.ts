import type { FullConfig } from "@playwright/test";

/** The demo builds itself through the real intake after start; specs run once it is complete. */
export default async function globalSetup(config: FullConfig) {
  const baseURL = config.projects[0]?.use.baseURL ?? "http://127.0.0.1:3210";
  const deadline = Date.now() + 240_000;
  let last = "";
  while (Date.now() < deadline) {
    try {
      // Health details need the read-API token (playwright.config.ts gives the server the same one).
      const res = await fetch(`${baseURL}/api/health`, { headers: { authorization: `Bearer ${process.env.E2E_API_TOKEN ?? "e2e-read-token-0123456789"}` } });
      const body = (await res.json()) as { checks?: { demo?: { state?: string; posted?: number; total?: number }; worker?: { backlog?: number } } };
      const demo = body.checks?.demo;
      last = JSON.stringify(body.checks ?? {});
      if (demo?.state === "failed") throw new Error(`the demo failed to build: ${last}`);
      if (demo?.state === "done" && (body.checks?.worker?.backlog ?? 0) === 0) return;
    } catch (err) {
      if ((err as Error).message.startsWith("the demo failed")) throw err;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the demo did not finish within 240 s; last health: ${last}`);
}
