// BFF memory per session: real logins fill the BFF's memory store with sessions (sealed records
// holding the provider's tokens), and the BFF process's heap is read before and after, each time
// after full garbage collections.
import { bffLogin, registerProvider, startBff, startProvider } from '../lib/bff-stack.mjs';
import { formatRate } from '../lib/stats.mjs';

const PARALLEL_LOGINS = 8;
const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
const perSession = (bytes, sessions) => `${Math.round(bytes / sessions).toLocaleString('en-US')} B`;

export async function run({ quick, log }) {
  const sessions = quick ? 500 : 10_000;
  const provider = await startProvider();
  // Room for every session (the default bound is 10,000 entries): none may be evicted mid-count.
  const bff = await startBff({ store: 'memory', maxEntries: sessions * 2, countStore: true }, ['--expose-gc']);
  try {
    await registerProvider(provider, bff, 'me', { apiBaseUrl: `${provider.url}/api/` });
    // Some logins first, so lazily built parts (metadata, JIT code) are in the baseline.
    for (let i = 0; i < 20; i++) await bffLogin(bff.url, 'me');
    const before = await bff.call('memory');
    if (!before.collected) throw new Error('the BFF process cannot collect garbage on demand (--expose-gc)');
    const storeBefore = await bff.call('storeStats');

    log(`${sessions} logins, ${PARALLEL_LOGINS} at a time`);
    const cookies = [];
    const started = performance.now();
    await Promise.all(
      Array.from({ length: PARALLEL_LOGINS }, async () => {
        while (cookies.length < sessions) {
          cookies.push(null);
          cookies[cookies.length - 1] = await bffLogin(bff.url, 'me');
        }
      }),
    );
    const loginsPerSecond = (sessions * 1000) / (performance.now() - started);
    const after = await bff.call('memory');
    const storeAfter = await bff.call('storeStats');
    const added = storeAfter.live - storeBefore.live;
    if (added !== sessions) throw new Error(`the store gained ${added} sessions for ${sessions} logins`);

    // The sessions are real: a sample of them reads back as logged in.
    for (let i = 0; i < 20; i++) {
      const cookie = cookies[Math.floor((i * cookies.length) / 20)];
      const answer = await (await fetch(`${bff.url}/bff/session`, { headers: { cookie } })).json();
      if (!answer.authenticated) throw new Error('a session made by the benchmark is not logged in');
    }

    const heap = after.heapUsed - before.heapUsed;
    const offHeap = after.external - before.external;
    const rss = after.rss - before.rss;
    const valueChars = (storeAfter.valueChars - storeBefore.valueChars) / added;
    return {
      title: 'BFF memory per session (memory store)',
      tables: [
        {
          columns: ['sessions added', 'JS heap', 'per session', 'off-heap (external)', 'per session', 'RSS', 'per session', 'sealed record (chars)'],
          rows: [[added.toLocaleString('en-US'), mb(heap), perSession(heap, added), mb(offHeap), perSession(offHeap, added), mb(rss), perSession(rss, added), valueChars.toFixed(0)]],
        },
        {
          caption: `Per ${(10_000).toLocaleString('en-US')} sessions`,
          columns: ['JS heap', 'RSS'],
          rows: [[mb((heap / added) * 10_000), mb((rss / added) * 10_000)]],
        },
      ],
      goals: [],
      method: [
        `The real provider and a BFF (Koa + createBff, @latchkey/bff dist, memory store bounded at ${(sessions * 2).toLocaleString('en-US')} entries so none is evicted) in their own processes; the BFF runs with --expose-gc.`,
        `${sessions.toLocaleString('en-US')} real logins (the BFF's login route, the provider's login page, the BFF's callback with the code exchange and ID token check), ${PARALLEL_LOGINS} at a time (${formatRate(loginsPerSecond)} logins/s on this machine). Each session holds the user and one provider connection with its access, refresh and ID tokens, sealed with AES-256-GCM.`,
        'Memory is process.memoryUsage() in the BFF after three full collections, before and after the logins; the difference is divided by the sessions the store gained (counted by a thin wrapper that asks the store whether a key exists, so it keeps nothing per session). A sample of the sessions is read back through GET /bff/session.',
        'RSS also counts heap pages V8 reserved and did not hand back, so it is the rougher figure.',
      ],
    };
  } finally {
    await bff.close();
    await provider.close();
  }
}
