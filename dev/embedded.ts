import { registerExtension } from "../server/runtime-extensions";
import { readStoredSecrets } from "../server/sources/registry";
import { readDemoProgress } from "./demo/demo-progress";
import { writeDevSecretsFile } from "./simulator/secrets-file";

/**
 * The embedded default's conveniences, loaded by instrumentation.ts only when no DATABASE_URL is set:
 * the development secrets file `npm run simulate` signs with, and the demo built through the real
 * intake on an empty database (docs/architecture.md, "Layout"; README, "Run it").
 */
registerExtension({
  name: "embedded-dev",
  async started(rt) {
    if (rt.handle.kind !== "pglite") return;
    const key = rt.secrets.key;
    if (key && !rt.env.DATA_DIR.startsWith("memory://")) {
      // So `npm run simulate` signs for this server with no flags; env-provided secrets stay out of the file.
      const stored = await readStoredSecrets(rt.db, key);
      const devSecrets = Object.fromEntries(Object.entries(stored).filter(([name]) => !rt.env.webhookSecrets[name]?.length));
      writeDevSecretsFile(rt.env.DATA_DIR, devSecrets);
    }
    if (rt.env.DEMO === "on") {
      const { scheduleDemo } = await import("./demo/schedule-demo");
      scheduleDemo(rt);
    }
  },
  healthChecks() {
    const demo = readDemoProgress();
    return demo ? { demo } : {};
  },
});
