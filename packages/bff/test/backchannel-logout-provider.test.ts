import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Redis } from 'ioredis';
import type { ProviderEvent } from '@latchkey/provider';
import { readAuthorizeForm } from '../../../test-support/authorize-form.js';
import { ALICE, startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { REDIS_URL, redisGate } from '../../../test-support/services.js';
import { createRedisRefreshLock } from '../src/stores/redis-refresh-lock.js';
import { createRedisStore } from '../src/stores/redis-store.js';
import { postLogoutToken, startStandInOp } from './backchannel-logout-op.js';
import { startBff, type Browser, type TestBff } from './harness.js';
import { deleteKeys, redisClient, uniquePrefix } from './redis-harness.js';

const redisEnabled = await redisGate();
const OP_COOKIE = 'latchkey-op-session';

/** A BFF login with a password sign-in at the provider, keeping the provider's login-session cookie as a browser would. */
async function loginAtProvider(browser: Browser, provider: string): Promise<string> {
  const form = await readAuthorizeForm(await browser.startLogin(provider));
  const posted = await fetch(form.action, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ ...form.fields, username: ALICE.username, password: ALICE.password, decision: 'allow' }),
  });
  const cookie = posted.headers.getSetCookie().find((line) => line.startsWith(`${OP_COOKIE}=`));
  expect(cookie).toBeDefined();
  const callback = await browser.fetch(posted.headers.get('location') as string);
  expect(callback.headers.get('location')).toBe('/');
  return (cookie as string).split(';')[0] as string;
}

/** Ends the provider's login session in the browser holding `cookie` (RP-Initiated Logout, no client involved). */
async function endProviderSession(provider: TestProvider, cookie: string): Promise<void> {
  const answer = await fetch(`${provider.url}/oauth/logout`, { headers: { cookie } });
  expect(answer.status).toBe(200);
  await answer.arrayBuffer();
}

const deliveries = (provider: TestProvider) =>
  provider.events.filter((event): event is Extract<ProviderEvent, { type: 'backchannel_logout' }> => event.type === 'backchannel_logout');

let clients = 0;

/** The BFF's client at the provider, with its back-channel logout URI; the same client in each BFF's registry. */
async function registerClient(provider: TestProvider, callbacks: TestBff[], backchannel: TestBff): Promise<void> {
  clients += 1;
  const client = await provider.provider.registerClient({
    clientId: `bff-backchannel-${clients}`,
    redirectUris: callbacks.map((bff) => `${bff.url}/bff/callback/op`),
    backchannelLogoutUri: `${backchannel.url}/bff/backchannel-logout/op`,
  });
  for (const bff of new Set([...callbacks, backchannel])) {
    bff.registry.register('op', {
      clientId: client.clientId,
      clientSecret: client.clientSecret as string,
      serverMetadataUrl: `${provider.url}/.well-known/openid-configuration`,
      apiBaseUrl: `${provider.url}/api/`,
      clientKwargs: { scope: 'openid profile' },
    });
  }
}

describe('back-channel logout from our provider, end to end', () => {
  let provider: TestProvider;
  const running: TestBff[] = [];

  beforeAll(async () => {
    provider = await startTestProvider();
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((bff) => bff.close()));
  });
  afterAll(async () => {
    await provider?.close();
  });

  it('ending the provider login session ends the BFF session that came from it, and only that one', async () => {
    const bff = await startBff({ register() {} });
    running.push(bff);
    await registerClient(provider, [bff], bff);
    const browser = bff.browser();
    const opCookie = await loginAtProvider(browser, 'op');
    const elsewhere = bff.browser();
    await loginAtProvider(elsewhere, 'op');
    expect((await browser.session()).authenticated).toBe(true);

    const delivered = deliveries(provider).length;
    await endProviderSession(provider, opCookie);
    expect(deliveries(provider).slice(delivered)).toEqual([
      { type: 'backchannel_logout', clientId: `bff-backchannel-${clients}`, delivered: true, status: 200 },
    ]);
    expect((await browser.session()).authenticated).toBe(false);
    expect((await browser.fetch('/bff/api/op/me', { csrf: true })).status).toBe(401);
    expect((await elsewhere.session()).authenticated).toBe(true);
  });

  describe.runIf(redisEnabled)('two BFF instances sharing Redis on 127.0.0.1:6379', () => {
    const prefix = uniquePrefix('backchannel');
    const connections: Redis[] = [];
    const cachedStores: { close(): Promise<void> }[] = [];

    afterAll(async () => {
      const [first] = connections;
      if (first !== undefined) await deleteKeys(first, prefix);
      await Promise.all(cachedStores.map((store) => store.close()));
      await Promise.all(connections.map((connection) => connection.quit()));
    });

    /**
     * An instance with its own Redis connection, registry and refresh lock, as a separate process would have;
     * with `localCache`, its store keeps session values in memory (Redis client-side caching).
     */
    async function startInstance(register: Parameters<typeof startBff>[0]['register'] = () => {}, localCache = false) {
      const connection = redisClient();
      connections.push(connection);
      const store = localCache
        ? createRedisStore({ url: REDIS_URL, prefix, localCache: { maxEntries: 1_000 } })
        : createRedisStore({ client: connection, prefix });
      if (localCache) cachedStores.push(store);
      const bff = await startBff({
        registry: { cache: store, refreshLock: createRedisRefreshLock({ client: connection, prefix: `${prefix}lock:` }) },
        bff: { store },
        register,
      });
      running.push(bff);
      return bff;
    }

    it.each([
      ['', false],
      [' (stores with a local cache)', true],
    ])('a login through A ends when the logout token reaches B, and no key names the subject%s', async (_label, localCache) => {
      const a = await startInstance(undefined, localCache);
      const b = await startInstance(undefined, localCache);
      await registerClient(provider, [a], b);
      const browser = a.browser();
      const opCookie = await loginAtProvider(browser, 'op');
      // Read through A: with a local cache, A now holds the session in memory too.
      expect((await browser.session()).authenticated).toBe(true);

      const inspector = connections[0] as Redis;
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, found] = await inspector.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
        cursor = next;
        keys.push(...found);
      } while (cursor !== '0');
      expect(keys.some((key) => key.startsWith(`${prefix}latchkey:bcl-sid:`))).toBe(true);
      expect(keys.some((key) => key.startsWith(`${prefix}latchkey:bcl-sub:`))).toBe(true);
      expect(keys.join('\n')).not.toContain(ALICE.sub);

      const delivered = deliveries(provider).length;
      await endProviderSession(provider, opCookie);
      expect(
        deliveries(provider)
          .slice(delivered)
          .map((event) => event.status),
      ).toEqual([200]);
      expect(b.logs.some((line) => line.message === 'backchannel logout' && line.fields?.sessions === 1)).toBe(true);
      // The next request through A finds no session.
      expect((await browser.session()).authenticated).toBe(false);
      expect((await browser.fetch('/bff/api/op/me', { csrf: true })).status).toBe(401);
    });

    it('a token accepted by one instance is refused as a replay by the other', async () => {
      const op = await startStandInOp('bff-stand');
      try {
        const register = (registry: TestBff['registry']) =>
          registry.register('stand', { clientId: 'bff-stand', clientSecret: 'stand-secret', serverMetadataUrl: op.metadataUrl });
        const a = await startInstance(register);
        const b = await startInstance(register);
        op.nextLogin({ sub: 'heidi', sid: 'sid-heidi-1' });
        const browser = a.browser();
        const back = await fetch(await browser.startLogin('stand'), { redirect: 'manual' });
        await browser.fetch(back.headers.get('location') as string);
        expect((await browser.session()).authenticated).toBe(true);

        const token = await op.logoutToken();
        expect((await postLogoutToken(b.url, 'stand', token)).status).toBe(200);
        expect((await browser.session()).authenticated).toBe(false);
        const replayed = await postLogoutToken(a.url, 'stand', token);
        expect(replayed.status).toBe(400);
        expect(a.logs.filter((line) => line.message === 'logout token refused').map((line) => line.fields?.code)).toEqual([
          'logout_token_replayed',
        ]);
      } finally {
        await op.close();
      }
    });
  });
});
