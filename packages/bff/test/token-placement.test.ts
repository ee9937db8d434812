import type { Middleware } from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BFF_ERROR_HEADER, isLatchkeyError } from '@latchkey/common';
import type { OAuth2Token, OAuthToken, TokenPlacement } from '@latchkey/bff';
import { listen, type Listening } from '../../../test-support/listen.js';
import { ALICE, startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { startBff, type Browser, type TestBff } from './harness.js';
import { registerOAuth2Client, revokeAccessToken, type ProviderClient } from './provider-clients.js';

interface Echo {
  method: string;
  query: Record<string, string>;
  body: unknown;
  sub: string | null;
  headers: string[];
  content_type: string | null;
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const errorCode = async (response: Response) => ((await response.json()) as { error: { code: string } }).error.code;

/** A stand-in API that records each request with its body, to show what never left the BFF. */
async function startBodyRecorder(): Promise<Listening & { requests: { method: string; url: string; body: string }[] }> {
  const requests: { method: string; url: string; body: string }[] = [];
  const server = await listen((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', body: Buffer.concat(chunks).toString('latin1') });
      res.setHeader('content-type', 'application/json');
      res.end('{"ok":true}');
    });
  });
  return Object.assign(server, { requests });
}

/**
 * RFC 6750 section 2: the access token in the header (2.1), a form body (2.2) or the query (2.3),
 * through the proxy and the programmatic client, against the provider with both opt-in placements on.
 */
describe('OAuth 2 token placement', () => {
  let provider: TestProvider;
  let recorder: Awaited<ReturnType<typeof startBodyRecorder>>;
  let bff: TestBff;
  let browser: Browser;
  const clients = new Map<string, ProviderClient>();
  const tokens = new Map<string, OAuth2Token>();
  const recordedToken: OAuthToken = { kind: 'oauth2', accessToken: 'recorded-access-token', tokenType: 'bearer', scopes: [] };

  /** The app's own route: `/app/:provider/:how` calls the provider's echo with `client.get`/`post`. */
  const appRoutes: Middleware = async (ctx) => {
    const match = /^\/app\/([a-z-]+)\/([a-z-]+)$/.exec(ctx.path);
    if (match === null) return;
    const client = bff.registry.client(match[1] as string);
    try {
      const response =
        match[2] === 'get'
          ? await client.get('echo?page=2', { ctx, params: { access_token: 'planted' } })
          : match[2] === 'form'
            ? await client.post('echo', { ctx, form: { title: 'Beach day', access_token: 'planted' } })
            : match[2] === 'empty'
              ? await client.post('echo', { ctx })
              : await client.post('echo', { ctx, json: { title: 'Beach day' } });
      ctx.body = { status: response.status, echo: await response.json() };
    } catch (error) {
      ctx.status = 500;
      ctx.body = { thrown: isLatchkeyError(error) ? error.code : 'untyped' };
    }
  };

  beforeAll(async () => {
    provider = await startTestProvider({ features: { bearerInQuery: true, bearerInBody: true } });
    recorder = await startBodyRecorder();
    bff = await startBff({
      registry: {
        updateToken: (name, token) => void tokens.set(name, token),
      },
      bff: { onLogin: (_ctx, login) => void tokens.set(login.provider, login.token as OAuth2Token) },
      appRoutes,
      async register(registry, bffUrl) {
        const placements: TokenPlacement[] = ['header', 'query', 'body'];
        for (const placement of placements) {
          const name = `in-${placement}`;
          const config = { clientKwargs: { scope: 'openid profile offline_access', tokenPlacement: placement } };
          clients.set(name, await registerOAuth2Client(provider, registry, bffUrl, name, { config }));
        }
        const endpoints = { authorizeUrl: `${provider.url}/oauth/authorize`, accessTokenUrl: `${provider.url}/oauth/token` };
        // Body placement in front of a recorder, with a token from fetchToken: shows what is sent, and what is not.
        registry.register('recorded', {
          clientId: 'recorded',
          clientSecret: 'recorded-secret',
          ...endpoints,
          apiBaseUrl: `${recorder.url}/api/`,
          clientKwargs: { tokenPlacement: 'body' },
          fetchToken: async () => recordedToken,
        });
        // Query placement towards an API that cannot be reached: the error path must not log the URL.
        registry.register('unreachable', {
          clientId: 'unreachable',
          clientSecret: 'unreachable-secret',
          ...endpoints,
          apiBaseUrl: 'http://127.0.0.1:9/api/',
          clientKwargs: { tokenPlacement: 'query' },
          fetchToken: async () => recordedToken,
        });
      },
    });
    browser = bff.browser();
    for (const placement of ['header', 'query', 'body']) await browser.login(`in-${placement}`);
  });
  afterAll(async () => {
    await bff.close();
    await recorder.close();
    await provider.close();
  });

  const accessTokenOf = (name: string) => tokens.get(name)?.accessToken as string;

  describe('through the proxy', () => {
    it('header: Authorization only (section 2.1)', async () => {
      const response = await browser.fetch('/bff/api/in-header/echo?page=2', { csrf: true });
      expect(response.status).toBe(200);
      const echo = (await response.json()) as Echo;
      expect(echo).toMatchObject({ sub: ALICE.sub, query: { page: '2' } });
      expect(echo.headers).toContain('authorization');
      expect(echo.query).not.toHaveProperty('access_token');
    });

    it('query: the session token in access_token, replacing one the browser sent, and no Authorization (section 2.3)', async () => {
      const response = await browser.fetch('/bff/api/in-query/echo?page=2&access_token=planted', { csrf: true });
      expect(response.status).toBe(200);
      const echo = (await response.json()) as Echo;
      expect(echo).toMatchObject({ method: 'GET', sub: ALICE.sub, query: { page: '2', access_token: accessTokenOf('in-query') } });
      expect(echo.headers).not.toContain('authorization');
    });

    it('body: the session token as a form field, replacing one the browser sent, and no Authorization (section 2.2)', async () => {
      const response = await browser.fetch('/bff/api/in-body/echo?page=2', {
        method: 'POST',
        csrf: true,
        headers: FORM,
        body: 'title=Beach+day&access_token=planted',
      });
      expect(response.status).toBe(200);
      const echo = (await response.json()) as Echo;
      expect(echo).toMatchObject({ method: 'POST', sub: ALICE.sub, query: { page: '2' }, content_type: FORM['content-type'] });
      expect(echo.body).toEqual({ title: 'Beach day', access_token: accessTokenOf('in-body') });
      expect(echo.headers).not.toContain('authorization');
    });

    it('body: a POST without a body becomes a form body with the token only', async () => {
      const response = await browser.fetch('/bff/api/in-body/echo', { method: 'POST', csrf: true });
      expect(response.status).toBe(200);
      const echo = (await response.json()) as Echo;
      expect(echo).toMatchObject({ sub: ALICE.sub, content_type: FORM['content-type'], body: { access_token: accessTokenOf('in-body') } });
    });

    it('body: sends exactly the form the browser sent plus the token', async () => {
      const response = await browser.fetch('/bff/api/recorded/items', { method: 'PUT', csrf: true, headers: FORM, body: 'a=1&b=%2B+x' });
      expect(response.status).toBe(200);
      expect(recorder.requests.at(-1)).toEqual({
        method: 'PUT',
        url: '/api/items',
        body: 'a=1&b=%2B+x&access_token=recorded-access-token',
      });
    });

    it('body: refuses with unsupported_request what cannot carry a form body, before anything is sent', async () => {
      const before = recorder.requests.length;
      const refused = [
        browser.fetch('/bff/api/recorded/items', {
          method: 'POST',
          csrf: true,
          headers: { 'content-type': 'application/json' },
          body: '{"a":1}',
        }),
        browser.fetch('/bff/api/recorded/items', { method: 'POST', csrf: true, headers: { 'content-type': 'text/plain' }, body: 'a=1' }),
        browser.fetch('/bff/api/recorded/items', { csrf: true }),
        browser.fetch('/bff/api/recorded/items', { method: 'HEAD', csrf: true }),
        // Section 2.2: the content of the body must be ASCII only.
        browser.fetch('/bff/api/recorded/items', { method: 'POST', csrf: true, headers: FORM, body: 'name=Z%C3%BCrich' }),
        browser.fetch('/bff/api/recorded/items', { method: 'POST', csrf: true, headers: FORM, body: 'name=Zürich' }),
      ];
      for (const response of await Promise.all(refused)) {
        expect(response.status).toBe(400);
        expect(response.headers.get(BFF_ERROR_HEADER)).toBe('unsupported_request');
      }
      const json = await browser.fetch('/bff/api/recorded/items', {
        method: 'POST',
        csrf: true,
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(await errorCode(json)).toBe('unsupported_request');
      expect(recorder.requests.length).toBe(before);
    });

    it('body: a session token refused upstream is refreshed and the retry carries the new one in the body', async () => {
      const old = accessTokenOf('in-body');
      await revokeAtProvider('in-body', old);
      const response = await browser.fetch('/bff/api/in-body/echo', { method: 'POST', csrf: true, headers: FORM, body: 'n=1' });
      expect(response.status).toBe(200);
      const echo = (await response.json()) as Echo;
      expect(accessTokenOf('in-body')).not.toBe(old);
      expect(echo.body).toEqual({ n: '1', access_token: accessTokenOf('in-body') });
    });
  });

  describe('through the programmatic client', () => {
    it('query: client.get puts the session token in the query, replacing a planted one', async () => {
      const answer = (await (await browser.fetch('/app/in-query/get')).json()) as { status: number; echo: Echo };
      expect(answer.status).toBe(200);
      expect(answer.echo.query).toEqual({ page: '2', access_token: accessTokenOf('in-query') });
      expect(answer.echo.headers).not.toContain('authorization');
    });

    it('body: client.post with a form, and without a body, puts the token in the form', async () => {
      const form = (await (await browser.fetch('/app/in-body/form')).json()) as { status: number; echo: Echo };
      expect(form.status).toBe(200);
      expect(form.echo.body).toEqual({ title: 'Beach day', access_token: accessTokenOf('in-body') });
      expect(form.echo.headers).not.toContain('authorization');
      const empty = (await (await browser.fetch('/app/in-body/empty')).json()) as { status: number; echo: Echo };
      expect(empty.echo.body).toEqual({ access_token: accessTokenOf('in-body') });
    });

    it('body: client.get and a JSON client.post throw unsupported_request', async () => {
      const before = recorder.requests.length;
      expect(await (await browser.fetch('/app/in-body/get')).json()).toEqual({ thrown: 'unsupported_request' });
      expect(await (await browser.fetch('/app/in-body/json')).json()).toEqual({ thrown: 'unsupported_request' });
      expect(await (await browser.fetch('/app/recorded/json')).json()).toEqual({ thrown: 'unsupported_request' });
      expect(recorder.requests.length).toBe(before);
    });
  });

  it('a token in the query never appears in a log line, on success, refresh or failure', async () => {
    const old = accessTokenOf('in-query');
    await revokeAtProvider('in-query', old);
    const refreshed = await browser.fetch('/bff/api/in-query/echo?page=3', { csrf: true });
    expect(refreshed.status).toBe(200);
    const renewed = accessTokenOf('in-query');
    expect(renewed).not.toBe(old);
    expect(((await refreshed.json()) as Echo).query.access_token).toBe(renewed);
    const unreachable = await browser.fetch('/bff/api/unreachable/items?x=1', { csrf: true });
    expect(unreachable.headers.get(BFF_ERROR_HEADER)).toBe('upstream_error');
    await browser.fetch('/app/in-query/get');

    // The run logged proxied calls, the refresh and the failure: there was something to search.
    const lines = bff.logs.map((line) => JSON.stringify(line));
    expect(bff.logs.some((line) => line.message === 'proxied')).toBe(true);
    expect(bff.logs.some((line) => line.message === 'token refreshed')).toBe(true);
    expect(bff.logs.some((line) => line.level === 'error' && line.fields?.code === 'upstream_error')).toBe(true);
    for (const secret of [old, renewed, recordedToken.accessToken]) {
      expect(lines.filter((line) => line.includes(secret))).toEqual([]);
      expect(lines.filter((line) => line.includes(encodeURIComponent(secret)))).toEqual([]);
    }
  });

  async function revokeAtProvider(name: string, token: string): Promise<void> {
    const response = await revokeAccessToken(provider, clients.get(name) as ProviderClient, token);
    expect(response.status).toBe(200);
  }
});
