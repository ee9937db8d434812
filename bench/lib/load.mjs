// Bounded load runs with autocannon: a fixed duration, a fixed number of connections, no pipelining.
import autocannon from 'autocannon';
import { percentile } from './stats.mjs';

/**
 * Runs autocannon and returns the figures the tables need. Latencies are taken from autocannon's
 * per-response timings (hrtime, sub-millisecond) rather than its histogram, which rounds to whole
 * milliseconds. `failed` counts non-2xx answers, connection errors and timeouts: a run with failures
 * is reported, never silently averaged in. `whileRunning(answeredSoFar)` may measure something during
 * the run; what it resolves to comes back as `measuredWhileRunning`.
 */
export async function load(options, { whileRunning } = {}) {
  const latencies = [];
  let answered = 0;
  let during;
  const result = await new Promise((resolve, reject) => {
    const instance = autocannon({ pipelining: 1, timeout: 10, ...options }, (error, answer) => (error ? reject(error) : resolve(answer)));
    instance.on('response', (_client, status, _bytes, milliseconds) => {
      answered++;
      if (status >= 200 && status < 300) latencies.push(milliseconds);
    });
    // Something to do while the load runs, told how many answers have come so far.
    // A failure there (the server died) leaves the figure out; the run itself is still reported.
    during = whileRunning ? Promise.resolve(whileRunning(() => answered)).catch(() => undefined) : undefined;
  });
  const measuredWhileRunning = await during;
  return {
    // Successful answers per second: a failed request is not throughput.
    requestsPerSecond: result['2xx'] / result.duration,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    ok: result['2xx'],
    // autocannon counts a timeout as an error too.
    failed: result.non2xx + result.errors,
    // What the failures were, for the notes: status codes other than 2xx, errors, timeouts.
    failures: {
      ...Object.fromEntries(
        Object.entries(result.statusCodeStats ?? {})
          .filter(([code]) => !code.startsWith('2'))
          .map(([code, { count }]) => [`HTTP ${code}`, count]),
      ),
      ...(result.errors > result.timeouts && { errors: result.errors - result.timeouts }),
      ...(result.timeouts > 0 && { timeouts: result.timeouts }),
    },
    seconds: result.duration,
    measuredWhileRunning,
  };
}

/** "HTTP 500: 3, timeouts: 1", or "" when nothing failed. */
export const describeFailures = (failures) =>
  Object.entries(failures)
    .map(([kind, count]) => `${kind}: ${count}`)
    .join(', ');

/** Mean of the rounds' req/s and p50, the worst p99, summed counts. */
export function combine(runs) {
  const mean = (pick) => runs.reduce((total, run) => total + pick(run), 0) / runs.length;
  return {
    requestsPerSecond: mean((run) => run.requestsPerSecond),
    min: Math.min(...runs.map((run) => run.requestsPerSecond)),
    max: Math.max(...runs.map((run) => run.requestsPerSecond)),
    p50: mean((run) => run.p50),
    p99: Math.max(...runs.map((run) => run.p99)),
    ok: runs.reduce((total, run) => total + run.ok, 0),
    failed: runs.reduce((total, run) => total + run.failed, 0),
    failures: runs.reduce((all, run) => {
      for (const [kind, count] of Object.entries(run.failures)) all[kind] = (all[kind] ?? 0) + count;
      return all;
    }, {}),
    rounds: runs.length,
  };
}
