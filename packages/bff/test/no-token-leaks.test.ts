import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStore, type OAuthToken, type SessionStore } from '@latchkey/bff';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { startBff, type TestBff } from './harness.js';
import { registerOAuth1Client, registerOAuth2Client } from './provider-clients.js';

/** Every secret value a token carries. */
function secretsOf(token: OAuthToken): string[] {
  return token.kind === 'oauth2'
    ? [token.accessToken, token.refreshToken, token.idToken].filter((value): value is string => value !== undefined)
    : [token.oauthToken, token.oauthTokenSecret];
}

describe('no issued token leaves the server', () => {
  let provider: TestProvider;
  let bff: TestBff;
  let clockSkewMs = 0;
  const issued = new Set<string>();
  const stored: string[] = [];
  const recordIssued = (token: OAuthToken) => {
    for (const secret of secretsOf(token)) issued.add(secret);
  };

  beforeAll(async () => {
    provider = await startTestProvider({ oauth1: { signatureMethods: ['HMAC-SHA1'] } });
    const memory = createMemoryStore();
    const recordingStore: SessionStore = {
      get: (id, options) => memory.get(id, options),
      set: async (id, value, ttlMs) => {
        stored.push(value);
        await memory.set(id, value, ttlMs);
      },
      destroy: (id) => memory.destroy(id),
    };
    bff = await startBff({
      registry: {
        now: () => Date.now() + clockSkewMs,
        updateToken: (_name, token) => recordIssued(token),
      },
      bff: {
        store: recordingStore,
        onLogin: (_ctx, { token }) => void recordIssued(token),
      },
      async register(registry, bffUrl) {
        const oauth2 = await registerOAuth2Client(provider, registry, bffUrl, 'oidc', {
          clientId: 'bff-leaks',
          config: { clientKwargs: { scope: 'openid profile email offline_access' } },
        });
        issued.add(oauth2.clientSecret);
        const oauth1 = await registerOAuth1Client(provider, registry, bffUrl, 'one', { clientId: 'bff-leaks-1' });
        issued.add(oauth1.clientSecret);
      },
    });
  });
  afterAll(async () => {
    await bff.close();
    await provider.close();
  });

  it('in no response body or header, no log line, and no stored session value', async () => {
    const browser = bff.browser();
    await browser.login('oidc');
    await browser.login('one');
    await browser.session();
    await browser.fetch('/bff/api/oidc/me', { csrf: true });
    await browser.fetch('/bff/api/one/echo', {
      method: 'POST',
      csrf: true,
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    clockSkewMs += 2 * 3600 * 1000;
    await browser.fetch('/bff/api/oidc/echo?x=1', { csrf: true });
    await browser.fetch('/bff/api/oidc/../x', { csrf: true });
    await browser.fetch('/bff/api/oidc/me');
    await browser.fetch('/bff/callback/oidc?state=forged&code=x');
    await browser.fetch('/bff/disconnect/one', { method: 'POST', csrf: true });
    await browser.fetch('/bff/logout', { method: 'POST', csrf: true });

    // The run did issue, refresh and store tokens: the checks below have something to find.
    expect(issued.size).toBeGreaterThanOrEqual(8);
    expect(provider.countEvents('token_request', 'refresh_token')).toBe(1);
    expect(stored.length).toBeGreaterThan(0);
    expect(bff.logs.length).toBeGreaterThan(5);

    const outputs = [
      ...browser.responses.map((response) => `${JSON.stringify(response.headers)}\n${response.body}`),
      ...bff.logs.map((line) => JSON.stringify(line)),
      ...stored,
    ];
    for (const secret of issued) {
      for (const output of outputs) expect(output.includes(secret), 'a token or secret leaked').toBe(false);
    }
  });
});
