import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BFF_ERROR_HEADER, CSRF_HEADER, CSRF_HEADER_VALUE, LOGIN_ERROR_PARAM, LOGIN_ERROR_PROVIDER_PARAM } from '@latchkey/common';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { submitAuthorizeForm } from '../../../test-support/authorize-form.js';
import { rawRequest, startBff, startRecordingUpstream, type Browser, type RecordingUpstream, type TestBff } from './harness.js';
import { registerOAuth2Client } from './provider-clients.js';

const errorCode = (body: string) => (JSON.parse(body) as { error: { code: string } }).error.code;
const loginError = (location: string | null) => new URL(location ?? '', 'http://spa.invalid').searchParams.get(LOGIN_ERROR_PARAM);

describe('attacks on the BFF are refused, and nothing reaches the provider', () => {
  let provider: TestProvider;
  let upstream: RecordingUpstream;
  let bff: TestBff;
  let browser: Browser;

  beforeAll(async () => {
    provider = await startTestProvider();
    upstream = await startRecordingUpstream();
    bff = await startBff({
      bff: { maxBodyBytes: 1024 },
      async register(registry, bffUrl) {
        const apis = {
          latchkey: `${provider.url}/api/`,
          stand: `${upstream.url}/base/`,
          slow: `${upstream.url}/slow/`,
          down: 'http://127.0.0.1:9/',
        };
        for (const [name, apiBaseUrl] of Object.entries(apis)) {
          const clientKwargs = { scope: 'openid profile offline_access', ...(name === 'slow' ? { timeoutMs: 400 } : {}) };
          await registerOAuth2Client(provider, registry, bffUrl, name, { config: { apiBaseUrl, clientKwargs } });
        }
      },
    });
    browser = bff.browser();
    await browser.login('latchkey');
    await browser.login('stand');
    await browser.login('slow');
    await browser.login('down');
  });
  afterAll(async () => {
    await bff.close();
    await upstream.close();
    await provider.close();
  });

  /** Runs `attack` and checks that neither the provider nor the stand-in upstream saw any request. */
  async function nothingReachesUpstream<T>(attack: () => Promise<T>): Promise<T> {
    const events = provider.events.length;
    const recorded = upstream.requests.length;
    const result = await attack();
    expect(provider.events.slice(events)).toEqual([]);
    expect(upstream.requests.slice(recorded)).toEqual([]);
    return result;
  }

  describe('CSRF', () => {
    it('refuses a proxied call without the CSRF header', async () => {
      const response = await nothingReachesUpstream(() => browser.fetch('/bff/api/stand/x'));
      expect(response.status).toBe(403);
      expect(response.headers.get(BFF_ERROR_HEADER)).toBe('csrf_rejected');
      expect(errorCode(await response.text())).toBe('csrf_rejected');
    });

    it('refuses a proxied call from a foreign Origin, even with the header', async () => {
      const response = await nothingReachesUpstream(() =>
        browser.fetch('/bff/api/stand/x', { method: 'POST', csrf: true, headers: { origin: 'https://evil.example' }, body: 'a=1' }),
      );
      expect(response.status).toBe(403);
      expect(errorCode(await response.text())).toBe('origin_rejected');
    });

    it('refuses a cross-site Sec-Fetch-Site', async () => {
      const response = await nothingReachesUpstream(() =>
        browser.fetch('/bff/api/stand/x', { csrf: true, headers: { 'sec-fetch-site': 'cross-site' } }),
      );
      expect(errorCode(await response.text())).toBe('csrf_rejected');
    });

    it('accepts the BFF own origin and same-origin fetch metadata', async () => {
      const response = await browser.fetch('/bff/api/stand/ok', {
        csrf: true,
        headers: { origin: bff.url, 'sec-fetch-site': 'same-origin' },
      });
      expect(response.status).toBe(200);
    });

    it('refuses logout and disconnect without the header, and the session survives', async () => {
      for (const path of ['/bff/logout', '/bff/disconnect/stand']) {
        const response = await nothingReachesUpstream(() => browser.fetch(path, { method: 'POST' }));
        expect(response.status).toBe(403);
        expect(errorCode(await response.text())).toBe('csrf_rejected');
      }
      const foreign = await browser.fetch('/bff/logout', { method: 'POST', csrf: true, headers: { origin: 'https://evil.example' } });
      expect(errorCode(await foreign.text())).toBe('origin_rejected');
      expect((await browser.session()).connections).toHaveLength(4);
    });
  });

  describe('login and callback', () => {
    it('refuses a forged state without calling the token endpoint', async () => {
      const response = await nothingReachesUpstream(() => browser.fetch('/bff/callback/latchkey?code=stolen&state=forged'));
      expect(response.status).toBe(302);
      expect(loginError(response.headers.get('location'))).toBe('state_mismatch');
    });

    it('refuses a callback without state', async () => {
      const response = await nothingReachesUpstream(() => browser.fetch('/bff/callback/latchkey?code=stolen'));
      expect(loginError(response.headers.get('location'))).toBe('state_missing');
    });

    it('refuses a replayed callback', async () => {
      const victim = bff.browser();
      const { callback } = await victim.login('latchkey');
      const replay = await nothingReachesUpstream(() => victim.fetch(callback));
      expect(loginError(replay.headers.get('location'))).toBe('state_mismatch');
    });

    it('refuses a callback delivered to another browser session (login CSRF)', async () => {
      const attacker = bff.browser();
      const authorizeUrl = await attacker.startLogin('latchkey');
      const answer = await submitAuthorizeForm(authorizeUrl);
      const victim = bff.browser();
      const response = await nothingReachesUpstream(() => victim.fetch(answer.location as string));
      expect(loginError(response.headers.get('location'))).toBe('state_mismatch');
      expect((await victim.session()).authenticated).toBe(false);
    });

    it('turns a consent refusal into authorization_denied on the SPA page, never a stack trace', async () => {
      const user = bff.browser();
      const before = provider.countEvents('token_request');
      const { location } = await user.login('latchkey', { decision: 'deny', returnTo: '/start?x=1#top' });
      const url = new URL(location as string, 'http://spa.invalid');
      expect(url.pathname).toBe('/start');
      expect(url.searchParams.get('x')).toBe('1');
      expect(url.hash).toBe('#top');
      expect(url.searchParams.get(LOGIN_ERROR_PARAM)).toBe('authorization_denied');
      expect(url.searchParams.get(LOGIN_ERROR_PROVIDER_PARAM)).toBe('latchkey');
      expect(provider.countEvents('token_request')).toBe(before);
      expect((await user.session()).authenticated).toBe(false);
    });

    for (const returnTo of [
      '//evil.example',
      'https:evil',
      '/\\evil',
      'https://evil.example/',
      '/.//evil.example',
      '/%2F%2Fevil.example',
      '/x/../%2F%2Fevil.example',
      '\\\\evil',
      '/\tevil',
      'javascript:alert(1)',
    ]) {
      it(`refuses returnTo ${JSON.stringify(returnTo)}`, async () => {
        const response = await nothingReachesUpstream(() =>
          bff.browser().fetch(`/bff/login/latchkey?returnTo=${encodeURIComponent(returnTo)}`),
        );
        expect(response.status).toBe(400);
        expect(response.headers.get('location')).toBeNull();
        expect(errorCode(await response.text())).toBe('invalid_return_to');
      });
    }

    it('gives the session a new id at login (no session fixation)', async () => {
      const user = bff.browser();
      const authorizeUrl = await user.startLogin('latchkey');
      const planted = user.cookieHeader();
      const answer = await submitAuthorizeForm(authorizeUrl);
      await user.fetch(answer.location as string);
      expect(user.cookieHeader()).not.toBe(planted);
      expect((await user.session()).authenticated).toBe(true);
      const withPlanted = await fetch(`${bff.url}/bff/session`, { headers: { cookie: planted } });
      expect(((await withPlanted.json()) as { authenticated: boolean }).authenticated).toBe(false);
    });

    it('answers an unknown provider with unknown_provider', async () => {
      const response = await bff.browser().fetch('/bff/login/nobody');
      expect(response.status).toBe(404);
      expect(errorCode(await response.text())).toBe('unknown_provider');
      const proxied = await bff.browser().fetch('/bff/api/nobody/me', { csrf: true });
      expect(proxied.status).toBe(404);
      expect(errorCode(await proxied.text())).toBe('unknown_provider');
    });
  });

  describe('proxy paths', () => {
    const traversals = [
      '../../oauth/token',
      '..',
      'a/../../secret',
      '%2e%2e/secret',
      '%2E%2E/%2e%2E/secret',
      '.%2e/secret',
      './secret',
      'a%2fb',
      'a%2F..%2Fb',
      '%5c..%5csecret',
      'a\\..\\secret',
      '\\\\evil.example/x',
      'http://evil.example/x',
      'http:%2f%2fevil.example/x',
      'https:evil.example',
      '//evil.example/x',
      '@evil.example/x',
      'x@evil.example',
      '%40evil.example',
      '%252e%252e/secret',
      'a%00b',
    ];
    for (const path of traversals) {
      it(`refuses ${JSON.stringify(path)}`, async () => {
        const response = await nothingReachesUpstream(() =>
          rawRequest(bff.url, `/bff/api/stand/${path}`, { headers: { cookie: browser.cookieHeader(), [CSRF_HEADER]: CSRF_HEADER_VALUE } }),
        );
        expect(response.status).toBe(400);
        expect(errorCode(response.body)).toBe('invalid_proxy_path');
      });
    }

    it('forwards an ordinary path and query under the base', async () => {
      const response = await rawRequest(bff.url, '/bff/api/stand/users/a%20b/items?page=2&q=x%2Fy', {
        headers: { cookie: browser.cookieHeader(), [CSRF_HEADER]: CSRF_HEADER_VALUE },
      });
      expect(response.status).toBe(200);
      expect(upstream.requests.at(-1)?.url).toBe('/base/users/a%20b/items?page=2&q=x%2Fy');
    });
  });

  describe('headers and bodies', () => {
    it('never forwards the browser Cookie or Authorization upstream', async () => {
      await browser.fetch('/bff/api/stand/headers', {
        csrf: true,
        headers: {
          cookie: `${browser.cookieHeader()}; tracking=1`,
          authorization: 'Basic YnJvd3Nlcjpzd2FnZ2Vy',
          'x-forwarded-for': '203.0.113.9',
          accept: 'application/json',
        },
      });
      const seen = upstream.requests.at(-1);
      expect(seen?.headers.cookie).toBeUndefined();
      expect(seen?.headers['x-forwarded-for']).toBeUndefined();
      expect(seen?.headers[CSRF_HEADER]).toBeUndefined();
      expect(seen?.headers.authorization).toMatch(/^Bearer /);
      expect(seen?.headers.accept).toBe('application/json');

      const echo = await browser.fetch('/bff/api/latchkey/echo', {
        csrf: true,
        headers: { cookie: `${browser.cookieHeader()}; tracking=1` },
      });
      expect(((await echo.json()) as { headers: string[] }).headers).not.toContain('cookie');
    });

    it('never returns an upstream Set-Cookie (or a forged BFF error marker)', async () => {
      const response = await browser.fetch('/bff/api/stand/set-cookie', { csrf: true });
      expect(response.status).toBe(200);
      expect(response.headers.getSetCookie()).toEqual([]);
      expect(response.headers.get(BFF_ERROR_HEADER)).toBeNull();
      expect(response.headers.get('x-upstream')).toBe('yes');
    });

    it('refuses an oversized body with 413 before anything is sent', async () => {
      const response = await nothingReachesUpstream(() =>
        browser.fetch('/bff/api/stand/upload', { method: 'POST', csrf: true, body: 'x'.repeat(2048) }),
      );
      expect(response.status).toBe(413);
      expect(errorCode(await response.text())).toBe('body_too_large');
    });

    it('refuses an oversized chunked body (no Content-Length) with 413', async () => {
      const response = await nothingReachesUpstream(() =>
        rawRequest(bff.url, '/bff/api/stand/upload', {
          method: 'POST',
          chunked: true,
          body: 'y'.repeat(4096),
          headers: { cookie: browser.cookieHeader(), [CSRF_HEADER]: CSRF_HEADER_VALUE },
        }),
      );
      expect(response.status).toBe(413);
      expect(errorCode(response.body)).toBe('body_too_large');
    });
  });

  describe('upstream failures', () => {
    it('answers 504 upstream_timeout when the API does not answer in time', async () => {
      const response = await browser.fetch('/bff/api/slow/anything', { csrf: true });
      expect(response.status).toBe(504);
      expect(errorCode(await response.text())).toBe('upstream_timeout');
    });

    it('answers 502 upstream_error when the API cannot be reached', async () => {
      const response = await browser.fetch('/bff/api/down/anything', { csrf: true });
      expect(response.status).toBe(502);
      expect(errorCode(await response.text())).toBe('upstream_error');
    });

    it('answers 401 login_required without a session, reaching nothing', async () => {
      const response = await nothingReachesUpstream(() => bff.browser().fetch('/bff/api/stand/x', { csrf: true }));
      expect(response.status).toBe(401);
      expect(errorCode(await response.text())).toBe('login_required');
    });

    it('ignores a forged session cookie', async () => {
      const response = await nothingReachesUpstream(() =>
        fetch(`${bff.url}/bff/api/stand/x`, { headers: { cookie: `latchkey=${'A'.repeat(43)}`, [CSRF_HEADER]: CSRF_HEADER_VALUE } }),
      );
      expect(response.status).toBe(401);
    });
  });
});
