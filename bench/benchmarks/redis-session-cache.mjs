// Can a BFF instance keep Redis sessions in memory (Redis client-side caching: CLIENT TRACKING with
// invalidation messages) and still refuse the very next request after a logout on another instance?
// Instance A deletes a session key that instance B read (so B's connection tracks it) and, the moment
// A's DEL is answered (the logout's answer leaves then), we look at whether B has already received
// the invalidation. ioredis 6 drops RESP3 `invalidate` push frames, so B's invalidations are
// redirected (CLIENT TRACKING ... REDIRECT) to a RESP2 subscriber connection on __redis__:invalidate,
// as Redis documents for clients without push support. Then the fence that closes the gap (a PING on
// the subscriber connection after the request arrived: its answer comes after every invalidation
// Redis sent before it) and what it costs next to the GET the BFF makes today, in this process's CPU.
// Then the Redis store's local cache (@latchkey/bff/redis, `localCache`), which answers from memory
// under a lease (every write waits out an announced lag bound; a heartbeat PING proves the instance is
// less than that behind) and takes a fence of its own only outside it: on a redis-server of the
// benchmark's own, whose command counts say how many PINGs and GETs the reads cost, what the lag bound
// costs a logout, and whether a logout on a plain instance is seen by the cached one's next read.
import { Redis } from 'ioredis';
import { redisAvailability } from '../lib/bff-stack.mjs';
import { startPrivateRedis } from '../lib/private-redis.mjs';
import { formatRate } from '../lib/stats.mjs';

/** The length of a sealed session with one provider linked (bench/RESULTS.md, BFF memory per session). */
const SEALED_CHARS = 1_755;

const nextTick = () => new Promise((resolve) => process.nextTick(resolve));
const nextImmediate = () => new Promise((resolve) => setImmediate(resolve));

/** `count` calls of `op`, `concurrency` at a time; this process's CPU time per call and calls per second. */
async function cost(op, count, concurrency = 10) {
  const cpu = process.cpuUsage();
  const started = performance.now();
  let issued = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (issued++ < count) await op();
    }),
  );
  const used = process.cpuUsage(cpu);
  return { cpuMicros: (used.user + used.system) / count, perSecond: (count * 1000) / (performance.now() - started) };
}

const SESSION_READ = { ttlMs: 0, rolling: false };

/**
 * Reads of one unchanged session through the Redis store, with and without the local cache, at several
 * reads in flight: this process's CPU per read, reads per second, and the PINGs and GETs Redis ran per read.
 */
async function measureStore(redis, sealed, quick) {
  const { createRedisStore } = await import('@latchkey/bff/redis');
  const calls = quick ? 5_000 : 40_000;
  const rows = [];
  const variants = [
    { name: 'Redis store (a GET per read)', inFlight: 10, cache: false },
    ...[1, 10, 50].map((inFlight) => ({ name: 'Redis store with the local cache (lease)', inFlight, cache: true })),
  ];
  for (const variant of variants) {
    const store = createRedisStore({ url: redis.url, ...(variant.cache && { localCache: { maxEntries: 1_000 } }) });
    try {
      await store.set('bench-session', sealed, 600_000);
      // Tracking turns on with the first reads; then every read is from memory, under the lease once it holds.
      for (let attempt = 0; attempt < 100; attempt++) {
        const gets = await redis.calls('get');
        await store.get('bench-session', SESSION_READ);
        if (!variant.cache || (await redis.calls('get')) === gets) break;
      }
      if (variant.cache) await new Promise((resolve) => setTimeout(resolve, 100));
      await cost(() => store.get('bench-session', SESSION_READ), calls / 4, variant.inFlight);
      const [pings, gets] = [await redis.calls('ping'), await redis.calls('get')];
      const measured = await cost(() => store.get('bench-session', SESSION_READ), calls, variant.inFlight);
      const [pingsAfter, getsAfter] = [await redis.calls('ping'), await redis.calls('get')];
      rows.push([
        variant.name,
        String(variant.inFlight),
        `${measured.cpuMicros.toFixed(1)} µs`,
        formatRate(measured.perSecond),
        ((pingsAfter - pings) / calls).toFixed(3),
        ((getsAfter - gets) / calls).toFixed(3),
      ]);
    } finally {
      await store.close();
    }
  }
  return { rows, calls };
}

/**
 * Logouts on a plain instance A of a session the cached instance B holds, B reading it the moment A's
 * destroy resolves: how many of B's reads were stale, and how long A's destroy took with B's lag bound
 * announced next to a destroy with no cached instance about.
 */
async function measureLogouts(redis, sealed, quick) {
  const { createRedisStore } = await import('@latchkey/bff/redis');
  const trials = quick ? 200 : 2_000;
  const a = createRedisStore({ url: redis.url, prefix: 'latchkey:logouts:' });
  const timedDestroys = async (count, before) => {
    const ms = [];
    for (let i = 0; i < count; i++) {
      await a.set(`alone-${i}`, sealed, 60_000);
      if (before) await before(`alone-${i}`);
      const started = performance.now();
      await a.destroy(`alone-${i}`);
      ms.push(performance.now() - started);
    }
    return ms.sort((x, y) => x - y)[Math.floor(ms.length / 2)];
  };
  try {
    const alone = await timedDestroys(quick ? 50 : 200);
    const b = createRedisStore({ url: redis.url, prefix: 'latchkey:logouts:', localCache: { maxEntries: 1_000 } });
    try {
      await b.get('warm', SESSION_READ);
      await new Promise((resolve) => setTimeout(resolve, 200));
      let stale = 0;
      const pings = await redis.calls('ping');
      const destroyMs = [];
      for (let i = 0; i < trials; i++) {
        const id = `logout-${i % 50}`;
        await a.set(id, sealed, 60_000);
        await b.get(id, SESSION_READ);
        await b.get(id, SESSION_READ);
        const started = performance.now();
        await a.destroy(id);
        destroyMs.push(performance.now() - started);
        if ((await b.get(id, SESSION_READ)) !== undefined) stale++;
      }
      const pingsPerTrial = ((await redis.calls('ping')) - pings) / trials;
      destroyMs.sort((x, y) => x - y);
      return { trials, stale, alone, withCache: destroyMs[Math.floor(destroyMs.length / 2)], pingsPerTrial };
    } finally {
      await b.close();
    }
  } finally {
    await a.close();
  }
}

export async function run({ quick, log }) {
  const redisAt = await redisAvailability();
  const title = 'Redis client-side caching of sessions (CLIENT TRACKING)';
  if (!redisAt.available) {
    return { title, tables: [], goals: [], method: [`not measured: ${redisAt.reason}`] };
  }
  const trials = quick ? 2_000 : 20_000;
  const prefix = `latchkey:bench-tracking:${process.pid}:`;
  const a = new Redis(redisAt.url);
  const b = new Redis(redisAt.url, { protocol: 2 });
  const bInvalidations = new Redis(redisAt.url, { protocol: 2 });
  const invalidated = new Set();
  bInvalidations.on('message', (_channel, keys) => {
    for (const key of Array.isArray(keys) ? keys : [keys]) invalidated.add(String(key));
  });
  try {
    const subscriberId = await bInvalidations.client('ID');
    await bInvalidations.subscribe('__redis__:invalidate');
    await b.call('CLIENT', 'TRACKING', 'ON', 'REDIRECT', String(subscriberId));
    const sealed = `v1.${'x'.repeat(SEALED_CHARS - 3)}`;

    log(`${trials} logouts on A of a session B has read`);
    const missed = { atReply: 0, afterTick: 0, afterImmediate: 0, afterFence: 0 };
    for (let i = 0; i < trials; i++) {
      const key = `${prefix}${i}`;
      await a.set(key, sealed, 'PX', 60_000);
      await b.get(key);
      await a.del(key);
      if (!invalidated.has(key)) missed.atReply++;
      await nextTick();
      if (!invalidated.has(key)) missed.afterTick++;
      await nextImmediate();
      if (!invalidated.has(key)) missed.afterImmediate++;
      invalidated.delete(key);
    }
    const fenced = trials / 4;
    for (let i = 0; i < fenced; i++) {
      const key = `${prefix}f${i}`;
      await a.set(key, sealed, 'PX', 60_000);
      await b.get(key);
      await a.del(key);
      await bInvalidations.ping();
      if (!invalidated.has(key)) missed.afterFence++;
      invalidated.delete(key);
    }

    log('CPU per GET and per PING');
    const costKey = `${prefix}cost`;
    await a.set(costKey, sealed, 'PX', 60_000);
    const calls = quick ? 5_000 : 40_000;
    await cost(() => a.get(costKey), calls / 4);
    await cost(() => bInvalidations.ping(), calls / 4);
    const getCost = await cost(() => a.get(costKey), calls);
    const pingCost = await cost(() => bInvalidations.ping(), calls);
    await a.del(costKey);

    log('the store with and without the local cache, on a redis-server of our own');
    const own = await startPrivateRedis();
    const store = own.available ? await measureStore(own, sealed, quick) : undefined;
    log('logouts on a plain instance, read at once by a cached one');
    const logouts = own.available ? await measureLogouts(own, sealed, quick).finally(() => own.close()) : undefined;

    const share = (n, of) => `${n.toLocaleString('en-US')} of ${of.toLocaleString('en-US')} (${((100 * n) / of).toFixed(1)}%)`;
    return {
      title,
      tables: [
        {
          caption: 'A logout on instance A of a session that instance B caches: had B received the invalidation?',
          columns: ['when B looks', 'invalidation not yet received'],
          rows: [
            ["as A's DEL is answered (A's logout answers the browser)", share(missed.atReply, trials)],
            ['one process.nextTick later', share(missed.afterTick, trials)],
            ['one setImmediate later (after the I/O of that turn)', share(missed.afterImmediate, trials)],
            ["after a PING on B's invalidation connection (the fence)", share(missed.afterFence, fenced)],
          ],
        },
        {
          caption: 'What the session read costs the BFF process, by design (ioredis, 10 calls in flight)',
          columns: ['per proxied call', 'CPU per call', 'calls/s'],
          rows: [
            [
              `GET of the sealed session (${SEALED_CHARS.toLocaleString('en-US')} chars), as today`,
              `${getCost.cpuMicros.toFixed(1)} µs`,
              formatRate(getCost.perSecond),
            ],
            [
              'PING fence on the invalidation connection, session from memory',
              `${pingCost.cpuMicros.toFixed(1)} µs`,
              formatRate(pingCost.perSecond),
            ],
            ['tracking without a fence (stale after a logout, see above)', '0 µs', ''],
          ],
        },
        {
          caption:
            "Reads of one unchanged session through @latchkey/bff/redis: a GET per read, or the local cache under its lease (this process's CPU; PINGs and GETs as Redis counted them, the heartbeat's included)",
          columns: ['store', 'reads in flight', 'CPU per read', 'reads/s', 'PINGs per read', 'GETs per read'],
          rows: store?.rows ?? [['not measured', '', '', '', '', own.reason]],
        },
        {
          caption:
            'Logouts on a plain instance A of a session the cached instance B holds (lag bound 50 ms), B reading the session the moment the logout resolves',
          columns: [
            'logouts',
            "B's next read stale",
            'destroy p50, no cached instance',
            'destroy p50, B announced',
            'PINGs per logout (B)',
          ],
          rows:
            logouts === undefined
              ? [['not measured', '', '', '', own.reason]]
              : [
                  [
                    logouts.trials.toLocaleString('en-US'),
                    share(logouts.stale, logouts.trials),
                    `${logouts.alone.toFixed(2)} ms`,
                    `${logouts.withCache.toFixed(2)} ms`,
                    logouts.pingsPerTrial.toFixed(2),
                  ],
                ],
        },
      ],
      goals: [],
      method: [
        `Three ioredis connections in this process to the tests' Redis: A (the instance that logs out), B (the caching instance, CLIENT TRACKING ON REDIRECT to its third, subscribed connection). In each of ${trials.toLocaleString('en-US')} trials A writes a session-sized key, B reads it (now tracked), A deletes it; B's invalidations are looked for when A's DEL is answered, one nextTick and one setImmediate later. ${fenced.toLocaleString('en-US')} more trials look after a PING on B's subscribed connection instead.`,
        "A and B share one event loop here, so this is the best case for B: across machines, A's answer reaches the browser and the browser's next request reaches B over paths that share nothing with Redis's invalidation message, and no delay makes the order certain.",
        `CPU per call is this process's user + system time over ${calls.toLocaleString('en-US')} calls, 10 in flight, after a warm-up.`,
        `The store rows: createRedisStore from @latchkey/bff/redis (dist) on a redis-server this benchmark starts on a free port, so INFO commandstats counts only its commands; ${(store?.calls ?? 0).toLocaleString('en-US')} reads of one session per row after a warm-up, with the given number in flight (each reader starts its next read when the last answers). With the cache (default lag bound, 50 ms), a read is answered from memory at once while the lease holds: the instance's bound is announced in Redis, so every write that changes or removes a value waits it out before it resolves, and a heartbeat PING (every 10 ms) sent after the announcement was answered less than 50 ms ago. Outside the lease a read waits for a PING sent after it began, shared by the reads of one turn of the event loop.`,
        'The logout rows: on the same redis-server, A (no cache) writes a session-sized value, B (with the cache) reads it twice, A destroys it and B reads it at once; the destroy is timed with B about and, before B existed, alone.',
      ],
      notes: [
        'Tracking without a fence would serve a session that another instance has just logged out, so it is not an option: a logout must be seen by the very next request on every instance.',
        `A fence of its own on every call would still be one Redis round trip per call (a PING instead of a GET), saving only ${(getCost.cpuMicros - pingCost.cpuMicros).toFixed(1)} µs of client CPU per call here. A fence shared by the reads in flight divides it among them, but at one or two requests per turn of the event loop (a fast server under moderate load) that is still about one PING per read.`,
        "Built as the Redis store's `localCache` option, with the cost moved to the writers: a write that changes or removes a value (a logout, a token refresh, a disconnect) waits the lag bound, which instances with the cache announce in Redis (renewed every second, for ten, under the store's prefix), before it resolves, and a plain instance reads the announcement in the same script as its write, so it waits too. A read is answered from memory with no command while the instance can prove it is less than the bound behind; creating a key waits for nobody (no instance can hold a key that had no value). A write made outside the stores (redis-cli, FLUSHALL) waits for nobody and is seen by reads that begin the lag bound after it. It costs two more connections per instance (the tracked reader and the invalidation subscriber), 100 heartbeat PINGs a second while reads come (paused after 5 s without one), tracking turned on again after every reconnect, and the whole cache dropped whenever either connection drops.",
      ],
    };
  } finally {
    a.disconnect();
    b.disconnect();
    bInvalidations.disconnect();
  }
}
