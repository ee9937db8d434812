import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRedisStore, type RedisStore } from '@latchkey/bff/redis';
import { privateRedisGate, startPrivateRedis, type PrivateRedis } from './redis-session-cache-server.js';

const run = privateRedisGate();

const SESSION = { ttlMs: 0, rolling: false };
/** B's lag bound: long enough that a busy test machine does not end B's lease between two steps. */
const MAX_LAG_MS = 200;

/**
 * Holds the event loop for longer than B's lag bound, so no heartbeat answer is processed meanwhile
 * and B's lease has run out: reads made right after take the fence.
 */
function outsideTheLease(): void {
  const until = performance.now() + MAX_LAG_MS + 5;
  while (performance.now() < until) {
    // Busy on purpose.
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The local cache against a redis-server of the test's own, whose command counts are the test's alone:
 * what the cache spares Redis, a flush of the database, and a Redis that stops answering.
 */
describe.runIf(run)('the Redis store with a local cache, on a Redis of its own', { timeout: 20_000 }, () => {
  let redis: PrivateRedis;
  let a: RedisStore;
  let b: RedisStore;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    a = createRedisStore({ url: redis.url });
    b = createRedisStore({
      url: redis.url,
      prefix: 'latchkey:bff:',
      commandTimeoutMs: 500,
      localCache: { maxEntries: 100, maxLagMs: MAX_LAG_MS },
    });
  });
  afterAll(async () => {
    redis.resume();
    await Promise.all([a?.close(), b?.close()]);
    await redis?.close();
  });

  /** Tracking turns on with B's first reads (until then B reads through): read until a GET is spared. */
  async function untilCached(id: string): Promise<void> {
    for (let attempt = 0; attempt < 100; attempt += 1) {
      const gets = await redis.calls('get');
      await b.get(id, SESSION);
      if ((await redis.calls('get')) === gets) return;
    }
  }

  it('reads an unchanged session once from Redis, then from memory with no command per read', async () => {
    await a.set('unchanged', 'sealed', 60_000);
    await untilCached('unchanged');
    // The lease holds once B's announcement is acknowledged and a heartbeat after it is answered.
    await sleep(MAX_LAG_MS);
    const gets = await redis.calls('get');
    // A hundred reads cost a heartbeat or two, not a PING per read. A test machine stalled past the lag
    // bound sends B's reads through the fence for a while (correctly), so up to five tries.
    let fewest = Number.POSITIVE_INFINITY;
    for (let attempt = 0; attempt < 5 && fewest > 3; attempt += 1) {
      const pings = await redis.calls('ping');
      for (let i = 0; i < 100; i += 1) expect(await b.get('unchanged', SESSION)).toBe('sealed');
      fewest = Math.min(fewest, (await redis.calls('ping')) - pings);
    }
    expect(fewest).toBeLessThanOrEqual(3);
    expect(await redis.calls('get')).toBe(gets);
  });

  it('announces its lag bound, and a write that changes or ends a value waits it out on every store', async () => {
    expect(await redis.admin.get('latchkey:bff:local-cache:max-lag-ms')).toBe(String(MAX_LAG_MS));
    await a.set('waited', 'first', 60_000);
    for (const write of [
      () => a.set('waited', 'second', 60_000),
      () => a.compareAndSet?.('waited', 'second', 'third', 60_000),
      () => a.destroy('waited'),
    ]) {
      const started = performance.now();
      await write();
      expect(performance.now() - started).toBeGreaterThanOrEqual(MAX_LAG_MS);
    }
  });

  it('outside the lease, reads from memory await a fence', async () => {
    await a.set('fenced', 'sealed', 60_000);
    await untilCached('fenced');
    const gets = await redis.calls('get');
    const pings = await redis.calls('ping');
    for (let i = 0; i < 5; i += 1) {
      outsideTheLease();
      expect(await b.get('fenced', SESSION)).toBe('sealed');
    }
    expect(await redis.calls('get')).toBe(gets);
    expect(await redis.calls('ping')).toBeGreaterThanOrEqual(pings + 5);
  });

  it('keeps a value under steady concurrent reads of a key it does not hold yet', async () => {
    await untilCached('unchanged');
    await a.set('steady', 'sealed', 60_000);
    const gets = await redis.calls('get');
    // Ten readers, each starting its next read as the last answers: a read always in flight.
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        for (let i = 0; i < 100; i += 1) expect(await b.get('steady', SESSION)).toBe('sealed');
      }),
    );
    // At most the first ten reads go to Redis; the rest are answered from memory.
    expect((await redis.calls('get')) - gets).toBeLessThanOrEqual(10);
  });

  it('reads in flight together share one fence', async () => {
    await a.set('burst', 'sealed', 60_000);
    expect(await b.get('burst', SESSION)).toBe('sealed');
    const pings = await redis.calls('ping');
    outsideTheLease();
    const reads = await Promise.all(Array.from({ length: 50 }, () => b.get('burst', SESSION)));
    expect(reads.every((value) => value === 'sealed')).toBe(true);
    // Made in one turn of the event loop, the 50 reads share one PING (the overdue heartbeat sends one more).
    expect(await redis.calls('ping')).toBeLessThanOrEqual(pings + 3);
  });

  it('a flush of the database (a null invalidation) empties the cache for reads made the lag bound later', async () => {
    await a.set('flushed', 'sealed', 60_000);
    expect(await b.get('flushed', SESSION)).toBe('sealed');
    expect(await b.get('flushed', SESSION)).toBe('sealed');
    // A write outside the stores waits for nobody: it is seen by reads that begin maxLagMs after it.
    await redis.admin.flushall();
    await sleep(MAX_LAG_MS + 1);
    expect(await b.get('flushed', SESSION)).toBeUndefined();
    // The flush removed the announcement; B makes it again with its next heartbeat.
    await vi.waitFor(async () => expect(await redis.admin.get('latchkey:bff:local-cache:max-lag-ms')).toBe(String(MAX_LAG_MS)), {
      timeout: 5_000,
    });
  });

  it('rolling reads go to Redis and restart the TTL there', async () => {
    await a.set('rolling', 'sealed', 1_000);
    const getexes = await redis.calls('getex');
    expect(await b.get('rolling', { ttlMs: 60_000, rolling: true })).toBe('sealed');
    expect(await b.get('rolling', { ttlMs: 60_000, rolling: true })).toBe('sealed');
    expect(await redis.calls('getex')).toBe(getexes + 2);
    expect(await redis.admin.pttl('latchkey:bff:rolling')).toBeGreaterThan(1_000);
  });

  it('a Redis that stops answering fails cached reads with store_unavailable, never the cached value', async () => {
    await a.set('stalled', 'sealed', 60_000);
    expect(await b.get('stalled', SESSION)).toBe('sealed');
    expect(await b.get('stalled', SESSION)).toBe('sealed');
    redis.pause();
    try {
      // Within the lag bound of the last heartbeat answer a cached value is still current: no write can
      // have completed since. Past it, reads need Redis.
      await sleep(MAX_LAG_MS + 1);
      const reads = await Promise.allSettled(Array.from({ length: 5 }, () => b.get('stalled', SESSION)));
      for (const read of reads) {
        expect(read.status).toBe('rejected');
        if (read.status === 'rejected') expect(read.reason).toMatchObject({ code: 'store_unavailable' });
      }
      // Reads made while the first fence is still out fail too.
      await expect(b.get('stalled', SESSION)).rejects.toMatchObject({ code: 'store_unavailable' });
    } finally {
      redis.resume();
    }
    expect(await b.get('stalled', SESSION)).toBe('sealed');
  });
});
