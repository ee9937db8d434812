import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_ERROR_PARAM, LOGIN_ERROR_PROVIDER_PARAM } from '@latchkey/common';
import { userFromClaims, type ClientKwargs } from '@latchkey/bff';
import { startBff, type TestBff } from '../../packages/bff/test/harness.js';
import { answerConsent, authlibGate, startAuthlibServer, type AuthlibServer } from './authlib-peer.js';
import { expectProxiedGetAndFormPost } from './proxied-calls.js';

/** Ids and secrets holding `- _ . ~`, which Authlib 1.2 compares in Basic credentials without URL-decoding. */
const CLIENTS = {
  basic: { clientId: 'o2-basic_client.v1~x', clientSecret: 'b4s1c-secret_.~Z', method: 'client_secret_basic' },
  post: { clientId: 'o2-post_client.v1~x', clientSecret: 'p0st-secret_.~Z', method: 'client_secret_post' },
  none: { clientId: 'o2-public_client.v1~x', clientSecret: undefined, method: 'none' },
} as const;
type ClientName = keyof typeof CLIENTS;
/** Authlib issues access tokens for this long; the BFF refreshes 60 s before expiry (its default). */
const EXPIRES_IN = 120;

interface IssuedToken {
  access_token: string;
  refresh_token: string;
  access_token_revoked: boolean;
  refresh_token_revoked: boolean;
}

/**
 * The BFF logs in through Authlib's own OAuth 2 server (Flask, as Authlib's documentation and example
 * build it) with default settings: authorization code with PKCE S256, each client authentication, a
 * proxied GET and form POST, refresh with rotation, revocation at logout and a refusal.
 */
describe.runIf(authlibGate())('BFF against Authlib OAuth 2 server', () => {
  let authlib: AuthlibServer;
  let bff: TestBff;
  let clockSkewMs = 0;

  beforeAll(async () => {
    authlib = await startAuthlibServer('oauth2_server.py', ['--expires-in', String(EXPIRES_IN)]);
    bff = await startBff({
      registry: { now: () => Date.now() + clockSkewMs },
      async register(registry, bffUrl) {
        for (const [name, client] of Object.entries(CLIENTS)) {
          await authlib.registerClient({
            client_id: client.clientId,
            client_secret: client.clientSecret,
            token_endpoint_auth_method: client.method,
            redirect_uris: [`${bffUrl}/bff/callback/${name}`],
          });
          const clientKwargs: ClientKwargs = {
            scope: 'profile',
            ...(client.method === 'client_secret_basic' ? {} : { tokenEndpointAuthMethod: client.method }),
          };
          registry.register(name, {
            clientId: client.clientId,
            ...(client.clientSecret === undefined ? {} : { clientSecret: client.clientSecret }),
            authorizeUrl: `${authlib.url}/oauth/authorize`,
            accessTokenUrl: `${authlib.url}/oauth/token`,
            revokeTokenUrl: `${authlib.url}/oauth/revoke`,
            apiBaseUrl: `${authlib.url}/api/`,
            clientKwargs,
            userInfo: async ({ client: api }) => userFromClaims(await (await api.get('me')).json()),
          });
        }
      },
    });
  }, 60_000);
  afterAll(async () => {
    await bff?.close();
    await authlib?.close();
  });

  async function login(name: ClientName, allow = true, returnTo = '/linked') {
    const browser = bff.browser();
    const authorizeUrl = new URL(await browser.startLogin(name, returnTo));
    expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
    const callback = await answerConsent(authorizeUrl.href, { allow });
    const response = await browser.fetch(callback);
    return { browser, location: response.headers.get('location') };
  }

  const issued = async (name: ClientName): Promise<IssuedToken[]> =>
    (await (await fetch(`${authlib.url}/admin/tokens?client_id=${encodeURIComponent(CLIENTS[name].clientId)}`)).json()) as IssuedToken[];

  /** Whether Authlib still honours these tokens: its API with the access token, its token endpoint with the refresh token. */
  async function liveAtAuthlib(name: ClientName, token: IssuedToken) {
    const api = await fetch(`${authlib.url}/api/me`, { headers: { authorization: `Bearer ${token.access_token}` } });
    const client = CLIENTS[name];
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: token.refresh_token, client_id: client.clientId });
    if (client.method === 'client_secret_post') form.set('client_secret', client.clientSecret);
    const headers: Record<string, string> =
      client.method === 'client_secret_basic'
        ? { authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}` }
        : {};
    const refresh = await fetch(`${authlib.url}/oauth/token`, { method: 'POST', body: form, headers });
    return { api: api.status, refresh: refresh.status, refreshError: ((await refresh.json()) as { error?: string }).error };
  }

  for (const name of Object.keys(CLIENTS) as ClientName[]) {
    it(`logs in with ${CLIENTS[name].method} and proxies a GET and a form POST`, async () => {
      const { browser, location } = await login(name);
      expect(location).toBe('/linked');
      expect(await browser.session()).toMatchObject({
        authenticated: true,
        user: { sub: '1', preferred_username: 'alice' },
        connections: [{ provider: name, protocol: 'oauth2', scopes: ['profile'] }],
      });
      await expectProxiedGetAndFormPost(browser, name, 'oauth2');
    });
  }

  it('refreshes once with rotation when the token nears expiry, and Authlib has revoked the previous tokens', async () => {
    const { browser } = await login('basic');
    const before = await issued('basic');
    const first = before.at(-1) as IssuedToken;
    // 100 s later by the BFF's clock, the token has 20 s left, under the 60 s skew: five calls at once, one refresh.
    clockSkewMs += 100_000;
    const calls = await Promise.all(Array.from({ length: 5 }, () => browser.fetch('/bff/api/basic/me', { csrf: true })));
    expect(calls.map((call) => call.status)).toEqual([200, 200, 200, 200, 200]);
    const after = await issued('basic');
    expect(after).toHaveLength(before.length + 1);
    const rotated = after.at(-1) as IssuedToken;
    expect(rotated.refresh_token).not.toBe(first.refresh_token);
    expect(after.find((token) => token.access_token === first.access_token)).toMatchObject({
      access_token_revoked: true,
      refresh_token_revoked: true,
    });
    expect(await liveAtAuthlib('basic', first)).toMatchObject({ api: 401, refresh: 400, refreshError: 'invalid_grant' });
    // The rotated token serves the next call with no further refresh.
    expect((await browser.fetch('/bff/api/basic/me', { csrf: true })).status).toBe(200);
    expect(await issued('basic')).toHaveLength(after.length);
  });

  for (const name of Object.keys(CLIENTS) as ClientName[]) {
    it(`revokes the ${CLIENTS[name].method} client's tokens at Authlib on logout`, async () => {
      const { browser } = await login(name);
      const token = (await issued(name)).at(-1) as IssuedToken;
      const logout = await browser.fetch('/bff/logout', { method: 'POST', csrf: true });
      expect(logout.status).toBe(204);
      expect((await browser.session()).authenticated).toBe(false);
      const row = (await issued(name)).find((issuedToken) => issuedToken.access_token === token.access_token);
      expect(row).toMatchObject({ access_token_revoked: true, refresh_token_revoked: true });
      expect(await liveAtAuthlib(name, token)).toMatchObject({ api: 401, refresh: 400, refreshError: 'invalid_grant' });
    });
  }

  it("turns Authlib's refusal (the user did not consent) into authorization_denied at returnTo", async () => {
    const { browser, location } = await login('none', false, '/after');
    const url = new URL(location as string, 'http://spa.invalid');
    expect(url.pathname).toBe('/after');
    expect(url.searchParams.get(LOGIN_ERROR_PARAM)).toBe('authorization_denied');
    expect(url.searchParams.get(LOGIN_ERROR_PROVIDER_PARAM)).toBe('none');
    expect((await browser.session()).authenticated).toBe(false);
  });
});
