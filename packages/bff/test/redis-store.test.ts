import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import { REDIS_URL, redisGate } from '../../../test-support/services.js';
import { createRedisStore, type RedisStore } from '../src/stores/redis-store.js';
import { redisClient, twoRedisConnections } from './redis-harness.js';

const enabled = await redisGate();

/** A local port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe.runIf(enabled)('createRedisStore against Redis on 127.0.0.1:6379', () => {
  const redis = twoRedisConnections('store');
  const { prefix } = redis;
  let raw: Redis;
  let store: RedisStore;
  let storeOnOtherConnection: RedisStore;

  beforeAll(() => {
    raw = redis.connections()[0];
    store = createRedisStore({ client: raw, prefix });
    storeOnOtherConnection = createRedisStore({ client: redis.connections()[1], prefix });
  });

  it('stores a value under the prefix with the TTL given, and reads it back', async () => {
    await store.set('s1', 'sealed-value', 60_000);
    expect(await store.get('s1', { ttlMs: 60_000, rolling: false })).toBe('sealed-value');
    expect(await raw.get(`${prefix}s1`)).toBe('sealed-value');
    const pttl = await raw.pttl(`${prefix}s1`);
    expect(pttl).toBeGreaterThan(0);
    expect(pttl).toBeLessThanOrEqual(60_000);
    expect(await store.get('absent', { ttlMs: 60_000, rolling: false })).toBeUndefined();
  });

  it('forgets a value once its TTL has passed', async () => {
    await store.set('short', 'v', 20);
    await sleep(120);
    expect(await store.get('short', { ttlMs: 20, rolling: false })).toBeUndefined();
    expect(await raw.exists(`${prefix}short`)).toBe(0);
  });

  it('stores nothing for a TTL that is already spent', async () => {
    await store.set('spent', 'old', 60_000);
    await store.set('spent', 'new', 0);
    expect(await raw.exists(`${prefix}spent`)).toBe(0);
  });

  it('restarts the TTL on a rolling read and leaves it alone otherwise', async () => {
    await store.set('rolling', 'v', 60_000);
    // Stand in for time passing: the entry has almost expired.
    await raw.pexpire(`${prefix}rolling`, 5_000);
    expect(await store.get('rolling', { ttlMs: 60_000, rolling: false })).toBe('v');
    expect(await raw.pttl(`${prefix}rolling`)).toBeLessThanOrEqual(5_000);
    expect(await store.get('rolling', { ttlMs: 60_000, rolling: true })).toBe('v');
    expect(await raw.pttl(`${prefix}rolling`)).toBeGreaterThan(5_000);
  });

  it('a rolling read of an absent session creates nothing', async () => {
    expect(await store.get('never', { ttlMs: 60_000, rolling: true })).toBeUndefined();
    expect(await raw.exists(`${prefix}never`)).toBe(0);
  });

  it('replaces a value and its TTL on set, and destroys it', async () => {
    await store.set('s2', 'one', 60_000);
    await store.set('s2', 'two', 120_000);
    expect(await store.get('s2', { ttlMs: 1, rolling: false })).toBe('two');
    expect(await raw.pttl(`${prefix}s2`)).toBeGreaterThan(60_000);
    await store.destroy('s2');
    expect(await store.get('s2', { ttlMs: 1, rolling: false })).toBeUndefined();
  });

  it('is shared: what one connection writes, another reads and destroys', async () => {
    await store.set('shared', 'v', 60_000);
    expect(await storeOnOtherConnection.get('shared', { ttlMs: 60_000, rolling: true })).toBe('v');
    await storeOnOtherConnection.destroy('shared');
    expect(await store.get('shared', { ttlMs: 60_000, rolling: false })).toBeUndefined();
  });

  it('take returns a transaction once, even to 40 concurrent takers on two connections', async () => {
    await store.set('latchkey:tx:p:state-1', 'transaction', 60_000);
    const takes = Array.from({ length: 40 }, (_, index) =>
      (index % 2 === 0 ? store : storeOnOtherConnection).take('latchkey:tx:p:state-1'),
    );
    const results = await Promise.all(takes);
    expect(results.filter((value) => value === 'transaction')).toHaveLength(1);
    expect(results.filter((value) => value === undefined)).toHaveLength(39);
    expect(await raw.exists(`${prefix}latchkey:tx:p:state-1`)).toBe(0);
  });

  it('take of an unknown or expired key returns undefined', async () => {
    expect(await store.take('nope')).toBeUndefined();
    await store.set('gone', 'v', 10);
    await sleep(80);
    expect(await store.take('gone')).toBeUndefined();
  });

  it('keeps stores with different prefixes apart', async () => {
    const elsewhere = createRedisStore({ client: raw, prefix: `${prefix}elsewhere:` });
    await store.set('same-id', 'mine', 60_000);
    expect(await elsewhere.get('same-id', { ttlMs: 60_000, rolling: false })).toBeUndefined();
  });

  it('opens its own lazy connection from a url and closes it', async () => {
    const owned = createRedisStore({ url: REDIS_URL, prefix });
    await owned.set('from-url', 'v', 60_000);
    expect(await store.get('from-url', { ttlMs: 60_000, rolling: false })).toBe('v');
    await owned.close();
    // A given client is never closed by the store.
    await store.close();
    expect(await raw.ping()).toBe('PONG');
  });

  it('fails with store_unavailable when Redis cannot be reached', async () => {
    const port = await closedPort();
    const down = createRedisStore({
      url: `redis://127.0.0.1:${port}`,
      prefix,
      redisOptions: { maxRetriesPerRequest: 0, retryStrategy: () => null },
    });
    await expect(down.get('x', { ttlMs: 1000, rolling: false })).rejects.toMatchObject({ code: 'store_unavailable' });
    await down.close();
  });
});

describe('createRedisStore options', () => {
  it('needs exactly one of client or url', () => {
    expect(() => createRedisStore({})).toThrow(expect.objectContaining({ code: 'configuration_error', option: 'client' }));
    expect(() => createRedisStore({ url: REDIS_URL, client: redisClient() })).toThrow(
      expect.objectContaining({ code: 'configuration_error' }),
    );
  });

  it('refuses a prefix with spaces or an empty one', () => {
    expect(() => createRedisStore({ url: REDIS_URL, prefix: 'has space' })).toThrow(
      expect.objectContaining({ code: 'configuration_error', option: 'prefix' }),
    );
    expect(() => createRedisStore({ url: REDIS_URL, prefix: '' })).toThrow(expect.objectContaining({ option: 'prefix' }));
  });
});
