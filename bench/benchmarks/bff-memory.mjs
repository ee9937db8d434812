// BFF memory per session: real logins fill the BFF's memory store with sessions (sealed records
// holding the provider's tokens), and the BFF process's heap is read before and after, each time
// after full garbage collections. Then the same logins into the Redis store, and what each session
// costs Redis (MEMORY USAGE of every session key, and INFO memory before and after).
import { Redis } from 'ioredis';
import { bffLogin, redisAvailability, registerProvider, startBff, startProvider } from '../lib/bff-stack.mjs';
import { formatRate } from '../lib/stats.mjs';

const PARALLEL_LOGINS = 8;
const mb = (bytes) => `${(bytes / 2 ** 20).toFixed(1)} MB`;
const perSession = (bytes, sessions) => `${Math.round(bytes / sessions).toLocaleString('en-US')} B`;
const perGiB = (bytes) => Math.floor(2 ** 30 / bytes).toLocaleString('en-US');

/** `count` real logins at the BFF, `PARALLEL_LOGINS` at a time; returns their cookies and the rate. */
async function logins(bffUrl, count) {
  const cookies = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: PARALLEL_LOGINS }, async () => {
      while (cookies.length < count) {
        cookies.push(null);
        cookies[cookies.length - 1] = await bffLogin(bffUrl, 'me');
      }
    }),
  );
  return { cookies, perSecond: (count * 1000) / (performance.now() - started) };
}

/** Sessions in the Redis store: every session key under `prefix`, its MEMORY USAGE, and Redis's used_memory. */
async function redisSessions(redis, prefix) {
  let cursor = '0';
  const keys = [];
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}latchkey:session:*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...found);
  } while (cursor !== '0');
  let bytes = 0;
  for (const key of keys) bytes += (await redis.memory('USAGE', key, 'SAMPLES', '0')) ?? 0;
  const info = await redis.info('memory');
  return { keys, bytes, usedMemory: Number(/used_memory:(\d+)/.exec(info)?.[1]) };
}

/** The Redis half: a BFF on the Redis store, `count` logins, and what Redis and the BFF hold for them. */
async function measureRedis(provider, count, log) {
  const redisAt = await redisAvailability();
  if (!redisAt.available) return { reason: redisAt.reason };
  const prefix = `latchkey:bench-memory:${process.pid}:`;
  const redis = new Redis(redisAt.url);
  const bff = await startBff({ store: 'redis', redisUrl: redisAt.url, prefix }, ['--expose-gc']);
  try {
    await registerProvider(provider, bff, 'me', { apiBaseUrl: `${provider.url}/api/` });
    for (let i = 0; i < 20; i++) await bffLogin(bff.url, 'me');
    const heapBefore = (await bff.call('memory')).heapUsed;
    const before = await redisSessions(redis, prefix);
    log(`${count} logins into the Redis store`);
    const { perSecond } = await logins(bff.url, count);
    const heapAfter = (await bff.call('memory')).heapUsed;
    const after = await redisSessions(redis, prefix);
    const added = after.keys.length - before.keys.length;
    if (added !== count) throw new Error(`Redis gained ${added} sessions for ${count} logins`);
    return {
      added,
      keyBytes: after.bytes - before.bytes,
      usedMemory: after.usedMemory - before.usedMemory,
      heap: heapAfter - heapBefore,
      perSecond,
    };
  } finally {
    await bff.close();
    // The sessions this run wrote go: Redis is shared with the tests.
    let cursor = '0';
    do {
      const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (found.length > 0) await redis.del(...found);
    } while (cursor !== '0');
    redis.disconnect();
  }
}

export async function run({ quick, log }) {
  const sessions = quick ? 500 : 10_000;
  const provider = await startProvider();
  // Room for every session, whatever the default bound: none may be evicted mid-count.
  const bff = await startBff({ store: 'memory', maxEntries: sessions * 2, countStore: true }, ['--expose-gc']);
  try {
    await registerProvider(provider, bff, 'me', { apiBaseUrl: `${provider.url}/api/` });
    // Some logins first, so lazily built parts (metadata, JIT code) are in the baseline.
    for (let i = 0; i < 20; i++) await bffLogin(bff.url, 'me');
    const before = await bff.call('memory');
    if (!before.collected) throw new Error('the BFF process cannot collect garbage on demand (--expose-gc)');
    const storeBefore = await bff.call('storeStats');

    log(`${sessions} logins, ${PARALLEL_LOGINS} at a time`);
    const { cookies, perSecond: loginsPerSecond } = await logins(bff.url, sessions);
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
    await bff.close();
    const redisSessionCount = quick ? 200 : 2_000;
    const inRedis = await measureRedis(provider, redisSessionCount, log);
    const redisRows = inRedis.reason
      ? [['Redis store: Redis memory', 'not measured', '', inRedis.reason]]
      : [
          [
            'Redis store: Redis memory (MEMORY USAGE of the session keys)',
            perSession(inRedis.keyBytes, inRedis.added),
            perGiB(inRedis.keyBytes / inRedis.added),
            `${inRedis.added.toLocaleString('en-US')} sessions`,
          ],
          [
            'Redis store: Redis memory (INFO used_memory, Redis shared with whatever else ran)',
            perSession(inRedis.usedMemory, inRedis.added),
            perGiB(inRedis.usedMemory / inRedis.added),
            `${inRedis.added.toLocaleString('en-US')} sessions`,
          ],
        ];
    return {
      title: 'BFF memory per session (memory store and Redis store)',
      tables: [
        {
          columns: [
            'sessions added',
            'JS heap',
            'per session',
            'off-heap (external)',
            'per session',
            'RSS',
            'per session',
            'sealed record (chars)',
          ],
          rows: [
            [
              added.toLocaleString('en-US'),
              mb(heap),
              perSession(heap, added),
              mb(offHeap),
              perSession(offHeap, added),
              mb(rss),
              perSession(rss, added),
              valueChars.toFixed(0),
            ],
          ],
        },
        {
          caption: 'Sessions per GiB',
          columns: ['where', 'per session', 'sessions per GiB', 'measured over'],
          rows: [
            ['memory store: BFF JS heap', perSession(heap, added), perGiB(heap / added), `${added.toLocaleString('en-US')} sessions`],
            ['memory store: BFF RSS', perSession(rss, added), perGiB(rss / added), `${added.toLocaleString('en-US')} sessions`],
            ...redisRows,
          ],
        },
      ],
      goals: [],
      method: [
        `The real provider and a BFF (Koa + createBff, @latchkey/bff dist, memory store bounded at ${(sessions * 2).toLocaleString('en-US')} entries so none is evicted) in their own processes; the BFF runs with --expose-gc.`,
        `${sessions.toLocaleString('en-US')} real logins (the BFF's login route, the provider's login page, the BFF's callback with the code exchange and ID token check), ${PARALLEL_LOGINS} at a time (${formatRate(loginsPerSecond)} logins/s on this machine). Each session holds the user and one provider connection with its access, refresh and ID tokens, sealed with AES-256-GCM.`,
        'Memory is process.memoryUsage() in the BFF after three full collections, before and after the logins; the difference is divided by the sessions the store gained (counted by a thin wrapper that asks the store whether a key exists, so it keeps nothing per session). A sample of the sessions is read back through GET /bff/session.',
        'RSS also counts heap pages V8 reserved and did not hand back, so it is the rougher figure.',
        ...(inRedis.reason
          ? []
          : [
              `With the Redis store the BFF keeps no session, only bounded caches (the last sessionCacheSize opened records, 1,000 by default, and the store key names of up to 10,000 sessions): its JS heap grew by ${mb(inRedis.heap)} over these ${inRedis.added.toLocaleString('en-US')} logins.`,
            ]),
        `Redis: a BFF on the Redis store (its own key prefix), ${redisSessionCount.toLocaleString('en-US')} more real logins the same way; Redis's share is the sum of MEMORY USAGE (SAMPLES 0) over every session key the run added (found by SCAN), and, as a rougher figure, the growth of INFO used_memory. The keys are deleted afterwards.`,
      ],
    };
  } finally {
    await bff.close();
    await provider.close();
  }
}
