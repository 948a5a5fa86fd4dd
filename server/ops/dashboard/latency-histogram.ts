/**
 * Event-to-current latency is kept as a histogram (LatencyRollup), not as samples: percentiles of
 * a million events then cost a read of a few hundred bins. Bin 0 holds latencies under 1 ms, bin
 * b >= 1 holds [1.1^(b-1), 1.1^b) ms, so a percentile read from it is within 5% of the exact one.
 * The SQL trigger of migration 20261201100000_read_path_indexes bins the same way as binOf.
 */
const RATIO = 1.1;

export function binOf(ms: number): number {
  return ms < 1 ? 0 : 1 + Math.floor(Math.log(ms) / Math.log(RATIO));
}

/** The value a bin stands for: its geometric middle (0.5 ms for bin 0). */
export function binValue(bin: number): number {
  return bin <= 0 ? 0.5 : RATIO ** (bin - 0.5);
}

/** The bin's upper bound, for "slowest". */
export function binUpper(bin: number): number {
  return bin <= 0 ? 1 : RATIO ** bin;
}

export interface Bin {
  bin: number;
  n: number;
}

/**
 * percentile_cont over the histogram: rank p * (n - 1), interpolated between the values of the
 * bins holding the ranks either side, each bin standing for its middle.
 */
export function histogramPercentile(bins: readonly Bin[], p: number): number | null {
  const sorted = bins.filter((b) => b.n > 0).sort((a, b) => a.bin - b.bin);
  const total = sorted.reduce((s, b) => s + b.n, 0);
  if (!total) return null;
  const valueAt = (rank: number) => {
    let seen = 0;
    for (const b of sorted) {
      seen += b.n;
      if (rank < seen) return binValue(b.bin);
    }
    return binValue(sorted.at(-1)!.bin);
  };
  const rank = p * (total - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return valueAt(lo) + (valueAt(hi) - valueAt(lo)) * (rank - lo);
}

export function histogramSummary(bins: readonly Bin[]): { events: number; p50Ms: number | null; p99Ms: number | null; maxMs: number | null } {
  const live = bins.filter((b) => b.n > 0);
  const events = live.reduce((s, b) => s + b.n, 0);
  return {
    events,
    p50Ms: histogramPercentile(live, 0.5),
    p99Ms: histogramPercentile(live, 0.99),
    maxMs: live.length ? binUpper(Math.max(...live.map((b) => b.bin))) : null,
  };
}
