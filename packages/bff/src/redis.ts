// `@latchkey/bff/redis`: the Redis session store and refresh lock, on their own entry point so that only
// an app that uses them loads `ioredis` (an optional peer dependency).
export { createRedisStore } from './stores/redis-store.js';
export type { RedisStore, RedisStoreOptions } from './stores/redis-store.js';
export { createRedisRefreshLock } from './stores/redis-refresh-lock.js';
export type { RedisRefreshLock, RedisRefreshLockOptions } from './stores/redis-refresh-lock.js';
export type { RedisConnectionOptions } from './stores/redis-connection.js';
export type { RedisLocalCacheOptions } from './stores/redis-session-cache.js';
