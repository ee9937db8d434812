// Refresh coalescing, measured the same way for the browser SDK and the BFF: N concurrent calls
// that each need a valid access token right after it expired. Counted: the refresh requests the
// provider saw per expiry (goal: 1). Timed: each call, against a lone caller doing the same.
import { formatMs, median, now } from './stats.mjs';

export const COALESCING_COLUMNS = [
  'concurrent calls',
  'expiries',
  'refresh requests per expiry',
  'latency p50',
  'latency max',
  'added vs lone call, p50',
  'added, max',
];

export const COALESCING_LATENCY_NOTE =
  'Latency is from the moment the N calls start to each call\'s answer. A lone call (N = 1) is one refresh round trip; "added" is how much longer the calls of a batch took than the median lone call: the price of waiting behind the one shared refresh.';

/**
 * `plan` is a list of [N, expiries]; batch sizes are interleaved. For each expiry: `expire()` makes the token stale, N copies of
 * `call()` start in the same tick, and `refreshes()` (before and after) says how many refresh
 * requests the provider saw. Every call of a batch must answer with the same value.
 */
export async function measureCoalescing(plan, { expire, refreshes, call, log, same = (a, b) => a === b }) {
  // One refresh first, so the lone-call baseline is not the JIT's first pass.
  await expire();
  await call();
  const measured = plan.map(([calls, expiries]) => ({ calls, expiries, perExpiry: [], latencies: [] }));
  // Batch sizes take turns (1, 10, 100, 1, 10, 100, ...) so a drift in the machine's speed during
  // the run does not land on one N.
  const rounds = Math.max(...plan.map(([, expiries]) => expiries));
  for (let round = 0; round < rounds; round++) {
    for (const entry of measured) {
      if (round >= entry.expiries) continue;
      if (round === 0) log(`${entry.calls} concurrent call(s) x ${entry.expiries} expiries, interleaved`);
      await expire();
      const before = await refreshes();
      const start = now();
      const answers = await Promise.all(Array.from({ length: entry.calls }, () => call().then((value) => ({ value, ms: now() - start }))));
      entry.perExpiry.push((await refreshes()) - before);
      if (!answers.every((answer) => same(answer.value, answers[0].value))) throw new Error('the calls of one batch saw different tokens');
      for (const answer of answers) entry.latencies.push(answer.ms);
    }
  }
  const lone = median(measured.find((m) => m.calls === 1)?.latencies ?? [Number.NaN]);
  const rows = measured.map(({ calls, expiries, perExpiry, latencies }) => {
    const low = Math.min(...perExpiry);
    const high = Math.max(...perExpiry);
    return [
      String(calls),
      String(expiries),
      low === high ? String(low) : `${low}–${high}`,
      formatMs(median(latencies)),
      formatMs(Math.max(...latencies)),
      calls > 1 ? formatMs(median(latencies) - lone) : '',
      calls > 1 ? formatMs(Math.max(...latencies) - lone) : '',
    ];
  });
  const allSingle = measured.every((m) => m.perExpiry.every((count) => count === 1));
  return { rows, allSingle, lone, measured };
}

