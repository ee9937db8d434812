import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStore, type SessionStore, type TransactionCache } from '@latchkey/bff';
import { submitAuthorizeForm } from '../../../test-support/authorize-form.js';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { redisGate } from '../../../test-support/services.js';
import { createRedisStore } from '../src/stores/redis-store.js';
import { startBff, type TestBff } from './harness.js';
import { registerOAuth2Client } from './provider-clients.js';
import { oneRedisConnection } from './redis-harness.js';

const redisEnabled = await redisGate();

/**
 * ARCHITECTURE.md, security rules: "Stores hold no usable secret in their key names: session ids and
 * `state` values are keyed by an HMAC of them." Anyone who can list keys (a replica, a backup, a
 * monitoring tool) must not learn a cookie value to log in with, nor a pending login's `state`.
 */
describe('store key names', () => {
  let provider: TestProvider;
  beforeAll(async () => {
    provider = await startTestProvider();
  });
  afterAll(async () => {
    await provider.close();
  });

  /** Logs in once with a pending second login, and returns every value a key must not reveal. */
  async function secretsAfterLogin(store: SessionStore, cache: TransactionCache): Promise<{ bff: TestBff; secrets: string[] }> {
    const bff = await startBff({
      registry: { cache },
      bff: { store },
      async register(registry, bffUrl) {
        await registerOAuth2Client(provider, registry, bffUrl, 'alpha', { clientId: `bff-keys-${Math.random().toString(36).slice(2)}` });
      },
    });
    const browser = bff.browser();
    const authorizeUrl = await browser.startLogin('alpha');
    const used = new URL(authorizeUrl).searchParams.get('state') as string;
    await browser.fetch((await submitAuthorizeForm(authorizeUrl)).location as string);
    const pending = new URL(await browser.startLogin('alpha')).searchParams.get('state') as string;
    const cookie = browser.cookies.get('latchkey') as string;
    expect((await browser.session()).authenticated).toBe(true);
    const secrets = [cookie, used, pending, browser.cookies.get('latchkey-login')];
    return { bff, secrets: secrets.filter((secret): secret is string => secret !== undefined) };
  }

  it('no key of the memory stores holds the session cookie, the login-binding cookie or a state', async () => {
    const keys = new Set<string>();
    const sessions = createMemoryStore();
    const transactions = createMemoryStore();
    const store: SessionStore = {
      get: (key, options) => sessions.get(key, options),
      set: async (key, value, ttlMs) => (keys.add(key), sessions.set(key, value, ttlMs)),
      destroy: (key) => sessions.destroy(key),
      compareAndSet: async (key, expected, value, ttlMs) => (
        keys.add(key), (await sessions.compareAndSet?.(key, expected, value, ttlMs)) ?? false
      ),
    };
    const cache: TransactionCache = {
      set: async (key, value, ttlMs) => (keys.add(key), transactions.set(key, value, ttlMs)),
      take: (key) => transactions.take(key),
    };
    const { bff, secrets } = await secretsAfterLogin(store, cache);
    expect(keys.size).toBeGreaterThanOrEqual(3);
    for (const key of keys) for (const secret of secrets) expect(key.includes(secret), `${key} names a secret`).toBe(false);
    await bff.close();
  });

  describe.runIf(redisEnabled)('in Redis on 127.0.0.1:6379', () => {
    const { prefix, connection } = oneRedisConnection('names');

    it('no key (SCAN) holds the session cookie, the login-binding cookie or a state', async () => {
      const store = createRedisStore({ client: connection(), prefix });
      const { bff, secrets } = await secretsAfterLogin(store, store);
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await connection().scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        cursor = next;
        keys.push(...batch);
      } while (cursor !== '0');
      // The session and the pending login are there to be found.
      expect(keys.length).toBeGreaterThanOrEqual(2);
      for (const key of keys) for (const secret of secrets) expect(key.includes(secret), `${key} names a secret`).toBe(false);
      await bff.close();
    });
  });
});
