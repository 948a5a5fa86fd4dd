import { log } from "../../server/lib/log";
import type { Runtime } from "../../server/runtime";
import { buildDemoScenario } from "./build-demo-scenario";
import { setDemoProgress, updateDemoProgress } from "./demo-progress";
import { runDemo, type DemoDeps } from "./run-demo";
import { internalHealthToken } from "../../server/ops/health";

const SERVER_WAIT_MS = 180_000;
/** The story spans about a day and a half of source activity, ending shortly before start-up. */
const STORY_LEAD_MS = 36 * 3_600_000;

/**
 * First start of the embedded default (no event stored yet): once the server answers on
 * 127.0.0.1:PORT, build the demo by posting signed events through the real intake. Progress is
 * reported in /api/health (checks.demo).
 */
export function scheduleDemo(rt: Runtime, options: Pick<DemoDeps, "retryDelayMs"> = {}): void {
  void prepare(rt, options).catch((err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    updateDemoProgress({ state: "failed", error: message });
    log.error({ err }, "demo failed");
    console.error(`[escalation-refresh] the demo could not be built: ${message}`);
  });
}

async function prepare(rt: Runtime, options: Pick<DemoDeps, "retryDelayMs">): Promise<void> {
  const anyEvent = await rt.db.webhookEvent.findFirst({ select: { id: true } });
  if (anyEvent) {
    await reportEarlierDemo(rt);
    return;
  }
  const scenario = buildDemoScenario(Math.floor((Date.now() - STORY_LEAD_MS) / 3_600_000) * 3_600_000);
  setDemoProgress({ state: "pending", posted: 0, total: scenario.events });
  const baseUrl = `http://127.0.0.1:${rt.env.PORT}`;
  await waitForServer(baseUrl, rt.startedAt.toISOString());
  updateDemoProgress({ state: "running" });
  console.log(`[escalation-refresh] building the demo: ${scenario.events} signed events through ${baseUrl}/api/webhooks/…`);
  const result = await runDemo({ ctx: rt, secrets: rt.secrets, baseUrl, onProgress: (posted, total) => updateDemoProgress({ posted, total }), ...options }, scenario);
  updateDemoProgress({ state: "done", posted: result.events, total: result.events });
  console.log(`[escalation-refresh] demo ready: ${scenario.cases.length} cases from ${result.events} events in ${result.seconds.toFixed(1)} s`);
}

/** A later start: the demo was built before (done) or was interrupted (failed, with the way out). */
async function reportEarlierDemo(rt: Runtime): Promise<void> {
  const [started, completed] = await Promise.all([
    rt.db.auditLog.findFirst({ where: { action: "demo.start", targetType: "demo" }, select: { id: true } }),
    rt.db.auditLog.findFirst({ where: { action: "demo.complete", targetType: "demo" }, select: { after: true } }),
  ]);
  if (completed) {
    const events = Number((completed.after as { events?: number } | null)?.events ?? 0);
    setDemoProgress({ state: "done", posted: events, total: events });
  } else if (started) {
    setDemoProgress({ state: "failed", posted: 0, total: 0, error: `the demo was interrupted on an earlier start; remove ${rt.env.DATA_DIR} to build it again` });
  }
}

/** Until this very process answers on the port (its start time in /api/health), not some other server. */
async function waitForServer(baseUrl: string, startedAt: string): Promise<void> {
  const deadline = Date.now() + SERVER_WAIT_MS;
  let last = "no answer";
  for (;;) {
    try {
      const res = await fetch(`${baseUrl}/api/health`, { headers: { authorization: `Bearer ${internalHealthToken()}` }, signal: AbortSignal.timeout(5_000) });
      const body = (await res.json().catch(() => null)) as { startedAt?: string } | null;
      if (body?.startedAt === startedAt) return;
      last = `another server answers there (HTTP ${res.status}, started ${body?.startedAt ?? "unknown"})`;
    } catch (err) {
      last = (err as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`this server did not answer on ${baseUrl} within ${SERVER_WAIT_MS / 1000} s: ${last}`);
    // Polls while Next finishes binding the port; no other way to learn it from here.
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
