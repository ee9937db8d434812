import * as undici from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLatchkeyError } from '@latchkey/common';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { startBff, startRecordingUpstream, type Browser, type RecordingUpstream, type TestBff } from '../../bff/test/harness.js';
import { registerOAuth2Client } from '../../bff/test/provider-clients.js';
import { createBffClient } from '../src/bff.js';
import { bufferResponsesInHappyDom } from './happy-dom-fetch.js';
import { rejection, setPageUrl } from './harness.js';

bufferResponsesInHappyDom();

/**
 * `createBffClient().fetch(provider, path)` in happy-dom against the real BFF over HTTP. The page's URL
 * parser resolves dot segments before the BFF sees the request, so the SDK applies the BFF's own segment
 * rule (`proxyPathSegment` of `@latchkey/common`) itself. Guards ARCHITECTURE.md, security rules:
 * "Proxy: only the provider's `apiBaseUrl` is reachable; the joined URL must stay under it", and "CSRF:
 * every state-changing BFF route ... requires a custom header" (which the SDK's proxied calls carry, so a
 * path resolved into `/logout` or `/disconnect` would pass it).
 */
describe('createBffClient().fetch keeps its path under the provider API', () => {
  let provider: TestProvider;
  let upstream: RecordingUpstream;
  let bff: TestBff;
  let login: Browser;

  beforeAll(async () => {
    provider = await startTestProvider();
    upstream = await startRecordingUpstream();
    bff = await startBff({
      async register(registry, bffUrl) {
        // The user from a hook: the BFF's userinfo request would pass oauth4webapi a URL of happy-dom's realm.
        const config = { apiBaseUrl: `${upstream.url}/base/`, userInfo: async () => ({ sub: 'alice' }) };
        await registerOAuth2Client(provider, registry, bffUrl, 'stand', { config });
      },
    });
    login = bff.browser();
    // The login runs outside the page, with Node's fetch: the provider is another origin (happy-dom
    // enforces CORS), and the BFF's oauth4webapi checks its answers are the global Response.
    const page = { fetch: globalThis.fetch, Response: globalThis.Response, Headers: globalThis.Headers, Request: globalThis.Request };
    Object.assign(globalThis, { fetch: undici.fetch, Response: undici.Response, Headers: undici.Headers, Request: undici.Request });
    try {
      await login.login('stand');
    } finally {
      Object.assign(globalThis, page);
    }
    // The page is on the BFF's origin and holds the session cookie the login set.
    setPageUrl(`${bff.url}/app/page`);
    for (const [name, value] of login.cookies) document.cookie = `${name}=${value}; path=/`;
  });
  afterAll(async () => {
    for (const [name] of login.cookies) document.cookie = `${name}=; max-age=0; path=/`;
    await bff?.close();
    await upstream?.close();
    await provider?.close();
  });

  /** The session as the BFF sees it: still logged in, still linked to `stand`. */
  async function stillLinked(): Promise<void> {
    const session = await createBffClient().session();
    expect(session.authenticated).toBe(true);
    expect(session.connections.map((connection) => connection.provider)).toEqual(['stand']);
  }

  const escapes: [provider: string, path: string][] = [
    ['stand', 'items/../../../disconnect/stand?'],
    ['stand', 'items/../../../logout'],
    ['stand', '../../logout'],
    ['stand', 'items/%2e%2e/%2e%2e/%2e%2e/logout'],
    ['stand', 'items/.%2E/%2E./%2e%2e/logout'],
    ['stand', 'items\\..\\..\\..\\logout'],
    ['stand', 'items/%5c..%5c..%5c..%5clogout'],
    ['stand', 'items/.\t./.\n./..\r/logout'],
    ['stand', 'items/..;/..;/..;/logout'],
    ['stand', 'a%2f..%2f..%2flogout'],
    ['stand', 'user@evil.example/x'],
    ['..', 'logout'],
    ['.', '../logout'],
  ];
  for (const [name, path] of escapes) {
    it(`refuses fetch(${JSON.stringify(name)}, ${JSON.stringify(path)}) with invalid_proxy_path, and nothing is sent`, async () => {
      const recorded = upstream.requests.length;
      const error = await rejection(createBffClient().fetch(name, path, { method: 'POST' }));
      expect(isLatchkeyError(error, 'invalid_proxy_path')).toBe(true);
      expect(upstream.requests.length).toBe(recorded);
      await stillLinked();
    });
  }

  const encoded = [
    ['items', '/base/items'],
    ['/items/', '/base/items/'],
    ['users/a b/é/%41~', '/base/users/a%20b/%C3%A9/A~'],
    ['files/report (final).pdf', '/base/files/report%20(final).pdf'],
    ['search?q=a@b.example&path=../x#top', '/base/search?q=a@b.example&path=../x'],
    ['items;v=2/...', '/base/items;v=2/...'],
  ] as const;
  for (const [path, received] of encoded) {
    it(`sends ${JSON.stringify(path)} through the proxy as ${JSON.stringify(received)}`, async () => {
      const response = await createBffClient().fetch('stand', path);
      expect(response.status).toBe(200);
      expect(upstream.requests.at(-1)?.url).toBe(received);
    });
  }
});
