import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore, type RedisStore } from '@latchkey/bff/redis';
import { REDIS_URL, redisGate } from '../../../test-support/services.js';
import { deleteKeys, redisClient, uniquePrefix } from './redis-harness.js';

const enabled = await redisGate();

const SESSION = { ttlMs: 0, rolling: false };
const TRIALS = 1_000;

/**
 * Two BFF instances' Redis stores, A plain and B with the local cache, on the tests' Redis. B keeps
 * what it reads in memory; whatever A changes, B's very next read must see, with no delay in between:
 * no invalidation message is awaited by the test, only by B itself.
 */
describe.runIf(enabled)('the Redis store with a local cache, seen from another instance', () => {
  const prefix = uniquePrefix('session-cache');
  /** B's connections carry this name, so the test can find them in CLIENT LIST and kill them. */
  const bName = `session-cache-b-${randomUUID()}`;
  let a: RedisStore;
  let b: RedisStore;
  let admin: Redis;

  beforeAll(() => {
    admin = redisClient();
    a = createRedisStore({ url: REDIS_URL, prefix });
    b = createRedisStore({
      url: REDIS_URL,
      prefix,
      localCache: { maxEntries: 1_000, maxLagMs: 5 },
      redisOptions: { connectionName: bName },
    });
  });
  afterAll(async () => {
    await deleteKeys(admin, prefix);
    await Promise.all([a.close(), b.close()]);
    await admin.quit();
  });

  /** B's connection that is subscribed to the invalidations, or the one whose reads are tracked. */
  async function bConnection(which: 'invalidations' | 'reader'): Promise<string> {
    const list = String(await admin.client('LIST'));
    const lines = list.split('\n').filter((line) => line.includes(` name=${bName} `));
    const line = lines.find((l) => (which === 'invalidations' ? / sub=1 /.test(l) : / redir=(?!-1 )\d+ /.test(l)));
    const id = line === undefined ? undefined : /^id=(\d+) /.exec(line)?.[1];
    if (id === undefined) throw new Error(`B's ${which} connection is not in CLIENT LIST`);
    return id;
  }

  /** B reads `id` until tracking is on again (a read through the store while it is off is uncached). */
  async function untilTracked(id: string): Promise<void> {
    for (let attempt = 0; attempt < 200; attempt += 1) {
      await b.get(id, SESSION);
      try {
        await bConnection('reader');
        await bConnection('invalidations');
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  }

  it(`a logout on A is seen by B's next read, ${TRIALS} times in a row`, async () => {
    let stale = 0;
    let served = 0;
    for (let i = 0; i < TRIALS; i += 1) {
      const id = `logout-${i % 50}`;
      const value = `sealed-${i}`;
      await a.set(id, value, 60_000);
      if ((await b.get(id, SESSION)) === value) served += 1;
      // Read again: from B's memory once tracking is on.
      if ((await b.get(id, SESSION)) === value) served += 1;
      await a.destroy(id);
      if ((await b.get(id, SESSION)) !== undefined) stale += 1;
    }
    expect(stale).toBe(0);
    expect(served).toBe(2 * TRIALS);
  });

  it(`a compare-and-set on A is seen by B's next read, ${TRIALS} times in a row`, async () => {
    let stale = 0;
    for (let i = 0; i < TRIALS; i += 1) {
      const id = `write-${i % 50}`;
      await a.set(id, `old-${i}`, 60_000);
      await b.get(id, SESSION);
      await b.get(id, SESSION);
      expect(await a.compareAndSet?.(id, `old-${i}`, `new-${i}`, 60_000)).toBe(true);
      if ((await b.get(id, SESSION)) !== `new-${i}`) stale += 1;
    }
    expect(stale).toBe(0);
  });

  it('reads in flight together share the fence, and all see a logout that answered before they began', async () => {
    let stale = 0;
    for (let i = 0; i < 300; i += 1) {
      const id = `burst-${i % 20}`;
      await a.set(id, `sealed-${i}`, 60_000);
      const before = await Promise.all(Array.from({ length: 10 }, () => b.get(id, SESSION)));
      expect(before).toEqual(Array.from({ length: 10 }, () => `sealed-${i}`));
      await a.destroy(id);
      const after = await Promise.all(Array.from({ length: 10 }, () => b.get(id, SESSION)));
      stale += after.filter((value) => value !== undefined).length;
    }
    expect(stale).toBe(0);
  });

  it("B's own writes are read back by B at once", async () => {
    for (let i = 0; i < 200; i += 1) {
      const id = `own-${i % 10}`;
      await b.set(id, `first-${i}`, 60_000);
      expect(await b.get(id, SESSION)).toBe(`first-${i}`);
      expect(await b.compareAndSet?.(id, `first-${i}`, `second-${i}`, 60_000)).toBe(true);
      expect(await b.get(id, SESSION)).toBe(`second-${i}`);
      await b.destroy(id);
      expect(await b.get(id, SESSION)).toBeUndefined();
    }
  });

  for (const which of ['invalidations', 'reader'] as const) {
    it(`a killed ${which === 'invalidations' ? 'invalidation' : 'tracking'} connection empties B's cache, and B answers correctly throughout`, async () => {
      for (let round = 0; round < 20; round += 1) {
        const id = `killed-${which}-${round}`;
        await a.set(id, 'kept', 60_000);
        await untilTracked(id);
        expect(await b.get(id, SESSION)).toBe('kept');
        await admin.client('KILL', 'ID', await bConnection(which));
        // Changed while B's tracking is down: no invalidation reaches B for this.
        await a.set(id, 'changed', 60_000);
        expect(await b.get(id, SESSION)).toBe('changed');
        await a.destroy(id);
        expect(await b.get(id, SESSION)).toBeUndefined();
      }
      // Tracking is on again, redirected to the new connection: logouts on A still reach B.
      let stale = 0;
      for (let i = 0; i < 500; i += 1) {
        const id = `after-kill-${which}-${i % 10}`;
        await a.set(id, `v${i}`, 60_000);
        await b.get(id, SESSION);
        await b.get(id, SESSION);
        await a.destroy(id);
        if ((await b.get(id, SESSION)) !== undefined) stale += 1;
      }
      expect(stale).toBe(0);
    });
  }

  it('refuses a maxEntries that is not a positive whole number', () => {
    for (const maxEntries of [0, -1, 1.5, Number.NaN]) {
      expect(() => createRedisStore({ url: REDIS_URL, prefix, localCache: { maxEntries } })).toThrow(
        expect.objectContaining({ code: 'configuration_error', option: 'localCache' }),
      );
    }
  });
});
