/**
 * When an endpoint that failed is tried again, and when it is given up on (docs/change-feed.md,
 * "Retries"). The delay after the n-th consecutive failure is RETRY_DELAYS_S[n-1] (the last one
 * repeats), spread by ±20 % jitter so endpoints that failed together do not retry together.
 * An endpoint still failing DISABLE_AFTER_MS after its first failure, with at least
 * DISABLE_MIN_FAILURES failures in a row, is disabled (and admins are told).
 */
export const RETRY_DELAYS_S = [5, 30, 120, 600, 1_800, 3_600, 7_200, 14_400, 28_800] as const;
export const DISABLE_AFTER_MS = 24 * 3_600_000;
export const DISABLE_MIN_FAILURES = 10;

export interface RetryPolicy {
  delaysS: readonly number[];
  disableAfterMs: number;
  disableMinFailures: number;
  /** 0..1: the spread of the jitter (0.2: ±20 %). */
  jitter: number;
}

export const DEFAULT_POLICY: RetryPolicy = { delaysS: RETRY_DELAYS_S, disableAfterMs: DISABLE_AFTER_MS, disableMinFailures: DISABLE_MIN_FAILURES, jitter: 0.2 };

/** Milliseconds to wait after `failures` consecutive failures (1 = the first). */
export function retryDelayMs(policy: RetryPolicy, failures: number, random: () => number = Math.random): number {
  const base = policy.delaysS[Math.min(Math.max(failures, 1), policy.delaysS.length) - 1]! * 1000;
  return Math.round(base * (1 + policy.jitter * (2 * random() - 1)));
}

/** Whether an endpoint failing since `failingSince`, `failures` times in a row, is to be disabled now. */
export function shouldDisable(policy: RetryPolicy, failingSince: Date, failures: number, now: Date): boolean {
  return failures >= policy.disableMinFailures && now.getTime() - failingSince.getTime() >= policy.disableAfterMs;
}
