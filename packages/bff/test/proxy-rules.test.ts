import type { IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BFF_ERROR_HEADER, CSRF_HEADER, CSRF_HEADER_VALUE } from '@latchkey/common';
import type { OAuthToken } from '@latchkey/bff';
import { listen, type Listening } from '../../../test-support/listen.js';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { rawRequest, startBff, type Browser, type TestBff } from './harness.js';
import { registerOAuth1Client, registerOAuth2Client } from './provider-clients.js';

const errorCode = (body: string) => (JSON.parse(body) as { error: { code: string } }).error.code;

/** Cache headers the stand-in API answers `/base/cache/<name>` with. */
const CACHE_ANSWERS: Record<string, Record<string, string>> = {
  public: { 'cache-control': 'public, max-age=60, s-maxage=600', vary: 'Accept-Encoding' },
  none: {},
  'no-store': { 'cache-control': 'no-store' },
  // A qualified private leaves the rest of the answer shareable (RFC 9111 section 5.2.2.7).
  qualified: { 'cache-control': 'private="x-user", max-age=60, community="a,b"', vary: 'accept, Cookie' },
  'vary-star': { 'cache-control': 'max-age=5', vary: '*' },
};

/** A stand-in API that records every request with its headers; `/base/unauthorized` always answers 401. */
async function startRecordingApi(): Promise<Listening & { requests: { method: string; url: string; headers: IncomingHttpHeaders }[] }> {
  const requests: { method: string; url: string; headers: IncomingHttpHeaders }[] = [];
  const server = await listen((req, res) => {
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    req.resume();
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      if (path === '/base/unauthorized') {
        res.writeHead(401, { 'www-authenticate': 'OAuth realm="api"', 'content-type': 'application/json' });
        res.end('{"error":"token_rejected"}');
        return;
      }
      const cache = CACHE_ANSWERS[path.replace('/base/cache/', '')];
      res.writeHead(200, { 'content-type': 'application/json', ...(path.startsWith('/base/cache/') ? cache : {}) });
      res.end(JSON.stringify({ method: req.method, url: req.url }));
    });
  });
  return Object.assign(server, { requests });
}

/** An HTTP/1.1 request written by hand on a socket: the head, part of the body, then nothing. Resolves with what came back. */
function stalledRequest(base: string, head: string[], partialBody: string): Promise<string> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(`${head.join('\r\n')}\r\n\r\n${partialBody}`));
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    // The BFF closes the connection after its answer: the rest of the body is never waited for.
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
  });
}

/**
 * The proxy's rules for methods, paths, headers, bodies and answers (ARCHITECTURE.md, security rules,
 * "Proxy: only the provider's `apiBaseUrl` is reachable; the joined URL must stay under it (...); drop
 * `Cookie`, `Authorization` from the browser and hop-by-hop headers; ...; bound body sizes and time"),
 * each over HTTP against a stand-in API that records what reaches it.
 */
describe('proxy rules', () => {
  let provider: TestProvider;
  let api: Awaited<ReturnType<typeof startRecordingApi>>;
  let bff: TestBff;
  let browser: Browser;

  beforeAll(async () => {
    provider = await startTestProvider();
    api = await startRecordingApi();
    bff = await startBff({
      bff: { bodyTimeoutMs: 500 },
      async register(registry, bffUrl) {
        const apiBaseUrl = `${api.url}/base/`;
        await registerOAuth2Client(provider, registry, bffUrl, 'stand', {
          config: { apiBaseUrl, clientKwargs: { scope: 'openid offline_access' } },
        });
        await registerOAuth1Client(provider, registry, bffUrl, 'oauth1', {
          config: { apiBaseUrl, userInfo: async () => ({ sub: 'alice' }) },
        });
      },
    });
    browser = bff.browser();
    await browser.login('stand');
    await browser.login('oauth1');
  });
  afterAll(async () => {
    await bff?.close();
    await api?.close();
    await provider?.close();
  });

  const headers = () => ({ cookie: browser.cookieHeader(), [CSRF_HEADER]: CSRF_HEADER_VALUE });

  /** Runs `call` and checks that the stand-in API saw no request. */
  async function nothingReachesApi<T>(call: () => Promise<T>): Promise<T> {
    const before = api.requests.length;
    const result = await call();
    expect(api.requests.slice(before)).toEqual([]);
    return result;
  }

  describe('paths: servlet dot segments (..;) stay refused like the other dot forms', () => {
    for (const path of [
      '..;/admin',
      'a/..;/..;/admin',
      '..;jsessionid=x/admin',
      '.;/admin',
      '%2e%2e;/admin',
      '%2e%2e%3b/admin',
      '.%2E%3Bx/admin',
      'a/..%3B/..%3b/admin',
    ]) {
      it(`refuses ${JSON.stringify(path)} with invalid_proxy_path`, async () => {
        const response = await nothingReachesApi(() => rawRequest(bff.url, `/bff/api/stand/${path}`, { headers: headers() }));
        expect(response.status).toBe(400);
        expect(errorCode(response.body)).toBe('invalid_proxy_path');
      });
    }

    it('still forwards ; inside other segments (matrix parameters of ordinary segments)', async () => {
      const response = await rawRequest(bff.url, '/bff/api/stand/items;v=2/...;x', { headers: headers() });
      expect(response.status).toBe(200);
      expect(api.requests.at(-1)?.url).toBe('/base/items;v=2/...;x');
    });
  });

  describe('queries: @ is an ordinary query character', () => {
    it('forwards a raw @ in the query as browsers send it', async () => {
      const response = await rawRequest(bff.url, '/bff/api/stand/search?q=alice@example.com&cc=bob@example.com', { headers: headers() });
      expect(response.status).toBe(200);
      expect(api.requests.at(-1)?.url).toBe('/base/search?q=alice@example.com&cc=bob@example.com');
    });

    it('also in a query that goes through the URL parser', async () => {
      const response = await rawRequest(bff.url, '/bff/api/stand/a%20b?q=alice@example.com&s="x"', { headers: headers() });
      expect(response.status).toBe(200);
      expect(api.requests.at(-1)?.url).toBe('/base/a%20b?q=alice@example.com&s=%22x%22');
    });

    it('still refuses @ in the path', async () => {
      const response = await nothingReachesApi(() => rawRequest(bff.url, '/bff/api/stand/alice@example.com?q=1', { headers: headers() }));
      expect(errorCode(response.body)).toBe('invalid_proxy_path');
    });
  });

  describe('methods: only those an API uses are proxied', () => {
    for (const method of ['TRACE', 'PROPFIND', 'PURGE', 'MKCOL']) {
      it(`refuses ${method} with 405 method_not_allowed and an Allow header, before the token is attached`, async () => {
        const response = await nothingReachesApi(() => rawRequest(bff.url, '/bff/api/stand/items', { method, headers: headers() }));
        expect(response.status).toBe(405);
        expect(response.headers[BFF_ERROR_HEADER]).toBe('method_not_allowed');
        expect(errorCode(response.body)).toBe('method_not_allowed');
        expect(response.headers.allow).toBe('GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS');
      });
    }

    it('the programmatic client refuses TRACE, TRACK and CONNECT too (Node answers those two itself on the wire)', async () => {
      const client = bff.registry.client('stand');
      const token: OAuthToken = { kind: 'oauth2', accessToken: 'a-token', tokenType: 'bearer', scopes: [] };
      for (const method of ['TRACE', 'TRACK', 'CONNECT']) {
        await nothingReachesApi(() =>
          expect(client.request(method, 'items', { token })).rejects.toMatchObject({ code: 'method_not_allowed' }),
        );
      }
    });

    it('forwards every allowed method', async () => {
      for (const method of ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']) {
        const response = await rawRequest(bff.url, '/bff/api/stand/items', { method, headers: headers() });
        expect(response.status, method).toBe(200);
        expect(api.requests.at(-1)?.method).toBe(method);
      }
    });
  });

  describe('request headers named in Connection are hop-by-hop (RFC 9110 section 7.6.1)', () => {
    it('drops the allow-listed headers the browser side named in Connection', async () => {
      await rawRequest(bff.url, '/bff/api/stand/items', {
        headers: {
          ...headers(),
          connection: 'keep-alive, Accept-Language,if-none-match',
          accept: 'application/json',
          'accept-language': 'fr',
          'if-none-match': '"v1"',
          'user-agent': 'test',
        },
      });
      const seen = api.requests.at(-1)?.headers;
      expect(seen?.accept).toBe('application/json');
      expect(seen?.['user-agent']).toBe('test');
      expect(seen?.['accept-language']).toBeUndefined();
      expect(seen?.['if-none-match']).toBeUndefined();
    });

    it('keeps them with a plain Connection: keep-alive', async () => {
      await rawRequest(bff.url, '/bff/api/stand/items', { headers: { ...headers(), connection: 'keep-alive', 'accept-language': 'fr' } });
      expect(api.requests.at(-1)?.headers['accept-language']).toBe('fr');
    });
  });

  describe('answers to a cookie-authenticated call are private to that browser', () => {
    const cases = [
      ['public', 'private, max-age=60, s-maxage=600', 'Accept-Encoding, Cookie'],
      ['none', 'private', 'Cookie'],
      ['no-store', 'private, no-store', 'Cookie'],
      ['qualified', 'private, max-age=60, community="a,b"', 'accept, Cookie'],
      ['vary-star', 'private, max-age=5', '*'],
    ] as const;
    for (const [name, cacheControl, vary] of cases) {
      it(`${name}: Cache-Control ${JSON.stringify(cacheControl)}, Vary ${JSON.stringify(vary)}`, async () => {
        const response = await browser.fetch(`/bff/api/stand/cache/${name}`, { csrf: true });
        expect(response.status).toBe(200);
        expect(response.headers.get('cache-control')).toBe(cacheControl);
        expect(response.headers.get('vary')).toBe(vary);
      });
    }
  });

  describe('a request body that stalls is bounded in time', () => {
    const head = (framing: string) => [
      'POST /bff/api/stand/upload HTTP/1.1',
      `host: ${new URL(bff.url).host}`,
      `cookie: ${browser.cookieHeader()}`,
      `${CSRF_HEADER}: ${CSRF_HEADER_VALUE}`,
      'content-type: application/json',
      framing,
    ];

    it('half a declared body, then nothing: 408 request_timeout, the connection closed, nothing sent upstream', async () => {
      const answer = await nothingReachesApi(() => stalledRequest(bff.url, head('content-length: 100'), '{"half":"'.padEnd(50, 'x')));
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(answer).toMatch(/\r\nconnection: close\r\n/i);
      expect(answer).toContain(`${BFF_ERROR_HEADER}: request_timeout`);
      expect(errorCode(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toBe('request_timeout');
    });

    it('a chunked body whose last chunk never comes: the same', async () => {
      const answer = await nothingReachesApi(() => stalledRequest(bff.url, head('transfer-encoding: chunked'), '5\r\n{"a":\r\n'));
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(answer).toContain(`${BFF_ERROR_HEADER}: request_timeout`);
    });

    it('a body sent whole is forwarded as before', async () => {
      const response = await rawRequest(bff.url, '/bff/api/stand/upload', { method: 'POST', headers: headers(), body: '{"whole":true}' });
      expect(response.status).toBe(200);
      expect(api.requests.at(-1)?.method).toBe('POST');
    });
  });

  describe('OAuth 1 token credentials cannot be refreshed (RFC 5849 has no refresh)', () => {
    it('an OAuth 1 call answered 401 reaches the API once, and the API answer comes back as it is', async () => {
      const before = api.requests.length;
      const response = await browser.fetch('/bff/api/oauth1/unauthorized', { csrf: true });
      expect(api.requests.length - before).toBe(1);
      expect(api.requests.at(-1)?.headers.authorization).toMatch(/^OAuth /);
      expect(response.status).toBe(401);
      expect(response.headers.get(BFF_ERROR_HEADER)).toBeNull();
      expect(await response.json()).toEqual({ error: 'token_rejected' });
    });

    it('an OAuth 2 call answered 401 is refreshed and retried once (for contrast)', async () => {
      const before = api.requests.length;
      const response = await browser.fetch('/bff/api/stand/unauthorized', { csrf: true });
      expect(api.requests.length - before).toBe(2);
      expect(api.requests.at(-1)?.headers.authorization).not.toBe(api.requests.at(-2)?.headers.authorization);
      expect(response.status).toBe(401);
    });
  });
});
