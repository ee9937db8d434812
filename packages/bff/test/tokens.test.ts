import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OAuth2Token, OAuthToken, PreviousToken } from '@latchkey/bff';
import { ALICE, startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { startBff, type Browser, type TestBff } from './harness.js';
import { introspect, registerOAuth2Client, revokeAccessToken, type ProviderClient } from './provider-clients.js';

/** Refresh, revocation and linking tests share one provider and one BFF with two OAuth 2 providers. */
describe('tokens held by the BFF', () => {
  let provider: TestProvider;
  let bff: TestBff;
  let clockSkewMs = 0;
  const clients = new Map<string, ProviderClient>();
  const logins: { provider: string; token: OAuthToken }[] = [];
  const updates: { provider: string; token: OAuth2Token; previous: PreviousToken }[] = [];

  beforeAll(async () => {
    provider = await startTestProvider();
    bff = await startBff({
      registry: {
        now: () => Date.now() + clockSkewMs,
        updateToken: (name, token, previous) => void updates.push({ provider: name, token, previous }),
      },
      bff: {
        onLogin: (_ctx, login) => {
          logins.push({ provider: login.provider, token: login.token });
          // The app's own user for a first login with beta; otherwise the default.
          return login.provider === 'beta' && login.currentUser === null ? { sub: `app:${login.userInfo?.sub}` } : undefined;
        },
      },
      async register(registry, bffUrl) {
        for (const name of ['alpha', 'beta']) {
          const config = { clientKwargs: { scope: 'openid profile email offline_access' } };
          clients.set(name, await registerOAuth2Client(provider, registry, bffUrl, name, { config }));
        }
      },
    });
  });
  afterAll(async () => {
    await bff.close();
    await provider.close();
  });

  const refreshes = () => provider.countEvents('token_request', 'refresh_token');
  const lastToken = (name: string) => logins.filter((login) => login.provider === name).at(-1)?.token as OAuth2Token;
  /** Moves the BFF's clock past the expiry of every token issued so far. */
  const expireTokens = () => {
    clockSkewMs += 2 * 3600 * 1000;
  };
  async function loggedIn(name = 'alpha'): Promise<Browser> {
    const browser = bff.browser();
    await browser.login(name);
    return browser;
  }
  const isActive = async (name: string, token: string) => (await introspect(provider, clients.get(name) as ProviderClient, token)).active;

  it('refreshes an expired token before a proxied call and calls updateToken once', async () => {
    const browser = await loggedIn();
    const old = lastToken('alpha');
    const before = refreshes();
    const expiresBefore = (await browser.session()).connections[0]?.expiresAt as number;
    expireTokens();
    updates.length = 0;

    const me = await browser.fetch('/bff/api/alpha/me', { csrf: true });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ sub: ALICE.sub });
    expect(refreshes()).toBe(before + 1);
    expect(updates).toHaveLength(1);
    expect(updates[0]).toMatchObject({ provider: 'alpha', previous: { accessToken: old.accessToken, refreshToken: old.refreshToken } });
    expect(updates[0]?.token.accessToken).not.toBe(old.accessToken);

    // The refreshed token was stored: the next call does not refresh again.
    expect((await browser.fetch('/bff/api/alpha/me', { csrf: true })).status).toBe(200);
    expect(refreshes()).toBe(before + 1);
    expect((await browser.session()).connections[0]?.expiresAt).toBeGreaterThan(expiresBefore);
  });

  it('50 concurrent proxied calls with an expired token cause exactly one refresh', async () => {
    const browser = await loggedIn();
    expireTokens();
    const before = refreshes();
    updates.length = 0;
    const responses = await Promise.all(Array.from({ length: 50 }, () => browser.fetch('/bff/api/alpha/me', { csrf: true })));
    expect(responses.map((response) => response.status)).toEqual(Array(50).fill(200));
    expect(refreshes()).toBe(before + 1);
    expect(updates).toHaveLength(1);
  });

  it('refreshes and retries once when the provider answers 401 to a token it revoked', async () => {
    const browser = await loggedIn();
    const token = lastToken('alpha');
    await revokeAccessToken(provider, clients.get('alpha') as ProviderClient, token.accessToken);
    const before = refreshes();
    const me = await browser.fetch('/bff/api/alpha/me', { csrf: true });
    expect(me.status).toBe(200);
    expect(refreshes()).toBe(before + 1);
  });

  it('links a second provider to the same session and keeps the user', async () => {
    const browser = await loggedIn('alpha');
    await browser.login('beta');
    const session = await browser.session();
    expect(session.user).toMatchObject({ sub: ALICE.sub });
    expect(session.connections.map((connection) => connection.provider).sort()).toEqual(['alpha', 'beta']);
    expect((await browser.fetch('/bff/api/beta/me', { csrf: true })).status).toBe(200);
  });

  it('lets onLogin choose the session user', async () => {
    const browser = await loggedIn('beta');
    expect((await browser.session()).user).toEqual({ sub: `app:${ALICE.sub}` });
  });

  it('disconnect unlinks one provider, revokes its tokens, and keeps the session', async () => {
    const browser = await loggedIn('alpha');
    await browser.login('beta');
    const beta = lastToken('beta');
    expect(await isActive('beta', beta.refreshToken as string)).toBe(true);

    const response = await browser.fetch('/bff/disconnect/beta', { method: 'POST', csrf: true });
    expect(response.status).toBe(204);
    expect(await isActive('beta', beta.refreshToken as string)).toBe(false);
    const session = await browser.session();
    expect(session.connections.map((connection) => connection.provider)).toEqual(['alpha']);
    const proxied = await browser.fetch('/bff/api/beta/me', { csrf: true });
    expect(proxied.status).toBe(401);
    expect(((await proxied.json()) as { error: { code: string } }).error.code).toBe('login_required');
    expect((await browser.fetch('/bff/api/alpha/me', { csrf: true })).status).toBe(200);
  });

  it('logout revokes the tokens at the provider and ends the session', async () => {
    const browser = await loggedIn('alpha');
    const token = lastToken('alpha');
    const sessionCookie = browser.cookieHeader();
    const revokedBefore = provider.countEvents('token_revoked');

    const response = await browser.fetch('/bff/logout', { method: 'POST', csrf: true });
    expect(response.status).toBe(204);
    expect(provider.countEvents('token_revoked')).toBeGreaterThan(revokedBefore);
    expect(await isActive('alpha', token.refreshToken as string)).toBe(false);
    expect(await isActive('alpha', token.accessToken)).toBe(false);
    expect(browser.cookies.size).toBe(0);
    expect((await browser.session()).authenticated).toBe(false);

    // The old session id is dead on the server too, not only forgotten by the browser.
    const replay = await fetch(`${bff.url}/bff/session`, { headers: { cookie: sessionCookie } });
    expect(((await replay.json()) as { authenticated: boolean }).authenticated).toBe(false);
  });
});
