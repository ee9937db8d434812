import { ConfigurationError } from '@latchkey/common';
import { boundedCall } from './bounded-call.js';
import { DEFAULT_COMMAND_TIMEOUT_MS, type RedisConnectionOptions } from './redis-connection.js';
import { CachedValues } from './redis-session-cache-entries.js';
import { createSharedFence } from './redis-session-cache-fence.js';
import { createFreshnessLease } from './redis-session-cache-lease.js';
import { openTracking } from './redis-session-cache-tracking.js';
import { MAX_LAG_BOUND_MS } from './redis-lag-bound.js';
import type { RedisStore } from './redis-store.js';

/** The Redis store's `localCache` option. */
export interface RedisLocalCacheOptions {
  /** Most session values this instance keeps in memory; the least recently used go first. */
  maxEntries: number;
  /**
   * How far behind Redis this instance's memory may be, in milliseconds (1 to 1000). Every write that
   * changes or ends a session, on any instance sharing the prefix, waits this long before it resolves,
   * and this instance answers from memory without asking Redis only while it knows it has heard of
   * every change made longer ago than this. Default 50.
   */
  maxLagMs?: number;
}

/** What `createRedisStore` gives the cache besides its options: announcing the lag bound on the store's connection. */
interface LocalCacheParts {
  announceLagBound(maxLagMs: number, ttlMs: number): Promise<unknown>;
}

/**
 * Keeps session values read from Redis in this instance's memory, so a proxied call on an unchanged
 * session costs no read of its own, while a write or logout on any instance is seen by the next
 * request on every other.
 *
 * Values are read on a connection with Redis client-side caching on (see `openTracking`); Redis tells
 * us of every later change to a key read there. Such a message is sent when the change is made, but
 * nothing orders its arrival before a request that the change's answer led to (a browser logging out
 * on instance A, then calling instance B). Two things close that gap. Usually the lease
 * (`createFreshnessLease`): every write waits out the announced `maxLagMs` before it is answered, and a
 * heartbeat PING proves this instance is less than that behind, so the read is answered from memory at
 * once. Otherwise (the lease not yet started, a heartbeat late) the read awaits a fence: a PING on the
 * invalidation connection, sent after the read began, whose answer comes after every message Redis
 * sent before it; reads in flight together share one (`createSharedFence`). A value read while a
 * message about its key is on the way is not kept (`pending`); a value read before a connection drop
 * is not kept either, and a drop empties the cache, since messages may have been lost.
 *
 * Rolling reads (`GETEX`) bypass the cache: Redis does not track the keys a `GETEX` reads, and every
 * TTL change invalidates the key on every instance, so a cached rolling read could not both keep the
 * TTL rolling and stay cached. The BFF itself reads sessions without rolling (their idle expiry is in
 * the sealed record, renewed by writes); a value is kept no longer than the TTL Redis gave with it.
 */
export function withLocalCache(
  store: RedisStore,
  options: RedisConnectionOptions & { prefix: string; localCache: RedisLocalCacheOptions } & LocalCacheParts,
): RedisStore {
  const { maxEntries, maxLagMs = 50 } = options.localCache;
  if (!Number.isInteger(maxEntries) || maxEntries <= 0) {
    throw new ConfigurationError('localCache', 'localCache.maxEntries must be a positive whole number.');
  }
  if (!Number.isInteger(maxLagMs) || maxLagMs <= 0 || maxLagMs > MAX_LAG_BOUND_MS) {
    throw new ConfigurationError('localCache', `localCache.maxLagMs must be a whole number of milliseconds from 1 to ${MAX_LAG_BOUND_MS}.`);
  }
  const timeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  const values = new CachedValues(maxEntries);
  /**
   * Keys being read, one marker per key shared by the reads in flight (a marker per read would let each
   * new read void the one before, and under steady load nothing would ever be kept). A message about
   * the key drops its marker: no read that was in flight then keeps its value.
   */
  const pending = new Map<string, { reads: number }>();
  const forget = (key: string) => {
    values.delete(key);
    pending.delete(key);
  };
  const tracking = openTracking(options, {
    invalidate(keys) {
      for (const key of keys) forget(key);
    },
    flushAll() {
      values.clear();
      pending.clear();
      // A flush removed the announcement too, and a dropped connection may have lost invalidations.
      lease.end();
    },
  });
  const fence = createSharedFence(() => tracking.invalidations.ping(), timeoutMs);
  const lease = createFreshnessLease({
    maxLagMs,
    ping: () => tracking.invalidations.ping(),
    announce: options.announceLagBound,
    trackingOn: tracking.isOn,
    epoch: tracking.epoch,
  });
  const { reader } = tracking;
  const keyOf = (id: string) => `${options.prefix}${id}`;

  /** Reads on the tracked connection and keeps the value if nothing changed it meanwhile. */
  const fill = async (key: string, epoch: number): Promise<string | undefined> => {
    let marker = pending.get(key);
    if (marker === undefined) {
      marker = { reads: 0 };
      pending.set(key, marker);
    }
    marker.reads += 1;
    const sentAt = Date.now();
    try {
      const [value, ttlMs] = await boundedCall(() => Promise.all([reader.get(key), reader.pttl(key)]), timeoutMs);
      // PTTL -1: no expiry; -2: no key (the value is null then).
      if (value !== null && pending.get(key) === marker && tracking.epoch() === epoch && ttlMs !== -2) {
        values.set(key, { value, expiresAt: ttlMs === -1 ? Number.POSITIVE_INFINITY : sentAt + ttlMs });
      }
      return value ?? undefined;
    } finally {
      marker.reads -= 1;
      if (marker.reads === 0 && pending.get(key) === marker) pending.delete(key);
    }
  };

  /** Runs a write through the store; whatever this instance held for the key is dropped before and after. */
  const writing = async <T>(id: string, write: () => Promise<T>): Promise<T> => {
    const key = keyOf(id);
    forget(key);
    try {
      return await write();
    } finally {
      forget(key);
    }
  };

  const compareAndSet = store.compareAndSet?.bind(store);
  return {
    async get(id, read) {
      if (read.rolling) return writing(id, () => store.get(id, read));
      tracking.start();
      lease.use();
      if (!tracking.isOn()) return store.get(id, read);
      const key = keyOf(id);
      const epoch = tracking.epoch();
      const cached = values.get(key, Date.now());
      if (cached !== undefined && lease.current()) return cached;
      if (cached !== undefined) {
        try {
          await fence.wait();
        } catch (error) {
          // A fence lost with its connection says nothing of Redis: read there. One unanswered is Redis's.
          if (tracking.epoch() === epoch) throw error;
        }
        if (tracking.epoch() !== epoch) return store.get(id, read);
        // Looked up again: an invalidation that arrived before the fence's answer has dropped it.
        const value = values.get(key, Date.now());
        if (value !== undefined) return value;
      }
      return fill(key, epoch);
    },
    set: (id, value, ttlMs) => writing(id, () => store.set(id, value, ttlMs)),
    destroy: (id) => writing(id, () => store.destroy(id)),
    take: (id) => writing(id, () => store.take(id)),
    ...(compareAndSet === undefined
      ? {}
      : { compareAndSet: (id, expected, value, ttlMs) => writing(id, () => compareAndSet(id, expected, value, ttlMs)) }),
    async close() {
      lease.close();
      await tracking.close();
      await store.close();
    },
  };
}
