// The Latchkey BFF (@latchkey/bff, built dist) as an app mounts it: a Koa app with createBff. argv[2]
// is JSON: { store: 'memory' | 'redis', lock?: 'redis', redisUrl?, prefix?, maxEntries? }. Providers are registered by command
// once the provider knows this server's redirect URIs. Commands: register(name, config),
// advanceClock(ms), memory() (after full collections when run with --expose-gc).
import Koa from 'koa';
import * as bffPackage from '@latchkey/bff';
import { serve } from '../lib/child.mjs';

const { createBff, createMemoryStore, OAuthRegistry } = bffPackage;
const { store: storeKind = 'memory', lock: lockKind, redisUrl, maxEntries, prefix } = JSON.parse(process.argv[2] ?? '{}');
const KEYS = ['bench-bff-key-0123456789abcdef0123456789abcdef'];

function createStore() {
  if (storeKind === 'memory') return createMemoryStore(maxEntries === undefined ? {} : { maxEntries });
  if (typeof bffPackage.createRedisStore !== 'function') throw new Error('@latchkey/bff does not export createRedisStore');
  return bffPackage.createRedisStore({ url: redisUrl, prefix });
}

// Several instances sharing Redis also share the refresh lock, so one of them refreshes a token.
const refreshLock = lockKind === 'redis' ? bffPackage.createRedisRefreshLock({ url: redisUrl, prefix: `${prefix}lock:` }) : undefined;

let skewMs = 0;
const store = createStore();
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
      memory: () => {
        for (let i = 0; i < 3; i++) globalThis.gc?.();
        return { ...process.memoryUsage(), collected: typeof globalThis.gc === 'function' };
      },
    },
  };
});
