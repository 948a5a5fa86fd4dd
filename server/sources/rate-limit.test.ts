import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leaseSize, SourceRateLimiter } from "./rate-limit";
import { createPostgresDatabase, TEST_DB_KIND } from "../../dev/testing/test-db";

/**
 * The per-source limit holds across app processes: on PostgreSQL every instance below stands for
 * one process and they share the database's counters through leased tokens.
 */
async function burstOf(limiters: SourceRateLimiter[], source: string, perSec: number, burst: number, requests: number) {
  const started = performance.now();
  const verdicts = await Promise.all(Array.from({ length: requests }, (_, i) => limiters[i % limiters.length]!.consume(source, perSec, burst)));
  return { verdicts, elapsedMs: performance.now() - started, allowed: verdicts.filter((v) => v.allowed).length };
}

describe("lease size", () => {
  it("is a twentieth of the limit, at least one and at most 50", () => {
    expect([1, 19, 20, 100, 1000, 5000].map(leaseSize)).toEqual([1, 1, 1, 5, 50, 50]);
  });
});

describe.runIf(TEST_DB_KIND === "postgres")("rate limit shared by several processes on PostgreSQL", () => {
  let db: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let limiters: SourceRateLimiter[];

  beforeAll(async () => {
    db = await createPostgresDatabase();
    limiters = [new SourceRateLimiter(db.url), new SourceRateLimiter(db.url), new SourceRateLimiter(db.url)];
  });
  afterAll(async () => {
    await Promise.all(limiters.map((l) => l.close()));
    await db.drop();
  });

  it("admits no more than the limit per window across three processes, and refuses the rest with Retry-After", async () => {
    const { verdicts, elapsedMs, allowed } = await burstOf(limiters, "shared-a", 200, 200, 600);
    // The counter's window is one second from its first use: normally all 600 arrive within one
    // window; on a slow machine they may span more, and each window admits at most the limit.
    const windows = Math.floor(elapsedMs / 1000) + 1;
    expect(allowed).toBeLessThanOrEqual(200 * windows);
    // Leases that lapse may leave a few tokens unused, never most of them.
    expect(allowed).toBeGreaterThanOrEqual(150);
    for (const v of verdicts.filter((x) => !x.allowed)) expect(v.retryAfterSeconds).toBeGreaterThanOrEqual(1);
  });

  it("counts in the database: a fourth process sees the others' use", async () => {
    await burstOf(limiters, "shared-b", 40, 40, 60);
    const late = new SourceRateLimiter(db.url);
    try {
      const v = await late.consume("shared-b", 40, 40);
      expect(v.allowed).toBe(false);
    } finally {
      await late.close();
    }
  });

  it("a limit of one per second admits exactly one", async () => {
    const { allowed } = await burstOf(limiters, "shared-c", 1, 1, 10);
    expect(allowed).toBe(1);
  });
});

describe.runIf(TEST_DB_KIND === "pglite")("rate limit in memory (embedded, one process)", () => {
  it("admits exactly the limit plus the burst allowance", async () => {
    const limiter = new SourceRateLimiter();
    const { allowed } = await burstOf([limiter], "mem-a", 100, 150, 400);
    expect(allowed).toBe(150);
  });
});
