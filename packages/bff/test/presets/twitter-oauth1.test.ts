import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, type Listening } from '../../../../test-support/listen.js';
import { startTestProvider, type TestProvider } from '../../../../test-support/provider.js';
import { presets } from '../../src/presets/index.js';
import { startBff, type TestBff } from '../harness.js';
import { verifyCredentials } from './fixtures/twitter.js';

/**
 * X's OAuth 1.0a preset: the temporary-credential, authorize and token steps run against the embedded
 * provider's OAuth 1.0a server (at its own paths); the account comes from a stand-in of
 * `GET /1.1/account/verify_credentials.json` that answers X's documented shape to signed requests.
 */
describe('twitterOAuth1 preset', () => {
  let provider: TestProvider;
  let api: Listening;
  let bff: TestBff;
  const apiCalls: { path: string; authorization: string | undefined }[] = [];

  beforeAll(async () => {
    provider = await startTestProvider();
    api = await listen((req, res) => {
      const url = new URL(req.url ?? '/', 'http://stand-in.invalid');
      apiCalls.push({ path: `${url.pathname}${url.search}`, authorization: req.headers.authorization });
      const signed = /^OAuth /.test(req.headers.authorization ?? '') && /oauth_token="[^"]+"/.test(req.headers.authorization ?? '');
      res.setHeader('content-type', 'application/json');
      if (url.pathname !== '/1.1/account/verify_credentials.json' || !signed) {
        res.statusCode = 401;
        res.end(JSON.stringify({ errors: [{ code: 32, message: 'Could not authenticate you.' }] }));
        return;
      }
      res.end(JSON.stringify(verifyCredentials));
    });
    bff = await startBff({
      async register(registry, bffUrl) {
        const client = await provider.provider.registerClient({
          clientId: 'x-consumer-key',
          oauth1: { callbackUris: [`${bffUrl}/bff/callback/twitter`] },
        });
        registry.register('twitter', {
          ...presets.twitterOAuth1({ clientId: client.clientId, clientSecret: client.clientSecret as string }),
          requestTokenUrl: `${provider.url}/oauth1/initiate`,
          authorizeUrl: `${provider.url}/oauth1/authorize`,
          accessTokenUrl: `${provider.url}/oauth1/token`,
          apiBaseUrl: `${api.url}/1.1`,
        });
      },
    });
  });
  afterAll(async () => {
    await bff?.close();
    await api?.close();
    await provider?.close();
  });

  it('logs in with HMAC-SHA1 and maps verify_credentials to the standard claims', async () => {
    const browser = bff.browser();
    const { location } = await browser.login('twitter');
    expect(location).toBe('/');
    const session = await browser.session();
    expect(session.user).toEqual({
      sub: '2244994945',
      name: 'X Dev',
      email: 'dev@x.example',
      preferred_username: 'TwitterDev',
      picture: 'https://pbs.twimg.com/profile_images/1445764922474827784/W2zEPN7U_normal.jpg',
      profile: 'https://x.com/TwitterDev',
    });
    expect(session.connections).toEqual([expect.objectContaining({ provider: 'twitter', protocol: 'oauth1', expiresAt: null })]);
    const call = apiCalls.at(-1);
    expect(call?.path).toBe('/1.1/account/verify_credentials.json?include_email=true&skip_status=true');
    expect(call?.authorization).toContain('oauth_signature_method="HMAC-SHA1"');
  });

  it('a refusal at X becomes authorization_denied', async () => {
    const { location } = await bff.browser().login('twitter', { decision: 'deny' });
    expect(location).toBe('/?latchkey_error=authorization_denied&latchkey_provider=twitter');
  });

  it('is OAuth 1.0a by its request token URL, with X’s endpoints', () => {
    const config = presets.twitterOAuth1();
    expect(config).toMatchObject({
      requestTokenUrl: 'https://api.x.com/oauth/request_token',
      authorizeUrl: 'https://api.x.com/oauth/authenticate',
      accessTokenUrl: 'https://api.x.com/oauth/access_token',
      clientKwargs: { signatureMethod: 'HMAC-SHA1', signatureType: 'header' },
    });
    expect(config.clientKwargs?.scope).toBeUndefined();
  });
});
