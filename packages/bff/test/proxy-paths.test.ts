import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CSRF_HEADER, CSRF_HEADER_VALUE } from '@latchkey/common';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { rawRequest, startBff, startRecordingUpstream, type Browser, type RecordingUpstream, type TestBff } from './harness.js';
import { registerOAuth2Client } from './provider-clients.js';

/**
 * The path and query the upstream receives, byte for byte. Plain paths and queries are joined without
 * a URL parser, anything else goes through one: both must send exactly what a WHATWG URL parser makes
 * of the joined URL, so which way a call took never shows upstream.
 */
describe('proxied paths as the upstream receives them', () => {
  let provider: TestProvider;
  let upstream: RecordingUpstream;
  let bff: TestBff;
  let browser: Browser;

  beforeAll(async () => {
    provider = await startTestProvider();
    upstream = await startRecordingUpstream();
    bff = await startBff({
      async register(registry, bffUrl) {
        await registerOAuth2Client(provider, registry, bffUrl, 'api', {
          clientId: 'bff-paths',
          config: { apiBaseUrl: `${upstream.url}/v1/` },
        });
      },
    });
    browser = bff.browser();
    await browser.login('api');
  });
  afterAll(async () => {
    await bff?.close();
    await upstream?.close();
    await provider?.close();
  });

  const sent = [
    // Plain path and query: as they came.
    ['items', '/v1/items'],
    ['items/', '/v1/items/'],
    ['', '/v1/'],
    ["a/b:c/d;e=f,g/h!$&'()*+~_.-", "/v1/a/b:c/d;e=f,g/h!$&'()*+~_.-"],
    ['items?page=2&q=a,b:c/d?e=f%2Fg[0]{x}|y^z`', '/v1/items?page=2&q=a,b:c/d?e=f%2Fg[0]{x}|y^z`'],
    // Encoded path segments come out in their shortest encoding.
    ['users/a%20b/%7Euser/%41', '/v1/users/a%20b/~user/A'],
    // Query characters a URL parser percent-encodes in a query.
    [`items?q='"<>`, '/v1/items?q=%27%22%3C%3E'],
    [`a%20b?q=it's`, '/v1/a%20b?q=it%27s'],
  ] as const;
  for (const [path, received] of sent) {
    it(`sends ${JSON.stringify(path)} as ${JSON.stringify(received)}`, async () => {
      const response = await rawRequest(bff.url, `/bff/api/api/${path}`, {
        headers: { cookie: browser.cookieHeader(), [CSRF_HEADER]: CSRF_HEADER_VALUE },
      });
      expect(response.status).toBe(200);
      expect(upstream.requests.at(-1)?.url).toBe(received);
      expect(new URL(received, upstream.url).pathname.startsWith('/v1/')).toBe(true);
    });
  }
});
