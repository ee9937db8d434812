import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError } from '@latchkey/common';
import { createMemoryStore, OAuthRegistry, type ClientConfig, type TransactionCache } from '@latchkey/bff';
import { ALICE, startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { startBff, type TestBff } from './harness.js';

const REQUEST_URI = /^urn:ietf:params:oauth:request_uri:[\w-]+$/;
const RETURN_TO = '/app/page?tab=1';

/** The query parameter names of a URL, sorted. */
const paramNames = (url: string) => [...new URL(url).searchParams.keys()].sort();

/** A transaction cache that counts what the BFF stored in it. */
function countingCache(): TransactionCache & { sets: () => number } {
  const inner = createMemoryStore();
  let sets = 0;
  return {
    sets: () => sets,
    async set(key, value, ttlMs) {
      sets += 1;
      await inner.set(key, value, ttlMs);
    },
    take: (key) => inner.take(key),
  };
}

describe('pushed authorization requests (RFC 9126) against the embedded provider', () => {
  let provider: TestProvider;
  let requiring: TestProvider;
  let bff: TestBff;
  const cache = countingCache();

  beforeAll(async () => {
    provider = await startTestProvider();
    requiring = await startTestProvider({ requirePushedAuthorizationRequests: true });
    bff = await startBff({
      registry: { cache },
      async register(registry, bffUrl) {
        const add = async (at: TestProvider, name: string, config: Partial<ClientConfig> = {}, secret?: string) => {
          const client = await at.provider.registerClient({ clientId: `par-${name}`, redirectUris: [`${bffUrl}/bff/callback/${name}`] });
          registry.register(name, {
            clientId: client.clientId,
            clientSecret: secret ?? (client.clientSecret as string),
            serverMetadataUrl: `${at.url}/.well-known/openid-configuration`,
            apiBaseUrl: `${at.url}/api/`,
            ...config,
          });
        };
        await add(provider, 'advertised');
        await add(provider, 'front-channel', { clientKwargs: { pushedAuthorizationRequests: false } });
        // The provider requires pushing: turning it off here cannot stop it.
        await add(requiring, 'required', { clientKwargs: { pushedAuthorizationRequests: false } });
        await add(provider, 'refused', {}, 'not-the-secret');
        // Endpoints given as URLs: pushing follows pushedAuthorizationRequestUrl.
        const urls = {
          authorizeUrl: `${provider.url}/oauth/authorize`,
          accessTokenUrl: `${provider.url}/oauth/token`,
          apiBaseUrl: `${provider.url}/api/`,
          clientKwargs: { scope: 'openid profile email' },
        };
        for (const [name, pushed] of [
          ['by-url', true],
          ['by-url-unset', false],
        ] as const) {
          const client = await provider.provider.registerClient({
            clientId: `par-${name}`,
            redirectUris: [`${bffUrl}/bff/callback/${name}`],
          });
          registry.register(name, {
            clientId: client.clientId,
            clientSecret: client.clientSecret as string,
            ...urls,
            ...(pushed ? { pushedAuthorizationRequestUrl: `${provider.url}/oauth/par` } : {}),
          });
        }
      },
    });
  });
  afterAll(async () => {
    await bff?.close();
    await provider?.close();
    await requiring?.close();
  });

  async function completes(name: string) {
    const browser = bff.browser();
    const { location } = await browser.login(name, { returnTo: RETURN_TO });
    expect(location).toBe(RETURN_TO);
    expect((await browser.session()).user).toMatchObject({ sub: ALICE.sub });
    const me = await browser.fetch(`/bff/api/${name}/me`, { csrf: true });
    expect(me.status).toBe(200);
  }

  it('pushes to an advertised endpoint: the browser carries client_id and request_uri only, and the login completes', async () => {
    const authorizeUrl = await bff.browser().startLogin('advertised');
    expect(authorizeUrl.startsWith(`${provider.url}/oauth/authorize?`)).toBe(true);
    expect(paramNames(authorizeUrl)).toEqual(['client_id', 'request_uri']);
    const params = new URL(authorizeUrl).searchParams;
    expect(params.get('client_id')).toBe('par-advertised');
    expect(params.get('request_uri')).toMatch(REQUEST_URI);
    await completes('advertised');
  });

  it('pushes to a provider that requires it, even with the option off, and the login completes', async () => {
    const authorizeUrl = await bff.browser().startLogin('required');
    expect(paramNames(authorizeUrl)).toEqual(['client_id', 'request_uri']);
    await completes('required');
  });

  it('sends the request through the browser when the option is off and the provider does not require pushing', async () => {
    const authorizeUrl = await bff.browser().startLogin('front-channel');
    const params = new URL(authorizeUrl).searchParams;
    expect(params.get('request_uri')).toBeNull();
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('state')).toEqual(expect.any(String));
    await completes('front-channel');
  });

  it('pushes for a provider configured by URLs only when pushedAuthorizationRequestUrl is set', async () => {
    expect(paramNames(await bff.browser().startLogin('by-url'))).toEqual(['client_id', 'request_uri']);
    await completes('by-url');
    expect(new URL(await bff.browser().startLogin('by-url-unset')).searchParams.get('request_uri')).toBeNull();
  });

  it('answers a refused push with login_failed on returnTo, storing no login transaction', async () => {
    const browser = bff.browser();
    const before = cache.sets();
    const response = await browser.fetch(`/bff/login/refused?returnTo=${encodeURIComponent(RETURN_TO)}`);
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') as string, bff.url);
    expect(location.pathname).toBe('/app/page');
    expect(location.searchParams.get('latchkey_error')).toBe('login_failed');
    expect(location.searchParams.get('latchkey_provider')).toBe('refused');
    expect(cache.sets()).toBe(before);
    expect((await browser.session()).authenticated).toBe(false);
    const line = bff.logs.find((entry) => entry.message === 'login failed' && entry.fields?.provider === 'refused');
    expect(line?.fields).toMatchObject({
      code: 'login_failed',
      reason: 'pushed_authorization_refused',
      upstreamStatus: 401,
    });
  });
});

describe('pushed authorization request configuration', () => {
  const base = {
    clientId: 'app',
    clientSecret: 'secret',
    authorizeUrl: 'https://idp.example/authorize',
    accessTokenUrl: 'https://idp.example/token',
  };
  const refusal = (register: () => void) => {
    try {
      register();
    } catch (error) {
      return error instanceof ConfigurationError ? { code: error.code, option: error.option } : { code: 'not typed' };
    }
    return undefined;
  };

  it('refuses pushedAuthorizationRequests: true for endpoints given as URLs without pushedAuthorizationRequestUrl', () => {
    const registry = new OAuthRegistry({ env: {} });
    expect(refusal(() => registry.register('p', { ...base, clientKwargs: { pushedAuthorizationRequests: true } }))).toMatchObject({
      code: 'configuration_error',
      option: 'pushedAuthorizationRequestUrl',
    });
    expect(
      refusal(() =>
        registry.register('q', {
          ...base,
          pushedAuthorizationRequestUrl: 'https://idp.example/par',
          clientKwargs: { pushedAuthorizationRequests: true },
        }),
      ),
    ).toBeUndefined();
  });

  it('reads the endpoint and the switch from the environment, and refuses them for OAuth 1 and as a non-boolean', () => {
    const registry = new OAuthRegistry({
      env: {
        IDP_CLIENT_ID: 'app',
        IDP_CLIENT_SECRET: 'secret',
        IDP_AUTHORIZE_URL: 'https://idp.example/authorize',
        IDP_ACCESS_TOKEN_URL: 'https://idp.example/token',
        IDP_PUSHED_AUTHORIZATION_REQUEST_URL: 'https://idp.example/par',
        IDP_CLIENT_KWARGS: '{"pushedAuthorizationRequests":true}',
      },
    });
    expect(refusal(() => registry.register('idp', {}))).toBeUndefined();
    expect(
      refusal(() => registry.register('bad', { ...base, clientKwargs: { pushedAuthorizationRequests: 'yes' as unknown as boolean } })),
    ).toMatchObject({
      code: 'configuration_error',
      option: 'clientKwargs.pushedAuthorizationRequests',
    });
    expect(
      refusal(() =>
        registry.register('one', {
          ...base,
          requestTokenUrl: 'https://idp.example/initiate',
          pushedAuthorizationRequestUrl: 'https://idp.example/par',
        }),
      ),
    ).toMatchObject({ code: 'configuration_error', option: 'pushedAuthorizationRequestUrl' });
  });
});
