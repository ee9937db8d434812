import type Koa from 'koa';
import { calculateJwkThumbprint, generateKeyPair } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStore, type TransactionCache } from '@latchkey/bff';
import { submitAuthorizeForm } from '../../../test-support/authorize-form.js';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { createSealer } from '../src/stores/sealed.js';
import { sessionBridgeOf } from '../src/tokens/session-bridge.js';
import { startBff, TEST_KEYS, type TestBff } from './harness.js';
import { type BindingIntrospection, resourceServerIntrospector } from './provider-clients.js';

/** `/app/key?provider=`: the thumbprint (RFC 7638) of the DPoP key the session holds for that provider. */
const keyRoute: Koa.Middleware = async (ctx, next) => {
  if (ctx.path !== '/app/key') return next();
  const token = (await sessionBridgeOf(ctx)?.load(ctx))?.connections[String(ctx.query.provider)]?.token;
  const key = token?.kind === 'oauth2' ? token.dpopKey : undefined;
  ctx.body = { jkt: key === undefined ? null : await calculateJwkThumbprint(key, 'sha256') };
};

/**
 * The BFF's transaction cache, able to turn the latest login's transaction into one stored before codes
 * were bound: the same sealed record without its DPoP key.
 */
function rewindableCache(): TransactionCache & { dropKey(provider: string, state: string): Promise<void> } {
  const inner = createMemoryStore();
  const sealer = createSealer(TEST_KEYS);
  let latest: { key: string; value: string; ttlMs: number } | undefined;
  return {
    async set(key, value, ttlMs) {
      latest = { key, value, ttlMs };
      await inner.set(key, value, ttlMs);
    },
    take: (key) => inner.take(key),
    async dropKey(provider, state) {
      const id = `latchkey:tx:${provider}:${state}`;
      if (latest === undefined) throw new Error('No login transaction was stored.');
      const { key, value, ttlMs } = latest;
      const json = sealer.open(value, id);
      if (json === undefined) throw new Error('The latest transaction is not this login’s.');
      const { dpopKey, ...transaction } = JSON.parse(json) as { dpopKey?: unknown };
      expect(dpopKey).toMatchObject({ kty: 'EC', crv: 'P-256', d: expect.any(String) });
      await inner.set(key, sealer.seal(JSON.stringify(transaction), id), ttlMs);
    },
  };
}

/** Each login's provider: pushed or not; the `-stolen` ones send no PKCE, so only the DPoP binding stands in a thief's way. */
const PROVIDERS = [
  ['front', false, false],
  ['front-legacy', false, false],
  ['pushed', true, false],
  ['front-stolen', false, true],
  ['pushed-stolen', true, true],
] as const;

describe.each([
  ['without nonces', false],
  ['with a nonce required on every proof', true],
] as const)('the authorization code is bound to the login’s DPoP key (RFC 9449 section 10), %s', (_label, requireNonce) => {
  let provider: TestProvider;
  let bff: TestBff;
  let introspect: (token: string) => Promise<BindingIntrospection>;
  const secrets = new Map<string, string>();
  const accessTokens: string[] = [];
  const cache = rewindableCache();

  beforeAll(async () => {
    provider = await startTestProvider({ dpop: { requireNonce } });
    introspect = await resourceServerIntrospector(provider);
    bff = await startBff({
      registry: { cache },
      bff: { onLogin: (_ctx, { token }) => void (token.kind === 'oauth2' && accessTokens.push(token.accessToken)) },
      async register(registry, bffUrl) {
        for (const [name, pushed, stolen] of PROVIDERS) {
          const client = await provider.provider.registerClient({
            clientId: `bind-${name}`,
            redirectUris: [`${bffUrl}/bff/callback/${name}`],
            dpopBoundAccessTokens: true,
          });
          secrets.set(name, client.clientSecret as string);
          registry.register(name, {
            clientId: client.clientId,
            clientSecret: client.clientSecret as string,
            serverMetadataUrl: `${provider.url}/.well-known/openid-configuration`,
            apiBaseUrl: `${provider.url}/api/`,
            clientKwargs: {
              scope: 'openid profile',
              dpop: true,
              pushedAuthorizationRequests: pushed,
              ...(stolen ? { dangerouslyDisablePkce: true } : {}),
            },
          });
        }
      },
      appRoutes: keyRoute,
    });
  });
  afterAll(async () => {
    await bff?.close();
    await provider?.close();
  });

  /** Logs in through `authorizeUrl` and returns the thumbprint of the key the session then holds, and the access token. */
  async function complete(browser: ReturnType<TestBff['browser']>, name: string, authorizeUrl: string) {
    const answer = await submitAuthorizeForm(authorizeUrl);
    const callback = await browser.fetch(answer.location as string);
    expect(callback.headers.get('location')).toBe('/app');
    const { jkt } = (await (await browser.fetch(`/app/key?provider=${name}`)).json()) as { jkt: string | null };
    return { jkt, accessToken: accessTokens.at(-1) ?? '' };
  }

  it('sends dpop_jkt in the authorization URL: the thumbprint of the key the session holds and the token is bound to', async () => {
    const browser = bff.browser();
    const authorizeUrl = await browser.startLogin('front', '/app');
    const dpopJkt = new URL(authorizeUrl).searchParams.get('dpop_jkt');
    expect(dpopJkt).toMatch(/^[\w-]{43}$/);
    const { jkt, accessToken } = await complete(browser, 'front', authorizeUrl);
    expect(jkt).toBe(dpopJkt);
    expect(await introspect(accessToken)).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt: dpopJkt } });
  });

  it('proves the key with the pushed request: the browser URL names no key, and the token is bound to the session’s', async () => {
    const browser = bff.browser();
    const authorizeUrl = await browser.startLogin('pushed', '/app');
    expect([...new URL(authorizeUrl).searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    const { jkt, accessToken } = await complete(browser, 'pushed', authorizeUrl);
    expect(jkt).toMatch(/^[\w-]{43}$/);
    expect(await introspect(accessToken)).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt } });
  });

  it('completes a login whose transaction holds no key (stored before codes were bound) with a key made at the exchange', async () => {
    const browser = bff.browser();
    const sent = new URL(await browser.startLogin('front-legacy', '/app'));
    await cache.dropKey('front-legacy', sent.searchParams.get('state') as string);
    // Such a login's authorization request named no key either.
    sent.searchParams.delete('dpop_jkt');
    const { jkt, accessToken } = await complete(browser, 'front-legacy', sent.href);
    expect(jkt).toMatch(/^[\w-]{43}$/);
    expect(await introspect(accessToken)).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt } });
  });

  it.each([
    ['front-stolen', 'sent through the browser'],
    ['pushed-stolen', 'pushed'],
  ])(
    'refuses a code stolen from the redirect (%s) and exchanged with the client’s credentials and another key (request %s)',
    async (name) => {
      const authorizeUrl = await bff.browser().startLogin(name, '/app');
      const redirect = new URL((await submitAuthorizeForm(authorizeUrl)).location as string);
      expect(redirect.searchParams.get('code')).toEqual(expect.any(String));

      // The thief holds the client's secret and a key of its own, and proves possession of that key correctly.
      const insecure = { [oauth.allowInsecureRequests]: true };
      const issuer = new URL(provider.url);
      const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
      const client: oauth.Client = { client_id: `bind-${name}` };
      const params = oauth.validateAuthResponse(as, client, redirect, oauth.skipStateCheck);
      const thief = oauth.DPoP(client, await generateKeyPair('ES256'));
      const exchange = () =>
        oauth.authorizationCodeGrantRequest(
          as,
          client,
          oauth.ClientSecretBasic(secrets.get(name) as string),
          params,
          `${bff.url}/bff/callback/${name}`,
          oauth.nopkce,
          { ...insecure, DPoP: thief },
        );
      let answer = await exchange();
      // A provider that wants a nonce says so first; the handle keeps it for the next proof.
      if (requireNonce && answer.headers.has('dpop-nonce') && answer.status === 400) {
        const body = (await answer.clone().json()) as { error?: string };
        if (body.error === 'use_dpop_nonce') answer = await exchange();
      }
      expect(answer.status).toBe(400);
      expect((await answer.json()) as { error?: string }).toMatchObject({
        error: expect.stringMatching(/^(invalid_grant|invalid_dpop_proof)$/),
      });
      expect(provider.events).not.toContainEqual(expect.objectContaining({ type: 'token_issued', clientId: `bind-${name}` }));
    },
  );
});
