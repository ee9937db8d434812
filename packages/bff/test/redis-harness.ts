import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { REDIS_URL } from '../../../test-support/services.js';

/** A key prefix no other test run shares, so parallel runs and leftovers never collide. */
export function uniquePrefix(label: string): string {
  return `latchkey-test:${label}:${randomUUID()}:`;
}

export function redisClient(): Redis {
  return new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2 });
}

/** Deletes every key under `prefix` (SCAN, never KEYS). */
export async function deleteKeys(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

/**
 * Two connections, as two BFF instances would hold, and a fresh key prefix for the enclosing `describe`:
 * the connections open before its tests; after them its keys are deleted and both connections closed.
 */
export function twoRedisConnections(label: string): { prefix: string; connections(): [Redis, Redis] } {
  const prefix = uniquePrefix(label);
  let connections: [Redis, Redis] | undefined;
  beforeAll(() => {
    connections = [redisClient(), redisClient()];
  });
  afterAll(async () => {
    if (connections === undefined) return;
    await deleteKeys(connections[0], prefix);
    await connections[0].quit();
    await connections[1].quit();
  });
  return { prefix, connections: () => connections as [Redis, Redis] };
}
