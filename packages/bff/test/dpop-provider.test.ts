import { createHash } from 'node:crypto';
import type Koa from 'koa';
import type { OAuthRegistry } from '@latchkey/bff';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { sessionBridgeOf } from '../src/tokens/session-bridge.js';
import { startBff, type TestBff } from './harness.js';
import { type BindingIntrospection, resourceServerIntrospector } from './provider-clients.js';

/** RFC 7638 section 3.2: the SHA-256 of an EC key's required members, in lexicographic order. */
const thumbprint = ({ crv, kty, x, y }: { crv: string; kty: string; x: string; y: string }) =>
  createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url');

/**
 * The app's own routes: `/app/key` reads the session server side (the thumbprint of the token's DPoP key, and
 * whether its private half is there); `/app/me` calls the API with the session's token.
 */
function appRoutes(registry: () => OAuthRegistry): Koa.Middleware {
  return async (ctx, next) => {
    if (ctx.path === '/app/me') {
      const answer = await registry().client('idp').get('me', { ctx });
      ctx.status = answer.status;
      ctx.body = await answer.json();
      return;
    }
    if (ctx.path !== '/app/key') return next();
    const token = (await sessionBridgeOf(ctx)?.load(ctx))?.connections.idp?.token;
    const key = token?.kind === 'oauth2' ? token.dpopKey : undefined;
    ctx.body = {
      jkt: key === undefined ? null : thumbprint(key),
      private: typeof key?.d === 'string',
      tokenType: token?.kind === 'oauth2' ? token.tokenType : null,
    };
  };
}

interface KeyInSession {
  jkt: string;
  private: boolean;
  tokenType: string;
}

describe.each([
  ['without nonces', false],
  ['with a nonce required on every proof', true],
] as const)('DPoP (RFC 9449) against the embedded provider, %s', (_label, requireNonce) => {
  let provider: TestProvider;
  let bff: TestBff;
  let introspect: (token: string) => Promise<BindingIntrospection>;
  /** Access tokens the BFF received, in order (the test provider's own store is not readable). */
  const accessTokens: string[] = [];

  beforeAll(async () => {
    // Two-second access tokens: past half their lifetime, the next call refreshes.
    provider = await startTestProvider({ dpop: { requireNonce }, lifetimes: { accessToken: 2 } });
    introspect = await resourceServerIntrospector(provider);
    bff = await startBff({
      bff: {
        onLogin: (_ctx, { token }) => void (token.kind === 'oauth2' && accessTokens.push(token.accessToken)),
      },
      registry: {
        updateToken: (_provider, token) => void accessTokens.push(token.accessToken),
      },
      async register(registry, bffUrl) {
        // The provider refuses this client any token request without a proof.
        const client = await provider.provider.registerClient({
          clientId: 'bff-dpop',
          redirectUris: [`${bffUrl}/bff/callback/idp`],
          dpopBoundAccessTokens: true,
        });
        registry.register('idp', {
          clientId: client.clientId,
          clientSecret: client.clientSecret as string,
          serverMetadataUrl: `${provider.url}/.well-known/openid-configuration`,
          apiBaseUrl: `${provider.url}/api/`,
          clientKwargs: { scope: 'openid profile email offline_access', dpop: true },
        });
      },
      appRoutes: appRoutes(() => bff.registry),
    });
  });
  afterAll(async () => {
    await bff?.close();
    await provider?.close();
  });

  it('logs in with a token bound to the login’s key, kept in the session and nowhere the browser or the logs see', async () => {
    const browser = bff.browser();
    const requests = provider.countEvents('token_request', 'authorization_code');
    const issued = provider.countEvents('token_issued', 'authorization_code');
    const { location } = await browser.login('idp', { returnTo: '/app' });
    expect(location).toBe('/app');
    // With nonces required, the pushed request, proving the login's key, learned the nonce: the exchange carries it at once.
    expect(provider.countEvents('token_request', 'authorization_code') - requests).toBe(1);
    expect(provider.countEvents('token_issued', 'authorization_code') - issued).toBe(1);
    const key = (await (await browser.fetch('/app/key')).json()) as KeyInSession;
    expect(key).toEqual({ jkt: expect.stringMatching(/^[\w-]{43}$/), private: true, tokenType: 'dpop' });
    expect(await introspect(accessTokens.at(-1) ?? '')).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt: key.jkt } });

    const session = await (await browser.fetch('/bff/session')).text();
    expect(session).toContain(ALICE.sub);
    expect(session).not.toMatch(/dpopKey|"kty"|"d"/);
    const logged = JSON.stringify(bff.logs);
    for (const response of browser.responses) expect(JSON.stringify(response)).not.toContain(accessTokens.at(-1));
    expect(logged).not.toContain(accessTokens.at(-1));
    expect(logged).not.toMatch(/dpopKey|"kty"/);
  });

  it('proxies GET and POST to /api/* and the app’s own calls with proofs the provider accepts, also after it rotates its nonce', async () => {
    const browser = bff.browser();
    await browser.login('idp');
    const me = await browser.fetch('/bff/api/idp/me', { csrf: true });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ sub: ALICE.sub });
    const posted = await browser.fetch('/bff/api/idp/echo?page=1', {
      method: 'POST',
      csrf: true,
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(posted.status).toBe(200);
    expect(await posted.json()).toMatchObject({ method: 'POST', query: { page: '1' }, body: { a: 1 }, sub: ALICE.sub, protocol: 'oauth2' });

    // Two rotations: the nonce the BFF remembers is no longer accepted, so the next call is answered use_dpop_nonce.
    provider.provider.rotateDpopNonce();
    provider.provider.rotateDpopNonce();
    const after = await browser.fetch('/bff/api/idp/echo', {
      method: 'PUT',
      csrf: true,
      headers: { 'content-type': 'text/plain' },
      body: 'again',
    });
    expect(after.status).toBe(200);
    expect(await after.json()).toMatchObject({ method: 'PUT', body: 'again', sub: ALICE.sub });
    const own = await browser.fetch('/app/me');
    expect(own.status).toBe(200);
    expect(await own.json()).toMatchObject({ sub: ALICE.sub });
  });

  it('revokes the bound tokens at logout', async () => {
    const browser = bff.browser();
    await browser.login('idp');
    const accessToken = accessTokens.at(-1) ?? '';
    expect(await introspect(accessToken)).toMatchObject({ active: true, token_type: 'DPoP' });
    expect((await browser.fetch('/bff/logout', { method: 'POST', csrf: true })).status).toBe(204);
    expect(await introspect(accessToken)).toEqual({ active: false });
  });

  it('refreshes with the same key: the new access token is bound to it too', async () => {
    const browser = bff.browser();
    await browser.login('idp');
    const key = (await (await browser.fetch('/app/key')).json()) as KeyInSession;
    const first = accessTokens.at(-1);
    const refreshes = provider.countEvents('token_issued', 'refresh_token');
    // Calls until one comes past half the token's lifetime and refreshes it first; each one succeeds.
    await expect
      .poll(
        async () => {
          expect((await browser.fetch('/bff/api/idp/me', { csrf: true })).status).toBe(200);
          return provider.countEvents('token_issued', 'refresh_token');
        },
        { timeout: 10_000, interval: 200 },
      )
      .toBeGreaterThan(refreshes);
    const refreshed = accessTokens.at(-1) ?? '';
    expect(refreshed).not.toBe(first);
    expect(await introspect(refreshed)).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt: key.jkt } });
    expect(((await (await browser.fetch('/app/key')).json()) as KeyInSession).jkt).toBe(key.jkt);
  });
});
