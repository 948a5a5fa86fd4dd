import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { DataDirLockedError, openDb } from "./client";

describe("embedded database folder", () => {
  it("refuses a second opener of the same folder with a clear message", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "pglite-lock-"));
    // Another live process holds the folder (this test's parent shell stands in for it).
    writeFileSync(path.join(dir, "app.lock"), String(process.ppid));
    await expect(openDb({ dataDir: dir })).rejects.toThrow(DataDirLockedError);
    await expect(openDb({ dataDir: dir })).rejects.toThrow(/already open in process \d+.*DATABASE_URL/s);
  });

  it("takes over a lock left by a process that no longer runs, and releases it on close", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "pglite-lock-"));
    const dead = spawn(process.execPath, ["-e", ""]);
    await new Promise((r) => dead.on("exit", r));
    writeFileSync(path.join(dir, "app.lock"), String(dead.pid));
    const h = await openDb({ dataDir: dir });
    await expect(openDb({ dataDir: dir })).rejects.toThrow(DataDirLockedError);
    await h.close();
    const again = await openDb({ dataDir: dir });
    await again.close();
  });

  it("runs the embedded server with small shared buffers and a small ANALYZE sample (docs/faults.md)", async () => {
    const h = await openDb({ dataDir: mkdtempSync(path.join(tmpdir(), "pglite-conf-")) });
    try {
      const [row] = await h.db.$queryRawUnsafe<{ buffers: string; target: string }[]>(
        `SELECT current_setting('shared_buffers') AS "buffers", current_setting('default_statistics_target') AS "target"`,
      );
      expect(row).toEqual({ buffers: "32MB", target: "10" });
    } finally {
      await h.close();
    }
  });
});
