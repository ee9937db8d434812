import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_ERROR_PARAM, LOGIN_ERROR_PROVIDER_PARAM } from '@latchkey/common';
import { hmacSha256 } from '@latchkey/oauth1';
import { userFromClaims, type SignatureType } from '@latchkey/bff';
import { ALICE, startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { startBff, type TestBff } from './harness.js';

const METHODS = ['HMAC-SHA1', 'RSA-SHA1', 'PLAINTEXT', 'HMAC-SHA256'] as const;
// Not built in: given to the provider and to the BFF's registry, each on its own.
const extraSignatureMethods = { 'HMAC-SHA256': hmacSha256 };
const PLACEMENTS: SignatureType[] = ['header', 'query', 'body'];
const nameOf = (method: string, placement: string) => `${method.toLowerCase()}-${placement}`;

describe('OAuth 1.0a login through the BFF', () => {
  let provider: TestProvider;
  let bff: TestBff;

  beforeAll(async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    provider = await startTestProvider({
      oauth1: { signatureMethods: [...METHODS], extraSignatureMethods, dangerouslyAllowPlaintextOverHttp: true },
    });
    bff = await startBff({
      registry: { extraSignatureMethods },
      async register(registry, bffUrl) {
        for (const method of METHODS) {
          for (const placement of PLACEMENTS) {
            const name = nameOf(method, placement);
            const client = await provider.provider.registerClient({
              clientId: `consumer-${name}`,
              oauth1: {
                callbackUris: [`${bffUrl}/bff/callback/${name}`],
                ...(method === 'RSA-SHA1' ? { rsaPublicKey: publicKey } : {}),
              },
            });
            registry.register(name, {
              clientId: client.clientId,
              ...(client.clientSecret === undefined ? {} : { clientSecret: client.clientSecret }),
              requestTokenUrl: `${provider.url}/oauth1/initiate`,
              authorizeUrl: `${provider.url}/oauth1/authorize`,
              accessTokenUrl: `${provider.url}/oauth1/token`,
              apiBaseUrl: `${provider.url}/api`,
              clientKwargs: {
                signatureMethod: method,
                signatureType: placement,
                ...(method === 'RSA-SHA1' ? { rsaKey: privateKey } : {}),
              },
              userInfo: async ({ client: api }) => userFromClaims(await (await api.get('me')).json()),
            });
          }
        }
      },
    });
  });
  afterAll(async () => {
    await bff.close();
    await provider.close();
  });

  for (const method of METHODS) {
    for (const placement of PLACEMENTS) {
      it(`logs in with ${method} in the ${placement} and signs proxied GET and form POST`, async () => {
        const name = nameOf(method, placement);
        const browser = bff.browser();
        const { location } = await browser.login(name, { returnTo: '/linked' });
        expect(location).toBe('/linked');
        const session = await browser.session();
        expect(session).toMatchObject({
          authenticated: true,
          user: { sub: ALICE.sub },
          connections: [{ provider: name, protocol: 'oauth1', expiresAt: null, scopes: [] }],
        });

        const me = await browser.fetch(`/bff/api/${name}/me`, { csrf: true });
        expect(me.status).toBe(200);
        expect(await me.json()).toMatchObject({ sub: ALICE.sub, protocol: 'oauth1' });

        const echo = await browser.fetch(`/bff/api/${name}/echo?page=2`, {
          method: 'POST',
          csrf: true,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'title=Beach+day&tag=a%26b',
        });
        expect(echo.status).toBe(200);
        const echoed = (await echo.json()) as {
          method: string;
          query: Record<string, string>;
          body: Record<string, string>;
          sub: string;
          headers: string[];
        };
        expect(echoed).toMatchObject({ method: 'POST', sub: ALICE.sub, query: { page: '2' } });
        expect(echoed.body).toMatchObject({ title: 'Beach day', tag: 'a&b' });
        // The protocol parameters travelled where the client was told to put them (RFC 5849 section 3.5).
        expect('oauth_signature' in echoed.query).toBe(placement === 'query');
        expect('oauth_signature' in echoed.body).toBe(placement === 'body');
        expect(echoed.headers.includes('authorization')).toBe(placement === 'header');
      });
    }
  }

  it('turns a refusal at the provider (denied=) into authorization_denied for the SPA', async () => {
    const name = nameOf('HMAC-SHA1', 'header');
    const browser = bff.browser();
    const { location } = await browser.login(name, { returnTo: '/after', decision: 'deny' });
    const url = new URL(location as string, 'http://spa.invalid');
    expect(url.pathname).toBe('/after');
    expect(url.searchParams.get(LOGIN_ERROR_PARAM)).toBe('authorization_denied');
    expect(url.searchParams.get(LOGIN_ERROR_PROVIDER_PARAM)).toBe(name);
    expect((await browser.session()).authenticated).toBe(false);
  });

  // Twitter answers a refusal with `denied=<temporary token>` alone, Authlib with `error=access_denied` alone:
  // neither names oauth_token, yet each is a refusal at the login's returnTo, not a missing state.
  for (const [shape, query] of [
    ['denied=<token> alone', (token: string) => `denied=${encodeURIComponent(token)}`],
    ['error=access_denied alone', () => 'error=access_denied'],
  ] as const) {
    it(`turns a refusal carrying ${shape} into authorization_denied at the login's returnTo`, async () => {
      const name = nameOf('HMAC-SHA1', 'header');
      const browser = bff.browser();
      const authorize = new URL(await browser.startLogin(name, '/refused'));
      const token = authorize.searchParams.get('oauth_token') as string;
      const back = await browser.fetch(`/bff/callback/${name}?${query(token)}`);
      const url = new URL(back.headers.get('location') as string, 'http://spa.invalid');
      expect(url.pathname).toBe('/refused');
      expect(url.searchParams.get(LOGIN_ERROR_PARAM)).toBe('authorization_denied');
      expect((await browser.session()).authenticated).toBe(false);
    });
  }

  it('finds no refused login for a browser that started none: authorization_denied at /', async () => {
    const name = nameOf('HMAC-SHA1', 'header');
    await bff.browser().startLogin(name, '/theirs');
    const back = await bff.browser().fetch(`/bff/callback/${name}?error=access_denied`);
    const url = new URL(back.headers.get('location') as string, 'http://spa.invalid');
    expect(url.pathname).toBe('/');
    expect(url.searchParams.get(LOGIN_ERROR_PARAM)).toBe('authorization_denied');
  });
});
