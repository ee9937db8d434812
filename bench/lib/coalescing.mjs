// Refresh coalescing, measured the same way for the browser SDK and the BFF: N concurrent calls
// that each need a valid access token right after it expired. Counted: the refresh requests the
// provider saw per expiry (goal: 1). Timed: each call, from the moment the N calls start.
import { formatMs, median, now } from './stats.mjs';

async function batch(calls, call, same) {
  const start = now();
  const answers = await Promise.all(Array.from({ length: calls }, () => call().then((value) => ({ value, ms: now() - start }))));
  if (!answers.every((answer) => same(answer.value, answers[0].value))) throw new Error('the calls of one batch saw different answers');
  return answers.map((answer) => answer.ms);
}

/**
 * `plan` is a list of [N, expiries]. For each expiry: `expire()` makes the token stale, N copies of
 * `call()` start in the same tick, and `refreshes()` (before and after) says how many refresh
 * requests the provider saw. Every call of a batch must answer alike. With `control`, each expired
 * batch is paired with a batch of N calls while the token is still valid, so the cost of the expiry
 * is told apart from the cost of N concurrent calls as such. Batch sizes take turns (1, 10, 100,
 * 1, 10, 100, ...) so a drift in the machine's speed during the run does not land on one N.
 */
export async function measureCoalescing(plan, { expire, refreshes, call, log, control = false, same = (a, b) => a === b }) {
  // One refresh first, so nothing measured is the JIT's first pass.
  await expire();
  await call();
  const measured = plan.map(([calls, expiries]) => ({ calls, expiries, perExpiry: [], expired: [], valid: [] }));
  const rounds = Math.max(...plan.map(([, expiries]) => expiries));
  for (let round = 0; round < rounds; round++) {
    for (const entry of measured) {
      if (round >= entry.expiries) continue;
      if (round === 0) log(`${entry.calls} concurrent call(s) x ${entry.expiries} expiries, interleaved`);
      await expire();
      const before = await refreshes();
      entry.expired.push(...(await batch(entry.calls, call, same)));
      entry.perExpiry.push((await refreshes()) - before);
      if (control) {
        const beforeValid = await refreshes();
        entry.valid.push(...(await batch(entry.calls, call, same)));
        if ((await refreshes()) !== beforeValid) throw new Error('a batch with a valid token caused a refresh');
      }
    }
  }
  const allSingle = measured.every((m) => m.perExpiry.every((count) => count === 1));
  return { measured, allSingle };
}

const perExpiryCell = (perExpiry) => {
  const low = Math.min(...perExpiry);
  const high = Math.max(...perExpiry);
  return low === high ? String(low) : `${low}–${high}`;
};

/** Columns and rows comparing each batch with a lone call (N = 1). */
export const LONE_COLUMNS = [
  'concurrent calls',
  'expiries',
  'refresh requests per expiry',
  'latency p50',
  'latency max',
  'added vs lone call, p50',
  'added, max',
];

export function loneRows(measured) {
  const lone = median(measured.find((m) => m.calls === 1)?.expired ?? [Number.NaN]);
  return measured.map(({ calls, expiries, perExpiry, expired }) => [
    String(calls),
    String(expiries),
    perExpiryCell(perExpiry),
    formatMs(median(expired)),
    formatMs(Math.max(...expired)),
    calls > 1 ? formatMs(median(expired) - lone) : '',
    calls > 1 ? formatMs(Math.max(...expired) - lone) : '',
  ]);
}

export const LONE_NOTE =
  'Latency is from the moment the N calls start to each call\'s answer. A lone call (N = 1) is one refresh round trip; "added" is how much longer the calls of a batch took than the median lone call: the price of waiting behind the one shared refresh.';

/** Columns and rows comparing each expired batch with a batch of the same size and a valid token. */
export const CONTROL_COLUMNS = [
  'concurrent calls',
  'expiries',
  'refresh requests per expiry',
  'p50, token valid',
  'p50, token expired',
  'added by the expiry, p50',
  'max, token valid',
  'max, token expired',
];

export function controlRows(measured) {
  return measured.map(({ calls, expiries, perExpiry, expired, valid }) => [
    String(calls),
    String(expiries),
    perExpiryCell(perExpiry),
    formatMs(median(valid)),
    formatMs(median(expired)),
    formatMs(median(expired) - median(valid)),
    formatMs(Math.max(...valid)),
    formatMs(Math.max(...expired)),
  ]);
}

export const CONTROL_NOTE =
  'Latency is from the moment the N calls start to each call\'s answer. Each batch with an expired token is paired with a batch of the same N while the token is valid: N concurrent proxied calls take time of their own (the BFF, its upstream pool and the provider serve them all), so "added by the expiry" (expired p50 minus valid p50) is what waiting behind the one refresh costs.';
