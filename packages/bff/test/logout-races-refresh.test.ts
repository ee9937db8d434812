import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BFF_ERROR_HEADER } from '@latchkey/common';
import { createInProcessLock, createMemoryStore, type RefreshLock, type SessionStore, type TransactionCache } from '@latchkey/bff';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { redisGate } from '../../../test-support/services.js';
import { createRedisStore } from '../src/stores/redis-store.js';
import { startBff, type Browser, type TestBff } from './harness.js';
import { introspect, type ProviderClient } from './provider-clients.js';
import { oneRedisConnection } from './redis-harness.js';
import { startTokenRelay, type TokenRelay } from './token-relay.js';

const redisEnabled = await redisGate();

/** A refresh lock that tells the test each time someone asks for a key, before it waits for it. */
function observedLock() {
  const inner = createInProcessLock();
  const asked: string[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const lock: RefreshLock = {
    withLock(key, task) {
      asked.push(key);
      for (const waiter of waiters.filter((entry) => asked.length >= entry.count)) waiter.resolve();
      return inner.withLock(key, task);
    },
  };
  /** Resolves once the lock was asked for `count` times in all. */
  const askedTimes = (count: number) =>
    asked.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve }));
  return { lock, asked, askedTimes };
}

/**
 * A session store whose writes the test can stop at the door: `pause()` makes the next write wait
 * (before it reaches the store) until `resume()`. Stands in for the moment between a refresh reading the
 * session and writing it back.
 */
function doorStore(store: SessionStore) {
  let gate: { reached: () => void; open: Promise<void> } | undefined;
  let resume = () => {};
  const wait = async () => {
    const door = gate;
    gate = undefined;
    if (door === undefined) return;
    door.reached();
    await door.open;
  };
  const wrapped: SessionStore = {
    get: (key, options) => store.get(key, options),
    set: async (key, value, ttlMs) => {
      await wait();
      return store.set(key, value, ttlMs);
    },
    destroy: (key) => store.destroy(key),
    compareAndSet: async (key, expected, value, ttlMs) => {
      await wait();
      return store.compareAndSet?.(key, expected, value, ttlMs) ?? false;
    },
  };
  return {
    store: wrapped,
    /** Resolves once a write is held at the door. */
    pause: () =>
      new Promise<void>((reached) => {
        const open = new Promise<void>((resolve) => {
          resume = resolve;
        });
        gate = { reached, open };
      }),
    resume: () => resume(),
  };
}

/**
 * ARCHITECTURE.md, security rules: "A logout or disconnect stays done: no refresh in flight, on this
 * instance or another, writes a destroyed session back or keeps a grant alive at the provider." Each
 * test makes the race happen: a proxied call refreshes an expired token through a token endpoint that
 * holds its answer (the provider has already rotated the refresh token), and the logout or disconnect
 * comes while it is held.
 */
describe('logout and disconnect racing a refresh', () => {
  let provider: TestProvider;
  let relay: TokenRelay;
  let clockSkewMs = 0;
  const running: TestBff[] = [];
  let clients = 0;

  beforeAll(async () => {
    provider = await startTestProvider();
    relay = await startTokenRelay(`${provider.url}/oauth/token`);
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((bff) => bff.close()));
  });
  afterAll(async () => {
    await relay.close();
    await provider.close();
  });

  const now = () => Date.now() + clockSkewMs;
  const expireTokens = () => {
    clockSkewMs += 2 * 3600 * 1000;
  };

  /** One BFF (or several sharing one client at the provider) with providers alpha and beta, refreshing through the relay. */
  async function startInstance(options: {
    store?: SessionStore;
    cache?: TransactionCache;
    lock?: RefreshLock;
    credentials?: Map<string, ProviderClient>;
  }) {
    const credentials = options.credentials ?? new Map<string, ProviderClient>();
    const bff = await startBff({
      registry: {
        now,
        ...(options.cache === undefined ? {} : { cache: options.cache }),
        ...(options.lock === undefined ? {} : { refreshLock: options.lock }),
      },
      bff: options.store === undefined ? {} : { store: options.store },
      async register(registry, bffUrl) {
        for (const name of ['alpha', 'beta']) {
          let client = credentials.get(name);
          if (client === undefined) {
            clients += 1;
            const made = await provider.provider.registerClient({
              clientId: `bff-race-${clients}`,
              redirectUris: [`${bffUrl}/bff/callback/${name}`],
            });
            client = { clientId: made.clientId, clientSecret: made.clientSecret as string };
            credentials.set(name, client);
          }
          registry.register(name, {
            ...client,
            serverMetadataUrl: `${provider.url}/.well-known/openid-configuration`,
            refreshTokenUrl: relay.url,
            apiBaseUrl: `${provider.url}/api/`,
            clientKwargs: { scope: 'openid profile offline_access' },
          });
        }
      },
    });
    running.push(bff);
    return { bff, credentials };
  }

  const errorCode = (response: Response) => response.headers.get(BFF_ERROR_HEADER);
  const sessionOf = async (bff: TestBff, cookie: string) =>
    (await (await fetch(`${bff.url}/bff/session`, { headers: { cookie } })).json()) as {
      authenticated: boolean;
      connections: { provider: string }[];
    };
  const proxied = (bff: TestBff, cookie: string, name = 'alpha') =>
    fetch(`${bff.url}/bff/api/${name}/me`, { headers: { cookie, 'x-latchkey-csrf': '1' } });

  /** Starts a proxied call that refreshes, and resolves once the provider rotated the token and the answer is held. */
  async function refreshInFlight(browser: Browser) {
    expireTokens();
    const held = relay.hold();
    const call = browser.fetch('/bff/api/alpha/me', { csrf: true });
    const answer = await held;
    expect(answer.status).toBe(200);
    return { call, rotated: answer.refreshToken as string };
  }

  it('a logout during a refresh ends the session and revokes the rotated grant', async () => {
    const observed = observedLock();
    const { bff, credentials } = await startInstance({ lock: observed.lock });
    const browser = bff.browser();
    await browser.login('alpha');
    const cookie = browser.cookieHeader();
    const { call, rotated } = await refreshInFlight(browser);
    const asked = observed.asked.length;

    const logout = browser.fetch('/bff/logout', { method: 'POST', csrf: true });
    // The logout either finishes on its own or waits for the refresh lock: then the refresh may answer.
    await Promise.race([logout, observed.askedTimes(asked + 1)]);
    relay.release();
    const [, done] = await Promise.all([call, logout]);

    expect(done.status).toBe(204);
    expect((await sessionOf(bff, cookie)).authenticated).toBe(false);
    const after = await proxied(bff, cookie);
    expect(after.status).toBe(401);
    expect(errorCode(after)).toBe('login_required');
    expect((await introspect(provider, credentials.get('alpha') as ProviderClient, rotated)).active).toBe(false);
  });

  it('a disconnect during a refresh unlinks the provider, revokes the rotated grant and keeps the session', async () => {
    const observed = observedLock();
    const { bff, credentials } = await startInstance({ lock: observed.lock });
    const browser = bff.browser();
    await browser.login('alpha');
    await browser.login('beta');
    const cookie = browser.cookieHeader();
    const { call, rotated } = await refreshInFlight(browser);
    const asked = observed.asked.length;

    const disconnect = browser.fetch('/bff/disconnect/alpha', { method: 'POST', csrf: true });
    await Promise.race([disconnect, observed.askedTimes(asked + 1)]);
    relay.release();
    const [, done] = await Promise.all([call, disconnect]);

    expect(done.status).toBe(204);
    const session = await sessionOf(bff, cookie);
    expect(session.authenticated).toBe(true);
    expect(session.connections.map((connection) => connection.provider)).toEqual(['beta']);
    const after = await proxied(bff, cookie);
    expect(after.status).toBe(401);
    expect(errorCode(after)).toBe('login_required');
    expect((await proxied(bff, cookie, 'beta')).status).toBe(200);
    expect((await introspect(provider, credentials.get('alpha') as ProviderClient, rotated)).active).toBe(false);
  });

  /**
   * Two instances that do not share a refresh lock (or whose shared lock expired mid-refresh): B's
   * logout cannot wait for A's refresh, so the store itself must refuse A's write of the session B
   * destroyed, and A revokes the token it can no longer keep.
   */
  async function destroyedStaysDestroyed(shared: SessionStore, cache: TransactionCache) {
    const door = doorStore(shared);
    const a = await startInstance({ store: door.store, cache });
    const b = await startInstance({ store: shared, cache, credentials: a.credentials });
    const onA = a.bff.browser();
    await onA.login('alpha');
    const cookie = onA.cookieHeader();

    expireTokens();
    const writing = door.pause();
    const call = onA.fetch('/bff/api/alpha/me', { csrf: true });
    // A has refreshed and read the session; its write waits at the door.
    await writing;
    const rotated = relay.answers.at(-1)?.refreshToken as string;
    const logout = await fetch(`${b.bff.url}/bff/logout`, { method: 'POST', headers: { cookie, 'x-latchkey-csrf': '1' } });
    expect(logout.status).toBe(204);
    door.resume();
    await call;

    for (const instance of [a.bff, b.bff]) {
      expect((await sessionOf(instance, cookie)).authenticated).toBe(false);
      const after = await proxied(instance, cookie);
      expect(after.status).toBe(401);
      expect(errorCode(after)).toBe('login_required');
    }
    expect((await introspect(provider, a.credentials.get('alpha') as ProviderClient, rotated)).active).toBe(false);
  }

  it('a session destroyed on one instance is not written back by a refresh finishing on another (memory store)', async () => {
    await destroyedStaysDestroyed(createMemoryStore(), createMemoryStore());
  });

  describe.runIf(redisEnabled)('with Redis on 127.0.0.1:6379', () => {
    const { prefix, connection } = oneRedisConnection('race');

    it('a session destroyed on one instance is not written back by a refresh finishing on another', async () => {
      const store = createRedisStore({ client: connection(), prefix });
      await destroyedStaysDestroyed(store, store);
    });
  });
});
