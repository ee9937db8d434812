import { checkPrefix, openRedisConnection, type RedisConnectionOptions } from './redis-connection.js';
import type { SessionStore, TransactionCache } from './session-store.js';
import { withLocalCache, type RedisLocalCacheOptions } from './redis-session-cache.js';
import { ANNOUNCE_SCRIPT, LAG_BOUND_KEY, waitOutLag } from './redis-lag-bound.js';

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

// Every write script answers with the lag bound instances with a local cache announced (KEYS[2]) when
// it changed or removed a value, and nothing (false) when it did not: no instance can hold a value of a
// key that had none, so creating one waits for nobody (see redis-lag-bound.ts).

// ARGV: '1' to expect an absent key (else '0' and the expected value), the new value, its TTL.
const COMPARE_AND_SET = `local current = redis.call('get', KEYS[1])
if ARGV[1] == '1' then
  if current then return {0} end
elseif current ~= ARGV[2] then
  return {0}
end
redis.call('set', KEYS[1], ARGV[3], 'PX', ARGV[4])
if ARGV[1] == '1' then return {1} end
return {1, redis.call('get', KEYS[2])}`;

// ARGV: the value, its TTL.
const SET = `local existed = redis.call('exists', KEYS[1])
redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
if existed == 0 then return false end
return redis.call('get', KEYS[2])`;

const DESTROY = `if redis.call('del', KEYS[1]) == 0 then return false end
return redis.call('get', KEYS[2])`;

const TAKE = `local value = redis.call('getdel', KEYS[1])
if not value then return {} end
return {value, redis.call('get', KEYS[2])}`;

/** A script's array reply (Lua drops a trailing nil from a table, so members may be missing). */
const replyList = (reply: unknown): unknown[] => (Array.isArray(reply) ? reply : []);

/**
 * Sessions and login transactions in Redis, so any BFF instance can serve any request. Values are
 * the BFF's sealed strings; expiry is Redis's own (`PX`), so no instance runs a sweeper. Rolling
 * sessions restart their TTL with `GETEX` (Redis 6.2+) in the same round trip as the read, and a
 * transaction is taken with `GETDEL`, so two callbacks racing on two instances cannot both get it.
 * Session writes compare and set in one script. A write that changed or removed a value waits out the lag
 * bound announced by instances with a local cache before it resolves. Every command fails with
 * `store_unavailable` after `commandTimeoutMs`.
 */
export function createRedisStore(options: RedisStoreOptions): RedisStore {
  const prefix = checkPrefix(options.prefix ?? 'latchkey:bff:');
  const connection = openRedisConnection(options);
  const redis = connection.client;
  const key = (id: string) => `${prefix}${id}`;
  const lagBoundKey = key(LAG_BOUND_KEY);

  const run = connection.command;
  const destroy = async (id: string) => {
    await waitOutLag(await run(() => redis.eval(DESTROY, 2, key(id), lagBoundKey)));
  };

  const store: RedisStore = {
    async get(id, { ttlMs, rolling }) {
      const value = await run(() => (rolling ? redis.getex(key(id), 'PX', wholeMs(ttlMs)) : redis.get(key(id))));
      return value ?? undefined;
    },
    async set(id, value, ttlMs) {
      // A TTL already spent stores nothing, as an entry that expired at once would.
      if (!(ttlMs > 0)) return destroy(id);
      await waitOutLag(await run(() => redis.eval(SET, 2, key(id), lagBoundKey, value, String(wholeMs(ttlMs)))));
    },
    destroy,
    async take(id) {
      const [value, lagBound] = replyList(await run(() => redis.eval(TAKE, 2, key(id), lagBoundKey)));
      await waitOutLag(lagBound);
      return typeof value === 'string' ? value : undefined;
    },
    async compareAndSet(id, expected, value, ttlMs) {
      if (!(ttlMs > 0)) return false;
      const absent = expected === undefined ? '1' : '0';
      const [done, lagBound] = replyList(
        await run(() => redis.eval(COMPARE_AND_SET, 2, key(id), lagBoundKey, absent, expected ?? '', value, String(wholeMs(ttlMs)))),
      );
      await waitOutLag(lagBound);
      return done === 1;
    },
    close: () => connection.close(),
  };
  if (options.localCache === undefined) return store;
  return withLocalCache(store, {
    ...options,
    prefix,
    localCache: options.localCache,
    announceLagBound: (maxLagMs, ttlMs) => run(() => redis.eval(ANNOUNCE_SCRIPT, 1, lagBoundKey, String(maxLagMs), String(ttlMs))),
  });
}
