import type { Middleware } from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLatchkeyError } from '@latchkey/common';
import { createBff, MissingConfigError, OAuthRegistry, type OAuthToken } from '@latchkey/bff';
import { ALICE, startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { thrown } from './config-checks.js';
import { startBff, type TestBff } from './harness.js';

describe('OAuthRegistry configuration', () => {
  const env = {
    EXAMPLE_CLIENT_ID: 'from-env',
    EXAMPLE_CLIENT_SECRET: 'env-secret',
    EXAMPLE_AUTHORIZE_URL: 'https://id.example/authorize',
    EXAMPLE_ACCESS_TOKEN_URL: 'https://id.example/token',
    EXAMPLE_API_BASE_URL: 'https://api.example/v1/',
    EXAMPLE_AUTHORIZE_PARAMS: '{"prompt":"consent"}',
    EXAMPLE_CLIENT_KWARGS: '{"scope":"read write","tokenPlacement":"query","tokenEndpointAuthMethod":"client_secret_post"}',
  };

  it('reads every key left out from {NAME}_{KEY}, JSON for objects', () => {
    const registry = new OAuthRegistry({ env });
    registry.register('example', { displayName: 'Example' });
    const { config } = registry.runtime('example');
    expect(config).toMatchObject({
      protocol: 'oauth2',
      displayName: 'Example',
      clientId: 'from-env',
      clientSecret: 'env-secret',
      authorizeUrl: 'https://id.example/authorize',
      accessTokenUrl: 'https://id.example/token',
      apiBaseUrl: 'https://api.example/v1/',
      authorizeParams: { prompt: 'consent' },
      clientKwargs: {
        scope: 'read write',
        tokenPlacement: 'query',
        tokenEndpointAuthMethod: 'client_secret_post',
        codeChallengeMethod: 'S256',
      },
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('lets given keys win over the environment', () => {
    const registry = new OAuthRegistry({ env });
    registry.register('example', { clientId: 'given' });
    expect(registry.runtime('example').config.clientId).toBe('given');
  });

  it('names the missing key and its environment variable at register', () => {
    const registry = new OAuthRegistry({ env: {} });
    const error = thrown(() => registry.register('github', { authorizeUrl: 'https://a.example/', accessTokenUrl: 'https://a.example/t' }));
    expect(isLatchkeyError(error, 'configuration_error')).toBe(true);
    expect(error).toBeInstanceOf(MissingConfigError);
    expect(error).toMatchObject({ option: 'clientId', envVar: 'GITHUB_CLIENT_ID', provider: 'github' });

    const oauth1 = thrown(() =>
      registry.register('twitter', {
        clientId: 'k',
        clientSecret: 's',
        requestTokenUrl: 'https://t.example/rt',
        authorizeUrl: 'https://t.example/a',
      }),
    );
    expect(oauth1).toMatchObject({ code: 'configuration_error', option: 'accessTokenUrl', envVar: 'TWITTER_ACCESS_TOKEN_URL' });

    const secret = thrown(() =>
      registry.register('plain', {
        clientId: 'k',
        authorizeUrl: 'https://a.example/',
        accessTokenUrl: 'https://a.example/t',
        clientKwargs: { tokenEndpointAuthMethod: 'client_secret_basic' },
      }),
    );
    expect(secret).toMatchObject({ option: 'clientSecret', envVar: 'PLAIN_CLIENT_SECRET' });
    expect(registry.names()).toEqual([]);
  });

  it('refuses bad values with the option named', () => {
    const registry = new OAuthRegistry({ env: { BAD_CLIENT_KWARGS: '{not json' } });
    const base = { clientId: 'k', clientSecret: 's', authorizeUrl: 'https://a.example/', accessTokenUrl: 'https://a.example/t' };
    expect(
      thrown(() => registry.register('bad', { clientId: 'k', authorizeUrl: 'https://a.example/', accessTokenUrl: 'https://a.example/t' })),
    ).toMatchObject({ option: 'clientKwargs' });
    expect(thrown(() => registry.register('insecure', { ...base, accessTokenUrl: 'http://a.example/t' }))).toMatchObject({
      option: 'accessTokenUrl',
    });
    expect(thrown(() => registry.register('kw', { ...base, clientKwargs: { tokenPlacement: 'cookie' as never } }))).toMatchObject({
      option: 'clientKwargs.tokenPlacement',
    });
    expect(
      thrown(() =>
        registry.register('rsa', { ...base, requestTokenUrl: 'https://a.example/rt', clientKwargs: { signatureMethod: 'RSA-SHA1' } }),
      ),
    ).toMatchObject({ option: 'clientKwargs.rsaKey' });
    expect(thrown(() => registry.register('Bad Name', base))).toMatchObject({ option: 'name' });
    registry.register('ok', base);
    expect(thrown(() => registry.register('ok', base))).toMatchObject({ option: 'name' });
    expect(thrown(() => registry.runtime('missing'))).toMatchObject({ code: 'unknown_provider' });
  });

  it('createBff checks its options when it is built', () => {
    const registry = new OAuthRegistry({ env: {} });
    expect(thrown(() => createBff({ registry, keys: [] }))).toMatchObject({ code: 'configuration_error', option: 'keys' });
    expect(thrown(() => createBff({ registry, keys: ['too short'] }))).toMatchObject({ option: 'keys' });
    const keys = ['k'.repeat(32)];
    expect(thrown(() => createBff({ registry, keys, basePath: 'bff/' }))).toMatchObject({ option: 'basePath' });
    expect(thrown(() => createBff({ registry, keys, allowedOrigins: ['not a url'] }))).toMatchObject({ option: 'allowedOrigins' });
    expect(thrown(() => createBff({ registry, keys, cookie: { name: '__Host-x' } }))).toMatchObject({ option: 'cookie.name' });
    expect(thrown(() => createBff({ registry, keys, maxBodyBytes: 0 }))).toMatchObject({ option: 'maxBodyBytes' });
    expect(thrown(() => createBff({ registry: {} as OAuthRegistry, keys }))).toMatchObject({ option: 'registry' });
  });
});

describe('the programmatic client in the app own routes', () => {
  let provider: TestProvider;
  let bff: TestBff;
  let serviceToken: OAuthToken | undefined;

  beforeAll(async () => {
    provider = await startTestProvider();
    const appRoutes: Middleware = async (ctx) => {
      if (ctx.path !== '/whoami') return;
      const response = await bff.registry.client('latchkey').get('me', { ctx });
      ctx.status = response.status;
      ctx.body = await response.json();
    };
    bff = await startBff({
      registry: { fetchToken: async () => serviceToken },
      appRoutes,
      async register(registry, bffUrl) {
        const client = await provider.provider.registerClient({
          clientId: 'bff-app',
          redirectUris: [`${bffUrl}/bff/callback/latchkey`],
          grantTypes: ['authorization_code', 'refresh_token', 'client_credentials'],
        });
        registry.register('latchkey', {
          clientId: client.clientId,
          clientSecret: client.clientSecret as string,
          serverMetadataUrl: `${provider.url}/.well-known/openid-configuration`,
          apiBaseUrl: `${provider.url}/api/`,
        });
        const response = await fetch(`${provider.url}/oauth/token`, {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(`bff-app:${client.clientSecret}`).toString('base64')}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: new URLSearchParams({ grant_type: 'client_credentials' }),
        });
        const body = (await response.json()) as { access_token: string };
        serviceToken = { kind: 'oauth2', accessToken: body.access_token, tokenType: 'bearer', scopes: [] };
      },
    });
  });
  afterAll(async () => {
    await bff.close();
    await provider.close();
  });

  it('uses the session token of the request', async () => {
    const browser = bff.browser();
    await browser.login('latchkey');
    const response = await browser.fetch('/whoami');
    expect(await response.json()).toMatchObject({ sub: ALICE.sub, client_id: 'bff-app' });
  });

  it('falls back to fetchToken without a session', async () => {
    const response = await bff.browser().fetch('/whoami');
    expect(await response.json()).toMatchObject({ sub: null, client_id: 'bff-app' });
  });
});
