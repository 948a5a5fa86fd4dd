import path from "node:path";
import { defineConfig } from "vitest/config";
import SlowFirstSequencer from "./dev/testing/slow-first-sequencer";

export default defineConfig({
  resolve: { alias: { "@": path.resolve(__dirname), "server-only": path.resolve(__dirname, "dev/testing/empty.ts") } },
  test: {
    include: ["server/**/*.test.ts", "dev/**/*.test.ts", "scripts/**/*.test.ts"],
    environment: "node",
    pool: "forks",
    testTimeout: 120_000,
    hookTimeout: 120_000,
    env: { NODE_ENV: "test", LOG_LEVEL: "silent" },
    globalSetup: ["dev/testing/global-setup.ts"],
    sequence: { sequencer: SlowFirstSequencer },
  },
});
