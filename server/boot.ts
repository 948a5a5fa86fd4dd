import { AdminEnvError } from "./auth/bootstrap";
import { EnvError } from "./env";
import { DataDirLockedError } from "./db/client";
import { log } from "./lib/log";
import { installWebhookLane } from "./intake/webhook-lane";
import { ensureJobRunner } from "./ops/jobs/job-runner";
import { getRuntime, stopRuntime } from "./runtime";
import { extensions } from "./runtime-extensions";

/** Server start-up: a bad configuration or a locked embedded database stops the process with the reason. */
export async function boot(): Promise<void> {
  try {
    const rt = await getRuntime();
    // Queued jobs (schema publication, replays, reference changes) resume after a restart.
    ensureJobRunner(rt);
    // The production server's fast path for webhook deliveries (see scripts/start.mjs).
    installWebhookLane(rt);
    // Close the database cleanly (and release the embedded folder's lock) when asked to stop.
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      process.once(signal, () => {
        stopRuntime(rt)
          .catch((err) => log.error({ err }, "shutdown failed"))
          .finally(() => process.exit(0));
      });
    }
    console.log(`[escalation-refresh] database: ${rt.handle.kind} (${rt.handle.where})`);
    // What instrumentation.ts loaded for the embedded default (the demo, the simulator's secrets file).
    for (const extension of extensions()) await extension.started?.(rt);
  } catch (err) {
    if (err instanceof EnvError || err instanceof DataDirLockedError || err instanceof AdminEnvError) {
      console.error(`[escalation-refresh] cannot start: ${err.message}`);
    } else {
      log.fatal({ err }, "start-up failed");
      console.error(`[escalation-refresh] cannot start: ${(err as Error).message}`);
    }
    process.exit(1);
  }
}
