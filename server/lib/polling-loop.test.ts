import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { log } from "./log";
import { PollingLoop } from "./polling-loop";

const opts = { pollMs: 60_000, backoffMs: 100, maxBackoffMs: 1_000, onError: () => {} };

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("PollingLoop", () => {
  it("runs the step again at once while it finds work, then sleeps until woken or the poll interval passes", async () => {
    const queue = [1, 2, 3];
    const seen: number[] = [];
    const loop = new PollingLoop(async () => {
      const item = queue.shift();
      if (item === undefined) return false;
      seen.push(item);
      return true;
    }, opts);
    loop.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual([1, 2, 3]);
    queue.push(4);
    await vi.advanceTimersByTimeAsync(59_000);
    expect(seen).toEqual([1, 2, 3]);
    loop.wake();
    await vi.advanceTimersByTimeAsync(0);
    expect(seen).toEqual([1, 2, 3, 4]);
    queue.push(5);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    const stopped = loop.stop();
    await vi.advanceTimersByTimeAsync(0);
    await stopped;
  });

  it("reports a failing step and backs off, doubling up to the maximum", async () => {
    const errors: unknown[] = [];
    const loop = new PollingLoop(async () => {
      throw new Error("database unreachable");
    }, { ...opts, backoffMs: 20, maxBackoffMs: 50, onError: (err) => errors.push(err) });
    expect([0, 1, 2, 3, 10].map((f) => loop.waitMs(f))).toEqual([60_000, 20, 40, 50, 50]);
    loop.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(errors.length).toBe(1);
    await vi.advanceTimersByTimeAsync(19);
    expect(errors.length).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(errors.length).toBe(2);
    await vi.advanceTimersByTimeAsync(40);
    expect(errors.length).toBe(3);
    await vi.advanceTimersByTimeAsync(50);
    expect(errors.length).toBe(4);
    expect((errors[0] as Error).message).toBe("database unreachable");
    const stopped = loop.stop();
    await vi.advanceTimersByTimeAsync(0);
    await stopped;
  });

  it("logs a database outage once and its end once, backing off no longer than the outage cap meanwhile", async () => {
    const warn = vi.spyOn(log, "warn");
    const errors: unknown[] = [];
    let down = true;
    let steps = 0;
    const loop = new PollingLoop(async () => {
      steps++;
      if (down) throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5499"), { code: "ECONNREFUSED" });
      return false;
    }, { ...opts, backoffMs: 100, maxBackoffMs: 30_000, maxOutageBackoffMs: 800, onError: (err) => errors.push(err), name: "test loop" });
    expect([1, 2, 3, 4, 5, 9].map((f) => loop.waitMs(f, true))).toEqual([100, 200, 400, 800, 800, 800]);
    loop.start();
    await vi.advanceTimersByTimeAsync(10_000);
    // 100 + 200 + 400 + 800 × n: about 13 attempts in 10 s, one log line, no per-poll errors.
    expect(steps).toBeGreaterThan(10);
    expect(errors).toEqual([]);
    const outage = () => warn.mock.calls.filter((c) => String(c[1]).startsWith("database unavailable")).length;
    const back = () => warn.mock.calls.filter((c) => String(c[1]).startsWith("database reachable again")).length;
    expect([outage(), back()]).toEqual([1, 0]);
    down = false;
    await vi.advanceTimersByTimeAsync(800);
    expect([outage(), back()]).toEqual([1, 1]);
    expect(warn.mock.calls.at(-1)?.[0]).toMatchObject({ loop: "test loop" });
    const stopped = loop.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    await stopped;
    warn.mockRestore();
  });
});
