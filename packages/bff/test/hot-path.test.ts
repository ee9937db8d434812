import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_ERROR_PARAM } from '@latchkey/common';
import { createMemoryStore, type RequestToken, type SessionStore } from '@latchkey/bff';
import { ALICE, startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { startBff, type TestBff } from './harness.js';
import { registerOAuth1Client, registerOAuth2Client } from './provider-clients.js';

describe('session store use and login hooks', () => {
  let provider: TestProvider;
  let bff: TestBff;
  const calls = { get: 0, set: 0, destroy: 0 };
  const requestTokens = new Map<string, RequestToken>();
  const hookCalls = { save: 0, fetch: 0 };

  beforeAll(async () => {
    provider = await startTestProvider();
    const memory = createMemoryStore();
    const counting: SessionStore = {
      get: (id, options) => (calls.get++, memory.get(id, options)),
      set: (id, value, ttlMs) => (calls.set++, memory.set(id, value, ttlMs)),
      destroy: (id) => (calls.destroy++, memory.destroy(id)),
    };
    bff = await startBff({
      bff: { store: counting },
      async register(registry, bffUrl) {
        await registerOAuth2Client(provider, registry, bffUrl, 'latchkey', { clientId: 'bff-hot' });
        await registerOAuth1Client(provider, registry, bffUrl, 'hooks', {
          config: {
            saveRequestToken: (_name, token) => {
              hookCalls.save++;
              requestTokens.set(token.oauthToken, token);
            },
            fetchRequestToken: async (_name, oauthToken) => {
              hookCalls.fetch++;
              return requestTokens.get(oauthToken);
            },
          },
        });
        registry.register('offline', {
          clientId: 'nobody',
          clientSecret: 'nothing',
          serverMetadataUrl: 'http://127.0.0.1:9/.well-known/openid-configuration',
        });
      },
    });
  });
  afterAll(async () => {
    await bff.close();
    await provider.close();
  });

  it('reads the session store once per proxied call and never writes it', async () => {
    const browser = bff.browser();
    await browser.login('latchkey');
    calls.get = 0;
    calls.set = 0;
    const responses = await Promise.all(Array.from({ length: 10 }, () => browser.fetch('/bff/api/latchkey/me', { csrf: true })));
    expect(responses.map((response) => response.status)).toEqual(Array(10).fill(200));
    expect(calls).toMatchObject({ get: 10, set: 0 });
  });

  it('keeps the OAuth 1 temporary credential through saveRequestToken / fetchRequestToken', async () => {
    const browser = bff.browser();
    await browser.login('hooks');
    expect(hookCalls).toEqual({ save: 1, fetch: 1 });
    expect((await browser.session()).user).toMatchObject({ sub: ALICE.sub });
  });

  it('sends the user back to the SPA with login_failed when the provider cannot be reached', async () => {
    const response = await bff.browser().fetch('/bff/login/offline?returnTo=/home');
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') as string, 'http://spa.invalid');
    expect(location.pathname).toBe('/home');
    expect(location.searchParams.get(LOGIN_ERROR_PARAM)).toBe('login_failed');
  });
});
