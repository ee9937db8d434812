import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { BffErrorBody } from '@latchkey/common';
import { userFromClaims } from '@latchkey/bff';
import { ALICE, startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { submitAuthorizeForm } from '../../../test-support/authorize-form.js';
import { redisGate } from '../../../test-support/services.js';
import { createRedisRefreshLock } from '../src/stores/redis-refresh-lock.js';
import { createRedisStore } from '../src/stores/redis-store.js';
import { createKeyNames } from '../src/stores/key-names.js';
import { startBff, TEST_KEYS, type Browser, type TestBff } from './harness.js';
import { deleteKeys, redisClient, uniquePrefix } from './redis-harness.js';

const enabled = await redisGate();

/**
 * Two BFF instances, A and B, each with its own Redis connection, registry and refresh lock (as two
 * processes behind a load balancer would have), sharing sessions, login transactions and refresh
 * locks through Redis on 127.0.0.1:6379.
 */
describe.runIf(enabled)('two BFF instances sharing Redis', () => {
  const prefix = uniquePrefix('multi');
  let provider: TestProvider;
  let inspector: Redis;
  const connections: Redis[] = [];
  const running: TestBff[] = [];
  let clockSkewMs = 0;
  let pairs = 0;

  beforeAll(async () => {
    provider = await startTestProvider();
    inspector = redisClient();
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((instance) => instance.close()));
  });
  afterAll(async () => {
    await deleteKeys(inspector, prefix);
    await Promise.all([inspector, ...connections].map((connection) => connection.quit()));
    await provider?.close();
  });

  const refreshes = () => provider.countEvents('token_request', 'refresh_token');
  // The names the BFF gives store keys: a keyed hash of the state or session id, never the value itself.
  const names = createKeyNames(TEST_KEYS);
  const transactionKey = (name: string, state: string) => `${prefix}${names.transaction(name, state)[0]}`;
  const errorCode = async (response: Response) => ((await response.json()) as BffErrorBody).error.code;

  interface Credentials {
    oauth2: { clientId: string; clientSecret: string };
    oauth1: { clientId: string; clientSecret: string };
  }

  /** One instance with its own Redis connection, as a separate process would have. */
  async function startInstance(register: (bffUrl: string) => Promise<Credentials>) {
    const connection = redisClient();
    connections.push(connection);
    const store = createRedisStore({ client: connection, prefix });
    const instance = await startBff({
      registry: {
        cache: store,
        refreshLock: createRedisRefreshLock({ client: connection, prefix: `${prefix}lock:` }),
        now: () => Date.now() + clockSkewMs,
      },
      bff: { store },
      async register(registry, bffUrl) {
        const credentials = await register(bffUrl);
        registry.register('idp', {
          ...credentials.oauth2,
          serverMetadataUrl: `${provider.url}/.well-known/openid-configuration`,
          apiBaseUrl: `${provider.url}/api/`,
          // The transaction is found by the state in the front-channel authorization URL: not pushed.
          clientKwargs: { scope: 'openid profile email offline_access', pushedAuthorizationRequests: false },
        });
        registry.register('idp1', {
          ...credentials.oauth1,
          requestTokenUrl: `${provider.url}/oauth1/initiate`,
          authorizeUrl: `${provider.url}/oauth1/authorize`,
          accessTokenUrl: `${provider.url}/oauth1/token`,
          apiBaseUrl: `${provider.url}/api/`,
          userInfo: async ({ client }) => userFromClaims(await (await client.get('me')).json()),
        });
      },
    });
    running.push(instance);
    return instance;
  }

  /** Instances A and B for one OAuth 2 and one OAuth 1 client at the provider, whose callbacks name A. */
  async function startPair(): Promise<{ a: TestBff; b: TestBff }> {
    pairs += 1;
    let credentials: Credentials | undefined;
    const a = await startInstance(async (url) => {
      const oauth2 = await provider.provider.registerClient({ clientId: `multi-${pairs}`, redirectUris: [`${url}/bff/callback/idp`] });
      const oauth1 = await provider.provider.registerClient({
        clientId: `multi1-${pairs}`,
        oauth1: { callbackUris: [`${url}/bff/callback/idp1`] },
      });
      credentials = {
        oauth2: { clientId: oauth2.clientId, clientSecret: oauth2.clientSecret as string },
        oauth1: { clientId: oauth1.clientId, clientSecret: oauth1.clientSecret as string },
      };
      return credentials;
    });
    const b = await startInstance(async () => credentials as Credentials);
    return { a, b };
  }

  /** The same browser talking to the other instance: cookies are per host, not per port. */
  function sameBrowserAt(instance: TestBff, browser: Browser): Browser {
    const other = instance.browser();
    for (const [name, value] of browser.cookies) other.cookies.set(name, value);
    return other;
  }

  it('a login on A is served by B: session and proxied calls', async () => {
    const { a, b } = await startPair();
    const onA = a.browser();
    expect((await onA.login('idp', { returnTo: '/home' })).location).toBe('/home');

    const onB = sameBrowserAt(b, onA);
    const session = await onB.session();
    expect(session).toMatchObject({ authenticated: true, user: { sub: ALICE.sub, email: ALICE.email } });
    const me = await onB.fetch('/bff/api/idp/me', { csrf: true });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ sub: ALICE.sub });
  });

  it('a login started on A completes on B, since the login transaction is in Redis with a short TTL', async () => {
    const { a, b } = await startPair();
    const onA = a.browser();
    const authorizeUrl = await onA.startLogin('idp');
    const state = new URL(authorizeUrl).searchParams.get('state') as string;
    const transactionTtl = await inspector.pttl(transactionKey('idp', state));
    expect(transactionTtl).toBeGreaterThan(0);
    expect(transactionTtl).toBeLessThanOrEqual(600_000);

    const answer = await submitAuthorizeForm(authorizeUrl);
    const callback = new URL(answer.location as string);
    // The load balancer sends the callback to B.
    const onB = sameBrowserAt(b, onA);
    const done = await onB.fetch(`${callback.pathname}${callback.search}`);
    expect(done.headers.get('location')).toBe('/');
    expect(await inspector.exists(transactionKey('idp', state))).toBe(0);
    expect((await sameBrowserAt(a, onB).session()).user).toMatchObject({ sub: ALICE.sub });
  });

  it('an OAuth 1.0a login started on A completes on B: the temporary credential is in Redis too', async () => {
    const { a, b } = await startPair();
    const onA = a.browser();
    const authorizeUrl = await onA.startLogin('idp1');
    const oauthToken = new URL(authorizeUrl).searchParams.get('oauth_token') as string;
    const ttl = await inspector.pttl(transactionKey('idp1', oauthToken));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(600_000);

    const answer = await submitAuthorizeForm(authorizeUrl);
    const callback = new URL(answer.location as string);
    const onB = sameBrowserAt(b, onA);
    expect((await onB.fetch(`${callback.pathname}${callback.search}`)).headers.get('location')).toBe('/');
    const session = await onB.session();
    expect(session).toMatchObject({ authenticated: true, user: { sub: ALICE.sub } });
    expect(session.connections).toEqual([expect.objectContaining({ provider: 'idp1', protocol: 'oauth1' })]);
    // Signed proxied calls work from both instances.
    expect((await onB.fetch('/bff/api/idp1/me', { csrf: true })).status).toBe(200);
    expect((await sameBrowserAt(a, onB).fetch('/bff/api/idp1/me', { csrf: true })).status).toBe(200);
  });

  it('B carries on when A stops mid-session, refreshing on its own', async () => {
    const { a, b } = await startPair();
    const onA = a.browser();
    await onA.login('idp');
    expect((await onA.fetch('/bff/api/idp/me', { csrf: true })).status).toBe(200);

    await a.close();
    running.splice(running.indexOf(a), 1);
    await expect(fetch(`${a.url}/bff/session`)).rejects.toThrow();

    const onB = sameBrowserAt(b, onA);
    expect((await onB.fetch('/bff/api/idp/me', { csrf: true })).status).toBe(200);
    const before = refreshes();
    clockSkewMs += 2 * 3600 * 1000;
    expect((await onB.fetch('/bff/api/idp/me', { csrf: true })).status).toBe(200);
    expect(refreshes()).toBe(before + 1);
    expect((await onB.session()).authenticated).toBe(true);
  });

  it('40 concurrent proxied calls with an expired token, split across A and B, cause exactly one refresh', async () => {
    const { a, b } = await startPair();
    const onA = a.browser();
    await onA.login('idp');
    const onB = sameBrowserAt(b, onA);
    clockSkewMs += 2 * 3600 * 1000;
    const before = refreshes();

    const responses = await Promise.all(
      Array.from({ length: 40 }, (_, index) => (index % 2 === 0 ? onA : onB).fetch('/bff/api/idp/me', { csrf: true })),
    );
    expect(responses.map((response) => response.status)).toEqual(Array(40).fill(200));
    expect(refreshes()).toBe(before + 1);
    // Both instances now read the one new token: no further refresh, and the provider revoked nothing.
    expect((await onA.fetch('/bff/api/idp/me', { csrf: true })).status).toBe(200);
    expect((await onB.fetch('/bff/api/idp/me', { csrf: true })).status).toBe(200);
    expect(refreshes()).toBe(before + 1);
    expect(provider.events.filter((event) => event.type === 'token_revoked' && event.reason === 'refresh_reuse')).toHaveLength(0);
  });

  it('a session that expires in Redis is gone on both instances', async () => {
    const { a, b } = await startPair();
    const onA = a.browser();
    await onA.login('idp');
    // The session cookie carries the session id; the store keeps the sealed session under a keyed hash of it.
    const id = onA.cookies.get('latchkey') as string;
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const key = `${prefix}${names.session(id)[0]}`;
    // The store's TTL is the session's lifetime (one day by default) plus the BFF's small margin.
    const ttl = await inspector.pttl(key);
    expect(ttl).toBeGreaterThan(86_400_000 - 60_000);
    expect(ttl).toBeLessThanOrEqual(86_400_000 + 60_000);

    // Stand in for a day passing: Redis expires the entry.
    await inspector.pexpire(key, 1);
    while ((await inspector.exists(key)) === 1) await new Promise((resolve) => setTimeout(resolve, 2));

    const onB = sameBrowserAt(b, onA);
    expect((await onB.session()).authenticated).toBe(false);
    const proxied = await onB.fetch('/bff/api/idp/me', { csrf: true });
    expect(proxied.status).toBe(401);
    expect(await errorCode(proxied)).toBe('login_required');
    expect((await sameBrowserAt(a, onA).session()).authenticated).toBe(false);
  });

  it('a logout on A is seen by B at once', async () => {
    const { a, b } = await startPair();
    const onA = a.browser();
    await onA.login('idp');
    const onB = sameBrowserAt(b, onA);
    expect((await onB.session()).authenticated).toBe(true);

    const logout = await onA.fetch('/bff/logout', { method: 'POST', csrf: true });
    expect(logout.status).toBe(204);

    const afterLogout = sameBrowserAt(b, onA);
    expect((await afterLogout.session()).authenticated).toBe(false);
    // Even the old cookie, replayed at B, finds nothing.
    expect((await onB.session()).authenticated).toBe(false);
    const proxied = await onB.fetch('/bff/api/idp/me', { csrf: true });
    expect(proxied.status).toBe(401);
    expect(await errorCode(proxied)).toBe('login_required');
  });
});
