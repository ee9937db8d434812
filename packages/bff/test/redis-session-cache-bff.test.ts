import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisStore, type RedisStore } from '@latchkey/bff/redis';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { startBff, type Browser, type TestBff } from './harness.js';
import { privateRedisGate, startPrivateRedis, type PrivateRedis } from './redis-session-cache-server.js';

const run = privateRedisGate();

/**
 * Two BFF instances, A and B, each with its own Redis store and local cache, on a redis-server of the
 * test's own (so its command counts are the test's): a browser logs in through A, its proxied calls
 * through B are served from B's memory, and after a logout through A its very next call through B is
 * refused.
 */
describe.runIf(run)('two BFF instances with the local session cache', { timeout: 60_000 }, () => {
  let redis: PrivateRedis;
  let provider: TestProvider;
  const stores: RedisStore[] = [];
  let a: TestBff;
  let b: TestBff;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    provider = await startTestProvider();
    let client: { clientId: string; clientSecret: string } | undefined;
    const instance = async (register: (url: string) => Promise<{ clientId: string; clientSecret: string }>) => {
      const store = createRedisStore({ url: redis.url, prefix: 'latchkey:bff:', localCache: { maxEntries: 1_000 } });
      stores.push(store);
      return startBff({
        registry: { cache: store },
        bff: { store },
        async register(registry, url) {
          registry.register('idp', {
            ...(await register(url)),
            serverMetadataUrl: `${provider.url}/.well-known/openid-configuration`,
            apiBaseUrl: `${provider.url}/api/`,
            clientKwargs: { scope: 'openid profile email' },
          });
        },
      });
    };
    a = await instance(async (url) => {
      const registered = await provider.provider.registerClient({
        clientId: 'session-cache-bff',
        redirectUris: [`${url}/bff/callback/idp`],
      });
      client = { clientId: registered.clientId, clientSecret: registered.clientSecret as string };
      return client;
    });
    b = await instance(async () => client as { clientId: string; clientSecret: string });
  });
  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    await Promise.all(stores.map((store) => store.close()));
    await provider?.close();
    await redis?.close();
  });

  /** The same browser talking to B: cookies are per host, not per port. */
  function sameBrowserAt(instance: TestBff, browser: Browser): Browser {
    const other = instance.browser();
    for (const [name, value] of browser.cookies) other.cookies.set(name, value);
    return other;
  }

  it('serves proxied calls through B from memory, and refuses the next one after a logout through A', async () => {
    for (let round = 0; round < 10; round += 1) {
      const onA = a.browser();
      await onA.login('idp');
      const onB = sameBrowserAt(b, onA);
      // B's tracking turns on with its first reads: call until a call spares Redis its GET.
      let spared = false;
      for (let attempt = 0; attempt < 50 && !spared; attempt += 1) {
        const gets = await redis.calls('get');
        expect((await onB.fetch('/bff/api/idp/me', { csrf: true })).status).toBe(200);
        spared = (await redis.calls('get')) === gets;
      }
      expect(spared).toBe(true);
      const gets = await redis.calls('get');
      for (let call = 0; call < 20; call += 1) {
        expect((await onB.fetch('/bff/api/idp/me', { csrf: true })).status).toBe(200);
      }
      expect(await redis.calls('get')).toBe(gets);

      expect((await onA.fetch('/bff/logout', { method: 'POST', csrf: true })).status).toBeLessThan(300);
      const after = await onB.fetch('/bff/api/idp/me', { csrf: true });
      expect(after.status).toBe(401);
    }
  });
});
