import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { TEST_DB_KIND } from "../dev/testing/test-db";

/** The README's `npm run db:migrate` (it once pointed at a script that did not exist). */
describe.runIf(TEST_DB_KIND === "pglite")("npm run db:migrate", () => {
  it("applies every migration to an empty embedded database, then finds nothing to do", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "err-migrate-"));
    try {
      // Asynchronously: a blocked test worker misses Vitest's own messages.
      const run = () => promisify(execFile)("npm", ["run", "--silent", "db:migrate"], { env: { ...process.env, DATA_DIR: dir, DATABASE_URL: "" }, encoding: "utf8", timeout: 120_000 });
      const first = await run();
      const migrations = readdirSync("prisma/migrations").filter((f) => /^\d{14}_/.test(f));
      expect(first.stdout).toContain(`applied ${migrations.length} migration(s)`);
      const second = await run();
      expect(second.stdout).toContain("the database is up to date");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
