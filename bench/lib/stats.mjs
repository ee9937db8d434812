// Small statistics and timing helpers shared by the benchmarks.

/** The p-th percentile (0..100) of `values` by nearest rank; NaN for an empty list. */
export function percentile(values, p) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export const median = (values) => percentile(values, 50);

/** Milliseconds since an arbitrary origin, with sub-millisecond resolution. */
export const now = () => performance.now();

/**
 * Operations per second of a synchronous `op`: a warm-up (so the JIT has compiled it), then batches
 * until `seconds` have passed. Returns the median of `rounds` such measurements.
 */
export function opsPerSecond(op, { seconds, rounds = 3, warmupSeconds = 0.3 }) {
  const runFor = (ms) => {
    let ops = 0;
    let batch = 1;
    const start = now();
    let elapsed = 0;
    while (elapsed < ms) {
      for (let i = 0; i < batch; i++) op();
      ops += batch;
      elapsed = now() - start;
      // Batches grow until one takes about 10 ms, so the clock is read rarely.
      if (elapsed < ms / 10 && batch < 1 << 20) batch *= 2;
    }
    return (ops * 1000) / elapsed;
  };
  runFor(warmupSeconds * 1000);
  const results = [];
  for (let round = 0; round < rounds; round++) results.push(runFor((seconds * 1000) / rounds));
  return median(results);
}

const grouped = (value, digits) => value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

/** Formats a rate: 12,345 or 1.23 (few significant digits for small numbers). */
export function formatRate(value) {
  if (!Number.isFinite(value)) return 'n/a';
  return grouped(value, value >= 100 ? 0 : value >= 10 ? 1 : 2);
}

/** Formats milliseconds: 0.123 ms, 1.23 ms, 12.3 ms, 123 ms. */
export function formatMs(value) {
  if (!Number.isFinite(value)) return 'n/a';
  const digits = value < 1 ? 3 : value < 10 ? 2 : value < 100 ? 1 : 0;
  return `${grouped(value, digits)} ms`;
}

export const formatRatio = (value) => (Number.isFinite(value) ? `${value.toFixed(2)}x` : 'n/a');
export const formatPercent = (value) => (Number.isFinite(value) ? `${(value * 100).toFixed(0)}%` : 'n/a');
export const formatBytes = (bytes) => `${grouped(bytes, 0)} B`;
