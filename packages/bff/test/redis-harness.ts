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
 * `count` connections and a fresh key prefix for the enclosing `describe`: the connections open before its
 * tests; after them its keys are deleted and the connections closed.
 */
function connectionsForDescribe(label: string, count: number): { prefix: string; opened(): Redis[] } {
  const prefix = uniquePrefix(label);
  let opened: Redis[] = [];
  beforeAll(() => {
    opened = Array.from({ length: count }, redisClient);
  });
  afterAll(async () => {
    const [first] = opened;
    if (first !== undefined) await deleteKeys(first, prefix);
    await Promise.all(opened.map((connection) => connection.quit()));
  });
  return { prefix, opened: () => opened };
}

/** One connection and a fresh key prefix for the enclosing `describe` (see `connectionsForDescribe`). */
export function oneRedisConnection(label: string): { prefix: string; connection(): Redis } {
  const { prefix, opened } = connectionsForDescribe(label, 1);
  return { prefix, connection: () => opened()[0] as Redis };
}

/** Two connections, as two BFF instances would hold, and a fresh key prefix for the enclosing `describe`. */
export function twoRedisConnections(label: string): { prefix: string; connections(): [Redis, Redis] } {
  const { prefix, opened } = connectionsForDescribe(label, 2);
  return { prefix, connections: () => opened() as [Redis, Redis] };
}
