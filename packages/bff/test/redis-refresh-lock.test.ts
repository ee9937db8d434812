import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { REDIS_URL, redisGate } from '../../../test-support/services.js';
import { createRedisRefreshLock, type RedisRefreshLock } from '../src/stores/redis-refresh-lock.js';
import { twoRedisConnections } from './redis-harness.js';

const enabled = await redisGate();

/** A promise with its resolver, to order steps across "instances" without timing. */
function signal<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 500; attempt += 1) {
    if (await check()) return;
    await sleep(5);
  }
  throw new Error('condition never held');
}

describe.runIf(enabled)('createRedisRefreshLock against Redis on 127.0.0.1:6379', () => {
  const redis = twoRedisConnections('lock');
  const { prefix } = redis;
  let connectionA: Redis;
  let connectionB: Redis;
  let lockA: RedisRefreshLock;
  let lockB: RedisRefreshLock;

  beforeAll(() => {
    [connectionA, connectionB] = redis.connections();
    lockA = createRedisRefreshLock({ client: connectionA, prefix });
    lockB = createRedisRefreshLock({ client: connectionB, prefix });
  });

  it('lets one holder at a time run, across two connections (two instances)', async () => {
    let running = 0;
    let most = 0;
    let done = 0;
    const task = async () => {
      running += 1;
      most = Math.max(most, running);
      await sleep(3);
      running -= 1;
      done += 1;
      return done;
    };
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) => (index % 2 === 0 ? lockA : lockB).withLock('session:s1:p', task)),
    );
    expect(most).toBe(1);
    expect(new Set(results).size).toBe(20);
    expect(await connectionA.exists(`${prefix}session:s1:p`)).toBe(0);
  });

  it('does not serialize different keys', async () => {
    const inside = signal();
    const first = lockA.withLock('key-one', async () => {
      await inside.promise;
      return 'one';
    });
    // Runs while key-one is held; would deadlock if keys shared a lock.
    const second = await lockB.withLock('key-two', async () => 'two');
    inside.resolve();
    expect([await first, second]).toEqual(['one', 'two']);
  });

  it('keeps the lock in Redis with a random token and a TTL while the task runs', async () => {
    const lock = createRedisRefreshLock({ client: connectionA, prefix, lockTtlMs: 10_000 });
    let seen: { value: string | null; pttl: number } | undefined;
    await lock.withLock('inspect', async () => {
      seen = { value: await connectionA.get(`${prefix}inspect`), pttl: await connectionA.pttl(`${prefix}inspect`) };
    });
    expect(seen?.value).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(seen?.pttl).toBeGreaterThan(0);
    expect(seen?.pttl).toBeLessThanOrEqual(10_000);
    expect(await connectionA.exists(`${prefix}inspect`)).toBe(0);
  });

  it('a late release never frees a lock that expired and was taken by another instance', async () => {
    const shortA = createRedisRefreshLock({ client: connectionA, prefix, lockTtlMs: 40 });
    const key = `${prefix}expiring`;
    const aInside = signal();
    const aMayFinish = signal();
    const bInside = signal();
    const bMayFinish = signal();

    const a = shortA.withLock('expiring', async () => {
      aInside.resolve();
      await aMayFinish.promise;
      return 'a';
    });
    await aInside.promise;
    const tokenA = await connectionA.get(key);
    // A's task outlives its lock TTL (a stalled instance); B then takes the lock.
    await until(async () => (await connectionA.exists(key)) === 0);
    const b = lockB.withLock('expiring', async () => {
      bInside.resolve();
      await bMayFinish.promise;
      return 'b';
    });
    await bInside.promise;
    const tokenB = await connectionB.get(key);
    expect(tokenB).not.toBeNull();
    expect(tokenB).not.toBe(tokenA);

    aMayFinish.resolve();
    expect(await a).toBe('a');
    // A's release ran: B's lock must still be there, with B's token.
    expect(await connectionA.get(key)).toBe(tokenB);

    // And a third caller still has to wait for B.
    let cRan = false;
    const c = lockA.withLock('expiring', async () => {
      cRan = true;
    });
    await sleep(30);
    expect(cRan).toBe(false);
    bMayFinish.resolve();
    expect(await b).toBe('b');
    await c;
    expect(cRan).toBe(true);
    expect(await connectionA.exists(key)).toBe(0);
  });

  it('takes over a lock whose holder died, once its TTL runs out', async () => {
    // An instance that crashed mid-refresh left its lock behind.
    await connectionA.set(`${prefix}orphan`, 'dead-instance-token', 'PX', 60);
    const result = await lockB.withLock('orphan', async () => 'took over');
    expect(result).toBe('took over');
    expect(await connectionA.exists(`${prefix}orphan`)).toBe(0);
  });

  it('gives up with upstream_timeout after maxWaitMs, leaving the holder its lock', async () => {
    await connectionA.set(`${prefix}held`, 'other-token', 'PX', 60_000);
    const impatient = createRedisRefreshLock({ client: connectionB, prefix, maxWaitMs: 50 });
    let ran = false;
    await expect(
      impatient.withLock('held', async () => {
        ran = true;
      }),
    ).rejects.toMatchObject({ code: 'upstream_timeout' });
    expect(ran).toBe(false);
    expect(await connectionA.get(`${prefix}held`)).toBe('other-token');
  });

  it('releases the lock when the task fails, and passes the failure on', async () => {
    const failure = new Error('refresh failed');
    await expect(lockA.withLock('failing', async () => Promise.reject(failure))).rejects.toBe(failure);
    expect(await connectionA.exists(`${prefix}failing`)).toBe(0);
    expect(await lockB.withLock('failing', async () => 'next')).toBe('next');
  });

  it('connects lazily from a url and closes its own connection', async () => {
    const owned = createRedisRefreshLock({ url: REDIS_URL, prefix });
    expect(await owned.withLock('url', async () => 42)).toBe(42);
    await owned.close();
    await lockA.close();
    expect(await connectionA.ping()).toBe('PONG');
  });
});

describe('createRedisRefreshLock options', () => {
  it('checks its numbers and its connection', () => {
    expect(() => createRedisRefreshLock({ url: REDIS_URL, lockTtlMs: 0 })).toThrow(
      expect.objectContaining({ code: 'configuration_error', option: 'lockTtlMs' }),
    );
    expect(() => createRedisRefreshLock({ url: REDIS_URL, retryDelayMs: 100, maxRetryDelayMs: 10 })).toThrow(
      expect.objectContaining({ option: 'maxRetryDelayMs' }),
    );
    expect(() => createRedisRefreshLock({})).toThrow(expect.objectContaining({ option: 'client' }));
  });
});
