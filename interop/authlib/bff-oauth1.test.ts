import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_ERROR_PARAM } from '@latchkey/common';
import { userFromClaims, type SignatureType } from '@latchkey/bff';
import { startBff, type TestBff } from '../../packages/bff/test/harness.js';
import { answerConsent, authlibGate, startAuthlibServer, type AuthlibServer } from './authlib-peer.js';
import { expectProxiedGetAndFormPost } from './proxied-calls.js';

const METHODS = ['HMAC-SHA1', 'RSA-SHA1', 'PLAINTEXT'] as const;
const PLACEMENTS: SignatureType[] = ['header', 'query', 'body'];
const nameOf = (method: string, placement: string) => `${method.toLowerCase()}-${placement}`;

/**
 * The BFF logs in through Authlib's own OAuth 1.0a server (Flask, as Authlib's documentation builds it)
 * with default settings: every signature method in every placement Authlib reads (RFC 5849 section 3.5),
 * then signs proxied calls that Authlib's ResourceProtector verifies, nonce and timestamp included.
 */
describe.runIf(authlibGate())('BFF against Authlib OAuth 1.0a server', () => {
  let authlib: AuthlibServer;
  let bff: TestBff;

  beforeAll(async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    authlib = await startAuthlibServer('oauth1_server.py');
    bff = await startBff({
      async register(registry) {
        for (const method of METHODS) {
          for (const placement of PLACEMENTS) {
            const name = nameOf(method, placement);
            // Ids and secrets with the characters RFC 5849 section 3.6 leaves unencoded and one it encodes.
            const clientId = `consumer-${name}_v1.~`;
            const clientSecret = `secret-${name}_+/=`;
            await authlib.registerClient({
              client_id: clientId,
              client_secret: clientSecret,
              ...(method === 'RSA-SHA1' ? { rsa_public_key: publicKey } : {}),
            });
            registry.register(name, {
              clientId,
              clientSecret,
              requestTokenUrl: `${authlib.url}/initiate`,
              authorizeUrl: `${authlib.url}/authorize`,
              accessTokenUrl: `${authlib.url}/token`,
              apiBaseUrl: `${authlib.url}/api/`,
              clientKwargs: {
                signatureMethod: method,
                signatureType: placement,
                ...(method === 'RSA-SHA1' ? { rsaKey: privateKey } : {}),
              },
              userInfo: async ({ client }) => userFromClaims(await (await client.get('me')).json()),
            });
          }
        }
      },
    });
  }, 60_000);
  afterAll(async () => {
    await bff?.close();
    await authlib?.close();
  });

  async function login(name: string, allow: boolean, returnTo = '/linked') {
    const browser = bff.browser();
    const authorizeUrl = await browser.startLogin(name, returnTo);
    expect(authorizeUrl.startsWith(`${authlib.url}/authorize?oauth_token=`)).toBe(true);
    const callback = await answerConsent(authorizeUrl, { allow });
    const response = await browser.fetch(callback);
    return { browser, location: response.headers.get('location'), callback };
  }

  for (const method of METHODS) {
    for (const placement of PLACEMENTS) {
      it(`logs in with ${method} in the ${placement} and signs a proxied GET and form POST`, async () => {
        const name = nameOf(method, placement);
        const { browser, location } = await login(name, true);
        expect(location).toBe('/linked');
        expect(await browser.session()).toMatchObject({
          authenticated: true,
          user: { sub: '1', preferred_username: 'alice' },
          connections: [{ provider: name, protocol: 'oauth1' }],
        });

        await expectProxiedGetAndFormPost(browser, name, 'oauth1', { user: 'alice' });
      });
    }
  }

  it("keeps the user logged out when Authlib answers the user's refusal (error=access_denied, no oauth_token)", async () => {
    const name = nameOf('HMAC-SHA1', 'header');
    const { browser, location, callback } = await login(name, false, '/after');
    const back = new URL(callback);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.has('oauth_token')).toBe(false);
    expect(new URL(location as string, 'http://spa.invalid').searchParams.get(LOGIN_ERROR_PARAM)).not.toBeNull();
    expect((await browser.session()).authenticated).toBe(false);
  });

  // Authlib's refusal names no oauth_token, the key of the BFF's OAuth 1 login transaction: the BFF finds the
  // refused login through this browser's login-binding cookie.
  it("turns Authlib's refusal into authorization_denied at the login's returnTo", async () => {
    const { location } = await login(nameOf('HMAC-SHA1', 'header'), false, '/after');
    const url = new URL(location as string, 'http://spa.invalid');
    expect(url.searchParams.get(LOGIN_ERROR_PARAM)).toBe('authorization_denied');
    expect(url.pathname).toBe('/after');
  });
});
