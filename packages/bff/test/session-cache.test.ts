import type { Middleware } from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BFF_ERROR_HEADER, isLatchkeyError } from '@latchkey/common';
import { createBff, createMemoryStore, OAuthRegistry, type SessionStore } from '@latchkey/bff';
import type { BffState } from '../src/tokens/session-bridge.js';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { createKeyNames } from '../src/stores/key-names.js';
import { startBff, TEST_KEYS, type Browser, type TestBff } from './harness.js';
import { registerOAuth2Client, revokeAccessToken, type ProviderClient } from './provider-clients.js';

/**
 * The proxy keeps opened sessions in memory so a busy session is decrypted once per change, not once
 * per call. Whatever the cache holds, the store decides: every call still reads it once, and a value
 * that changed, moved to another session, was tampered with or is gone is never answered from memory.
 */
describe('opened sessions kept in memory', () => {
  let provider: TestProvider;
  let bff: TestBff;
  let client: ProviderClient;
  const memory = createMemoryStore();
  const reads: string[] = [];
  const store: SessionStore = {
    get: (key, options) => (reads.push(key), memory.get(key, options)),
    set: (key, value, ttlMs) => memory.set(key, value, ttlMs),
    destroy: (key) => memory.destroy(key),
  };
  /** The app's own route: what the session bridge hands it. */
  const appRoutes: Middleware = async (ctx) => {
    if (ctx.path !== '/app/session') return;
    const data = await (ctx.state as BffState).latchkey?.sessions.load(ctx);
    const token = data?.connections.api?.token;
    ctx.body = {
      frozen: data !== undefined && Object.isFrozen(data) && Object.isFrozen(token),
      accessToken: token?.kind === 'oauth2' ? token.accessToken : undefined,
    };
  };

  // Store keys are a keyed hash of the session id, never the id itself.
  const keyOf = (browser: Browser) => createKeyNames(TEST_KEYS).session(browser.cookies.get('latchkey') as string)[0];
  const stored = async (browser: Browser) => (await memory.get(keyOf(browser), { ttlMs: 60_000, rolling: false })) as string;
  const callApi = (browser: Browser) => browser.fetch('/bff/api/api/me', { csrf: true });
  const loggedIn = async () => {
    const browser = bff.browser();
    await browser.login('api');
    expect((await callApi(browser)).status).toBe(200);
    return browser;
  };

  beforeAll(async () => {
    provider = await startTestProvider();
    bff = await startBff({
      bff: { store },
      appRoutes,
      async register(registry, bffUrl) {
        client = await registerOAuth2Client(provider, registry, bffUrl, 'api', {
          clientId: 'bff-session-cache',
          config: { clientKwargs: { scope: 'openid profile offline_access' } },
        });
      },
    });
  });
  afterAll(async () => {
    await bff?.close();
    await provider?.close();
  });

  it('still reads the store once per call', async () => {
    const browser = await loggedIn();
    reads.length = 0;
    for (let i = 0; i < 3; i++) expect((await callApi(browser)).status).toBe(200);
    expect(reads).toEqual(Array(3).fill(keyOf(browser)));
  });

  it("never answers one session with another's record, even for a value copied from it", async () => {
    const alice = await loggedIn();
    const other = await loggedIn();
    await memory.set(keyOf(other), await stored(alice), 60_000);
    const refused = await callApi(other);
    expect(refused.status).toBe(401);
    expect(refused.headers.get(BFF_ERROR_HEADER)).toBe('login_required');
    expect((await callApi(alice)).status).toBe(200);
  });

  it('refuses a stored value tampered with after it was opened', async () => {
    const browser = await loggedIn();
    const value = await stored(browser);
    // A character inside the ciphertext (the last one may only carry padding bits).
    const at = value.length - 10;
    await memory.set(keyOf(browser), `${value.slice(0, at)}${value[at] === 'A' ? 'B' : 'A'}${value.slice(at + 1)}`, 60_000);
    expect((await callApi(browser)).headers.get(BFF_ERROR_HEADER)).toBe('login_required');
  });

  it('refuses a session deleted from the store after it was opened (another instance logged it out)', async () => {
    const browser = await loggedIn();
    await memory.destroy(keyOf(browser));
    expect((await callApi(browser)).headers.get(BFF_ERROR_HEADER)).toBe('login_required');
  });

  it('uses a refreshed token from the next call on: a changed value is opened again', async () => {
    const browser = await loggedIn();
    const { accessToken } = (await (await browser.fetch('/app/session')).json()) as { accessToken: string };
    expect((await revokeAccessToken(provider, client, accessToken)).status).toBe(200);
    const refreshes = () => provider.countEvents('token_request', 'refresh_token');
    const before = refreshes();
    // The provider refuses the revoked token: the BFF refreshes, stores the new token and retries.
    expect((await callApi(browser)).status).toBe(200);
    expect(refreshes()).toBe(before + 1);
    // Had the old record been answered from memory, each call would meet the revoked token again.
    for (let i = 0; i < 3; i++) expect((await callApi(browser)).status).toBe(200);
    expect(refreshes()).toBe(before + 1);
  });

  it('hands the app a read-only session, since calls of one session share it', async () => {
    const browser = await loggedIn();
    const response = await browser.fetch('/app/session');
    expect(await response.json()).toMatchObject({ frozen: true });
  });

  it('refuses a negative sessionCacheSize', () => {
    let thrown: unknown;
    try {
      createBff({ registry: new OAuthRegistry({ env: {} }), keys: TEST_KEYS, sessionCacheSize: -1 });
    } catch (error) {
      thrown = error;
    }
    expect(isLatchkeyError(thrown) && thrown.code).toBe('configuration_error');
    expect((thrown as { option?: unknown }).option).toBe('sessionCacheSize');
  });
});
