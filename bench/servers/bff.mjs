// The Latchkey BFF (@latchkey/bff, built dist) as an app mounts it: a Koa app with createBff. argv[2]
// is JSON: { store: 'memory' | 'redis', lock?: 'redis', redisUrl?, prefix?, maxEntries?, localCache?, countStore? }
// (localCache: the Redis store's local cache, its maxEntries).
// Providers are registered by command once the provider knows this server's redirect URIs. Commands:
// register(name, config), advanceClock(ms), memory() (after full collections when run with
// --expose-gc), storeStats() (with countStore: the sessions in the store and the bytes of their values).
import Koa from 'koa';
import { createBff, createMemoryStore, OAuthRegistry } from '@latchkey/bff';
import { serve } from '../lib/child.mjs';

const {
  store: storeKind = 'memory',
  lock: lockKind,
  redisUrl,
  maxEntries,
  localCache,
  prefix,
  countStore,
} = JSON.parse(process.argv[2] ?? '{}');
// The Redis entry point (and ioredis) loads only when this instance uses Redis.
const redis = storeKind === 'redis' || lockKind === 'redis' ? await import('@latchkey/bff/redis') : undefined;
const KEYS = ['bench-bff-key-0123456789abcdef0123456789abcdef'];

function createStore() {
  if (storeKind === 'memory') return createMemoryStore(maxEntries === undefined ? {} : { maxEntries });
  return redis.createRedisStore({ url: redisUrl, prefix, ...(localCache !== undefined && { localCache: { maxEntries: localCache } }) });
}

// Several instances sharing Redis also share the refresh lock, so one of them refreshes a token.
const refreshLock = lockKind === 'redis' ? redis.createRedisRefreshLock({ url: redisUrl, prefix: `${prefix}lock:` }) : undefined;

/**
 * Counts the live entries of a store and the length of their values without keeping anything per
 * entry (it asks the store itself whether a key exists), so the memory it measures is the store's.
 */
function counting(inner) {
  const stats = { live: 0, valueChars: 0 };
  const existing = (id) => inner.get(id, { ttlMs: 1, rolling: false });
  const forget = async (id) => {
    const old = await existing(id);
    if (old !== undefined) {
      stats.live--;
      stats.valueChars -= old.length;
    }
  };
  return {
    stats,
    store: {
      get: (id, options) => inner.get(id, options),
      async set(id, value, ttlMs) {
        await forget(id);
        await inner.set(id, value, ttlMs);
        stats.live++;
        stats.valueChars += value.length;
      },
      async destroy(id) {
        await forget(id);
        await inner.destroy(id);
      },
    },
  };
}

let skewMs = 0;
const counted = countStore ? counting(createStore()) : undefined;
const store = counted ? counted.store : createStore();
const registry = new OAuthRegistry({
  dangerouslyAllowInsecureHttp: true,
  env: {},
  now: () => Date.now() + skewMs,
  ...(refreshLock && { refreshLock }),
});

await serve(async () => {
  const app = new Koa();
  app.silent = true;
  app.use(createBff({ registry, keys: KEYS, store }));
  return {
    handler: app.callback(),
    commands: {
      register: (name, config) => void registry.register(name, config),
      advanceClock: (ms) => void (skewMs += ms),
      storeStats: () => counted?.stats ?? null,
      memory: () => {
        for (let i = 0; i < 3; i++) globalThis.gc?.();
        return { ...process.memoryUsage(), collected: typeof globalThis.gc === 'function' };
      },
    },
  };
});
