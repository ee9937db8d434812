import { checkPrefix, openRedisConnection, type RedisConnectionOptions } from './redis-connection.js';
import type { SessionStore, TransactionCache } from './session-store.js';
import { withLocalCache, type RedisLocalCacheOptions } from './redis-session-cache.js';

export interface RedisStoreOptions extends RedisConnectionOptions {
  /** Prepended to every key, so several apps can share one Redis database. Default `latchkey:bff:`. */
  prefix?: string;
  /** Keep session values in this instance's memory until Redis says they changed. Default: off. */
  localCache?: RedisLocalCacheOptions;
}

/** A session store and transaction cache several BFF instances share. */
export interface RedisStore extends SessionStore, TransactionCache {
  /** Ends the connection the store opened from `url` (a given `client` stays open). */
  close(): Promise<void>;
}

/** Redis `PX` takes whole milliseconds of at least 1. */
const wholeMs = (ttlMs: number) => Math.max(1, Math.ceil(ttlMs));

// ARGV: '1' to expect an absent key (else '0' and the expected value), the new value, its TTL.
const COMPARE_AND_SET = `local current = redis.call('get', KEYS[1])
if ARGV[1] == '1' then
  if current then return 0 end
elseif current ~= ARGV[2] then
  return 0
end
redis.call('set', KEYS[1], ARGV[3], 'PX', ARGV[4])
return 1`;

/**
 * Sessions and login transactions in Redis, so any BFF instance can serve any request. Values are
 * the BFF's sealed strings; expiry is Redis's own (`PX`), so no instance runs a sweeper. Rolling
 * sessions restart their TTL with `GETEX` (Redis 6.2+) in the same round trip as the read, and a
 * transaction is taken with `GETDEL`, so two callbacks racing on two instances cannot both get it.
 * Session writes compare and set in one script. Every command fails with `store_unavailable` after
 * `commandTimeoutMs`.
 */
export function createRedisStore(options: RedisStoreOptions): RedisStore {
  const prefix = checkPrefix(options.prefix ?? 'latchkey:bff:');
  const connection = openRedisConnection(options);
  const redis = connection.client;
  const key = (id: string) => `${prefix}${id}`;

  const run = connection.command;

  const store: RedisStore = {
    async get(id, { ttlMs, rolling }) {
      const value = await run(() => (rolling ? redis.getex(key(id), 'PX', wholeMs(ttlMs)) : redis.get(key(id))));
      return value ?? undefined;
    },
    async set(id, value, ttlMs) {
      // A TTL already spent stores nothing, as an entry that expired at once would.
      if (!(ttlMs > 0)) {
        await run(() => redis.del(key(id)));
        return;
      }
      await run(() => redis.set(key(id), value, 'PX', wholeMs(ttlMs)));
    },
    async destroy(id) {
      await run(() => redis.del(key(id)));
    },
    async take(id) {
      const value = await run(() => redis.getdel(key(id)));
      return value ?? undefined;
    },
    async compareAndSet(id, expected, value, ttlMs) {
      if (!(ttlMs > 0)) return false;
      const absent = expected === undefined ? '1' : '0';
      const done = await run(() => redis.eval(COMPARE_AND_SET, 1, key(id), absent, expected ?? '', value, String(wholeMs(ttlMs))));
      return done === 1;
    },
    close: () => connection.close(),
  };
  return options.localCache === undefined ? store : withLocalCache(store, { ...options, prefix, localCache: options.localCache });
}
