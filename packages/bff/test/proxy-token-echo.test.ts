import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BFF_ERROR_HEADER } from '@latchkey/common';
import type { OAuthToken } from '@latchkey/bff';
import { listen, type Listening } from '../../../test-support/listen.js';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { startBff, type Browser, type TestBff } from './harness.js';
import { registerOAuth1Client, registerOAuth2Client } from './provider-clients.js';

/** A token from `fetchToken` with the characters that percent-encoding changes. */
const FETCHED: OAuthToken = { kind: 'oauth2', accessToken: 'fetched/token+with=chars', tokenType: 'bearer', scopes: [] };

/**
 * A stand-in API that repeats the request URL the way real servers do: in a redirect that keeps the
 * query, a relative redirect, a canonical `Content-Location`, a pagination `Link`, a login redirect with
 * the URL nested in a parameter, and a redirect body.
 */
async function startEchoingApi(): Promise<Listening & { requests: string[] }> {
  const requests: string[] = [];
  const server = await listen((req, res) => {
    req.resume();
    const url = req.url ?? '';
    requests.push(url);
    const query = url.includes('?') ? url.slice(url.indexOf('?')) : '';
    const path = url.split('?')[0];
    const answer = (status: number, headers: Record<string, string>, body = '') => {
      res.writeHead(status, { 'content-type': 'text/html', ...headers });
      res.end(body);
    };
    if (path === '/api/moved')
      answer(302, { location: `https://elsewhere.example/next${query}` }, `<a href="https://elsewhere.example/next${query}">moved</a>`);
    else if (path === '/api/items') answer(301, { location: `/api/items/${query}` });
    else if (path === '/api/canonical') answer(200, { 'content-location': `/api/canonical/1${query}` }, '{}');
    else if (path === '/api/pages') answer(200, { link: `<http://api.example/api/pages${query}&page=2>; rel="next"` }, '[]');
    // The request URL nested in a parameter, with lower-case hex escapes.
    else if (path === '/api/login')
      answer(303, {
        location: `https://login.example/?return=${encodeURIComponent(`http://api.example${url}`).replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase())}`,
      });
    // A redirect that does not repeat the query, with a body that does.
    else if (path === '/api/download') answer(302, { location: 'https://cdn.example/file.zip' }, `Redirecting from ${url}`);
    else answer(200, { 'content-type': 'application/json' }, JSON.stringify({ url }));
  });
  return Object.assign(server, { requests });
}

/**
 * ARCHITECTURE.md, security rules: "An upstream answer never carries a token back to the browser
 * (`Location` included)." With `tokenPlacement: 'query'` (RFC 6750 section 2.3) or an OAuth 1 query
 * signature, the token is in the URL the API sees, and servers copy that URL into their answers.
 */
describe('a token sent in the query never comes back to the browser', () => {
  let provider: TestProvider;
  let api: Awaited<ReturnType<typeof startEchoingApi>>;
  let bff: TestBff;
  let browser: Browser;
  const tokens = new Map<string, OAuthToken>();

  beforeAll(async () => {
    provider = await startTestProvider({ oauth1: { signatureMethods: ['PLAINTEXT'], dangerouslyAllowPlaintextOverHttp: true } });
    api = await startEchoingApi();
    bff = await startBff({
      bff: { onLogin: (_ctx, login) => void tokens.set(login.provider, login.token) },
      async register(registry, bffUrl) {
        const apiBaseUrl = `${api.url}/api/`;
        await registerOAuth2Client(provider, registry, bffUrl, 'in-query', {
          config: { apiBaseUrl, clientKwargs: { tokenPlacement: 'query' } },
        });
        await registerOAuth2Client(provider, registry, bffUrl, 'in-header', { config: { apiBaseUrl } });
        await registerOAuth1Client(provider, registry, bffUrl, 'oauth1-query', {
          config: {
            apiBaseUrl,
            clientKwargs: { signatureMethod: 'PLAINTEXT', signatureType: 'query' },
            userInfo: async () => ({ sub: 'alice' }),
          },
        });
        registry.register('fetched', {
          clientId: 'fetched',
          clientSecret: 'fetched-secret',
          authorizeUrl: `${provider.url}/oauth/authorize`,
          accessTokenUrl: `${provider.url}/oauth/token`,
          apiBaseUrl,
          clientKwargs: { tokenPlacement: 'query' },
          fetchToken: async () => FETCHED,
        });
      },
    });
    browser = bff.browser();
    for (const name of ['in-query', 'in-header', 'oauth1-query']) await browser.login(name);
  });
  afterAll(async () => {
    await bff?.close();
    await api?.close();
    await provider?.close();
  });

  /** Every form of the credentials that went into the URL for `name`. */
  function secretsOf(name: string): string[] {
    const token = name === 'fetched' ? FETCHED : tokens.get(name);
    if (token === undefined) throw new Error(`no token for ${name}`);
    const raw = token.kind === 'oauth2' ? [token.accessToken] : [token.oauthToken, token.oauthTokenSecret];
    return raw.flatMap((secret) => [secret, encodeURIComponent(secret), encodeURIComponent(encodeURIComponent(secret))]);
  }

  /** The browser's whole view of the answer: status line, headers and body. */
  const seen = async (response: Awaited<ReturnType<Browser['fetch']>>) =>
    `${response.status} ${JSON.stringify([...response.headers])} ${await response.text()}`;

  it('the API did receive the credentials in the query (there is something to leak)', async () => {
    for (const name of ['in-query', 'oauth1-query', 'fetched']) {
      const response = await browser.fetch(`/bff/api/${name}/echo?page=1`, { csrf: true });
      expect(response.status).toBe(200);
      const url = api.requests.at(-1) as string;
      expect(secretsOf(name).some((secret) => url.includes(secret))).toBe(true);
    }
  });

  for (const name of ['in-query', 'oauth1-query', 'fetched']) {
    for (const path of ['moved?page=1', 'items', 'canonical', 'pages?page=1', 'login']) {
      it(`${name}: refuses an answer to ${path} that repeats the credentials, with upstream_token_echo`, async () => {
        const before = api.requests.length;
        const response = await browser.fetch(`/bff/api/${name}/${path}`, { csrf: true });
        expect(api.requests.length).toBe(before + 1);
        expect(response.status).toBe(502);
        expect(response.headers.get(BFF_ERROR_HEADER)).toBe('upstream_token_echo');
        expect(response.headers.get('location')).toBeNull();
        const everything = await seen(response);
        for (const secret of secretsOf(name)) expect(everything).not.toContain(secret);
      });
    }
  }

  it('passes a redirect that does not repeat the token, without its body (browsers never show it to the page)', async () => {
    const response = await browser.fetch('/bff/api/in-query/download', { csrf: true });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('https://cdn.example/file.zip');
    expect(await response.text()).toBe('');
    expect(api.requests.at(-1)).toContain('access_token=');
  });

  it('passes the same redirects when the token travels in the Authorization header', async () => {
    const response = await browser.fetch('/bff/api/in-header/moved?page=1', { csrf: true });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('https://elsewhere.example/next?page=1');
  });

  it('the programmatic client refuses the same answers', async () => {
    const client = bff.registry.client('fetched');
    await expect(client.get('moved?page=1')).rejects.toMatchObject({ code: 'upstream_token_echo' });
    expect((await client.get('echo')).status).toBe(200);
  });
});
