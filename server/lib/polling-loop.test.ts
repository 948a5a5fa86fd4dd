import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
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
});
