import type { Middleware } from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userFromClaims, type ComplianceFix, type HookContext, type OAuthToken, type ProtectedRequest } from '@latchkey/bff';
import { ALICE, startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { startBff, type TestBff } from './harness.js';
import { registerOAuth1Client, registerOAuth2Client } from './provider-clients.js';

interface Echo {
  query: Record<string, string>;
  sub: string | null;
  protocol: string;
  headers: string[];
}

interface HookRun {
  hook: keyof ComplianceFix;
  provider: string;
}

/** A JSON answer rebuilt with one field changed, as a fix for a provider's odd token response would. */
async function withField(response: Response, field: string, value: string): Promise<Response> {
  const body = (await response.json()) as Record<string, unknown>;
  return new Response(JSON.stringify({ ...body, [field]: value }), { status: response.status, headers: response.headers });
}

/**
 * The hook points of `complianceFix` in the core: the code exchange and the OAuth 1 token credential
 * answer (`accessTokenResponse`), the refresh answer (`refreshTokenResponse`), and every API call of the
 * proxy and the programmatic client (`protectedRequest`). Each hook records that it ran and leaves a
 * mark the provider's answers show.
 */
describe('complianceFix hook points', () => {
  let provider: TestProvider;
  let bff: TestBff;
  let clockSkewMs = 0;
  const runs: HookRun[] = [];
  const seenRequests: ProtectedRequest[] = [];
  const logins: { provider: string; token: OAuthToken }[] = [];

  const recordingFix: ComplianceFix = {
    accessTokenResponse: async (response: Response, context: HookContext) => {
      runs.push({ hook: 'accessTokenResponse', provider: context.provider });
      if (context.provider === 'oauth1') {
        // RFC 5849 section 2.3 answers are form-encoded: add a parameter the token's `extra` keeps.
        const text = await response.text();
        return new Response(`${text}&fixed_by=accessTokenResponse`, { status: response.status, headers: response.headers });
      }
      return withField(response, 'scope', 'openid offline_access fixed:access');
    },
    refreshTokenResponse: async (response: Response, context: HookContext) => {
      runs.push({ hook: 'refreshTokenResponse', provider: context.provider });
      return withField(response, 'scope', 'openid offline_access fixed:refresh');
    },
    protectedRequest: (request: ProtectedRequest, context: HookContext) => {
      runs.push({ hook: 'protectedRequest', provider: context.provider });
      seenRequests.push(request);
      const headers = { ...request.headers, 'x-compliance-fix': '1' };
      // An OAuth 1 signature covers the query (RFC 5849 section 3.4.1.3): only the header changes there.
      if (context.provider === 'oauth1') return { ...request, headers };
      const url = new URL(request.url.href);
      url.searchParams.set('fixed', context.provider);
      return { ...request, url, headers };
    },
  };

  /** The app's own route: `/app/:provider` calls the provider's echo with `client.get(path, { ctx })`. */
  const appRoutes: Middleware = async (ctx) => {
    const match = /^\/app\/([a-z0-9]+)$/.exec(ctx.path);
    if (match === null) return;
    const response = await bff.registry.client(match[1] as string).get('echo?page=1', { ctx });
    ctx.status = response.status;
    ctx.body = await response.json();
  };

  beforeAll(async () => {
    provider = await startTestProvider();
    bff = await startBff({
      registry: { now: () => Date.now() + clockSkewMs },
      bff: { onLogin: (_ctx, login) => void logins.push({ provider: login.provider, token: login.token }) },
      appRoutes,
      async register(registry, bffUrl) {
        await registerOAuth2Client(provider, registry, bffUrl, 'oauth2', {
          clientId: 'bff-fix-oauth2',
          config: { clientKwargs: { scope: 'openid profile offline_access' }, complianceFix: recordingFix },
        });
        await registerOAuth1Client(provider, registry, bffUrl, 'oauth1', {
          clientId: 'bff-fix-oauth1',
          config: {
            complianceFix: recordingFix,
            // A mapping that makes no API call: one that did would add protectedRequest runs to the login.
            userInfo: async () => userFromClaims({ sub: ALICE.sub }),
          },
        });
      },
    });
  });
  afterAll(async () => {
    await bff.close();
    await provider.close();
  });

  const runsSince = (start: number) => runs.slice(start);

  it('accessTokenResponse rewrites the OAuth 2 code exchange answer before it is parsed', async () => {
    const start = runs.length;
    const browser = bff.browser();
    await browser.login('oauth2');
    expect(runsSince(start)).toEqual([{ hook: 'accessTokenResponse', provider: 'oauth2' }]);
    const session = await browser.session();
    expect(session.connections[0]?.scopes).toEqual(['openid', 'offline_access', 'fixed:access']);
  });

  it('refreshTokenResponse rewrites the refresh answer, and accessTokenResponse stays out of it', async () => {
    const browser = bff.browser();
    await browser.login('oauth2');
    clockSkewMs += 2 * 3600 * 1000;
    const start = runs.length;
    const me = await browser.fetch('/bff/api/oauth2/me', { csrf: true });
    expect(me.status).toBe(200);
    expect(runsSince(start).filter((run) => run.hook !== 'protectedRequest')).toEqual([
      { hook: 'refreshTokenResponse', provider: 'oauth2' },
    ]);
    expect((await browser.session()).connections[0]?.scopes).toEqual(['openid', 'offline_access', 'fixed:refresh']);
  });

  it('protectedRequest changes a proxied OAuth 2 call after the token is attached', async () => {
    const browser = bff.browser();
    await browser.login('oauth2');
    const start = runs.length;
    const seen = seenRequests.length;
    const response = await browser.fetch('/bff/api/oauth2/echo?page=1', { csrf: true });
    expect(response.status).toBe(200);
    const echo = (await response.json()) as Echo;
    expect(echo).toMatchObject({ sub: ALICE.sub, query: { page: '1', fixed: 'oauth2' } });
    expect(echo.headers).toContain('x-compliance-fix');
    expect(runsSince(start)).toEqual([{ hook: 'protectedRequest', provider: 'oauth2' }]);
    const request = seenRequests[seen] as ProtectedRequest;
    expect(request.method).toBe('GET');
    expect(request.url.href).toBe(`${provider.url}/api/echo?page=1`);
    expect(request.headers.authorization).toMatch(/^Bearer /);
  });

  it('protectedRequest changes a call of the programmatic client', async () => {
    const browser = bff.browser();
    await browser.login('oauth2');
    const start = runs.length;
    const echo = (await (await browser.fetch('/app/oauth2')).json()) as Echo;
    expect(echo).toMatchObject({ sub: ALICE.sub, query: { page: '1', fixed: 'oauth2' } });
    expect(echo.headers).toContain('x-compliance-fix');
    expect(runsSince(start)).toEqual([{ hook: 'protectedRequest', provider: 'oauth2' }]);
  });

  it('OAuth 1: accessTokenResponse rewrites the token credential answer (not the temporary credential one)', async () => {
    const start = runs.length;
    const browser = bff.browser();
    await browser.login('oauth1');
    expect(runsSince(start)).toEqual([{ hook: 'accessTokenResponse', provider: 'oauth1' }]);
    const token = logins.filter((login) => login.provider === 'oauth1').at(-1)?.token;
    expect(token).toMatchObject({ kind: 'oauth1', extra: { fixed_by: 'accessTokenResponse' } });
    expect((await browser.session()).authenticated).toBe(true);
  });

  it('OAuth 1: protectedRequest runs on the signed call, proxied and programmatic', async () => {
    const browser = bff.browser();
    await browser.login('oauth1');
    const start = runs.length;
    const seen = seenRequests.length;
    // A header added after signing leaves the signature valid: the provider accepts the call.
    const proxied = (await (await browser.fetch('/bff/api/oauth1/echo?page=1', { csrf: true })).json()) as Echo;
    expect(proxied).toMatchObject({ sub: ALICE.sub, protocol: 'oauth1' });
    expect(proxied.headers).toContain('x-compliance-fix');
    const programmatic = (await (await browser.fetch('/app/oauth1')).json()) as Echo;
    expect(programmatic).toMatchObject({ sub: ALICE.sub, protocol: 'oauth1' });
    expect(programmatic.headers).toContain('x-compliance-fix');
    expect(runsSince(start)).toEqual([
      { hook: 'protectedRequest', provider: 'oauth1' },
      { hook: 'protectedRequest', provider: 'oauth1' },
    ]);
    expect(seenRequests[seen]?.headers.authorization).toMatch(/^OAuth /);
  });
});
