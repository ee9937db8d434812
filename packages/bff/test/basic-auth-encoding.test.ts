import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OAuthRegistry, presets, type ClientConfig } from '@latchkey/bff';
import { ALICE, startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { exampleEndpoints, thrown } from './config-checks.js';
import { startBff, type TestBff } from './harness.js';
import * as reddit from './presets/fixtures/reddit.js';
import { loginAtStandIn, startStandIn, type Answer, type StandIn } from './presets/stand-in.js';

const basic = (credentials: string) => `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;

describe('basicAuthEncoding and emptyClientSecret configuration', () => {
  it('reads basicAuthEncoding and emptyClientSecret from {NAME}_CLIENT_KWARGS, defaulting to unreserved', () => {
    const registry = new OAuthRegistry({
      env: {
        RAW_CLIENT_KWARGS: '{"basicAuthEncoding":"none"}',
        EMPTY_CLIENT_KWARGS: '{"basicAuthEncoding":"none","emptyClientSecret":true}',
      },
    });
    registry.register('raw', { clientId: 'c', clientSecret: 's', ...exampleEndpoints });
    registry.register('empty', { clientId: 'c', ...exampleEndpoints });
    registry.register('plain', { clientId: 'c', clientSecret: 's', ...exampleEndpoints });
    expect(registry.runtime('raw').config.clientKwargs).toMatchObject({ basicAuthEncoding: 'none', emptyClientSecret: false });
    expect(registry.runtime('empty').config).toMatchObject({
      clientSecret: '',
      clientKwargs: { tokenEndpointAuthMethod: 'client_secret_basic', basicAuthEncoding: 'none', emptyClientSecret: true },
    });
    expect(registry.runtime('plain').config.clientKwargs).toMatchObject({ basicAuthEncoding: 'unreserved', emptyClientSecret: false });
  });

  it('refuses an unknown encoding, and raw Basic with any other client authentication or OAuth 1', () => {
    const registry = new OAuthRegistry({ env: { ODD_CLIENT_KWARGS: '{"basicAuthEncoding":"raw"}' } });
    const option = (config: ClientConfig, name = 'p') => (thrown(() => registry.register(name, config)) as { option?: string }).option;
    expect(option({ clientId: 'c', clientSecret: 's', ...exampleEndpoints }, 'odd')).toBe('clientKwargs.basicAuthEncoding');
    for (const tokenEndpointAuthMethod of ['client_secret_post', 'none'] as const) {
      expect(
        option({
          clientId: 'c',
          clientSecret: 's',
          ...exampleEndpoints,
          clientKwargs: { tokenEndpointAuthMethod, basicAuthEncoding: 'none' },
        }),
      ).toBe('clientKwargs.basicAuthEncoding');
    }
    const oauth1: ClientConfig = { clientId: 'c', clientSecret: 's', requestTokenUrl: 'https://id.example/initiate', ...exampleEndpoints };
    expect(option({ ...oauth1, clientKwargs: { basicAuthEncoding: 'none' } })).toBe('clientKwargs.basicAuthEncoding');
    expect(registry.names()).toEqual([]);
  });

  it('takes an empty secret only from a client that declares it, with raw Basic and no secret set', () => {
    const registry = new OAuthRegistry({
      env: { ENVSECRET_CLIENT_SECRET: 'from-env', STRING_CLIENT_KWARGS: '{"basicAuthEncoding":"none","emptyClientSecret":"true"}' },
    });
    const error = (config: ClientConfig, name = 'p') => thrown(() => registry.register(name, config));
    // Without the declaration an empty secret is no secret, and client_secret_basic needs one.
    expect(
      error({
        clientId: 'c',
        clientSecret: '',
        ...exampleEndpoints,
        clientKwargs: { tokenEndpointAuthMethod: 'client_secret_basic', basicAuthEncoding: 'none' },
      }),
    ).toMatchObject({
      code: 'configuration_error',
      option: 'clientSecret',
      envVar: 'P_CLIENT_SECRET',
    });
    expect(error({ clientId: 'c', ...exampleEndpoints, clientKwargs: { emptyClientSecret: true } })).toMatchObject({
      option: 'clientKwargs.emptyClientSecret',
    });
    expect(
      error({
        clientId: 'c',
        ...exampleEndpoints,
        clientKwargs: { emptyClientSecret: true, basicAuthEncoding: 'none', tokenEndpointAuthMethod: 'client_secret_post' },
      }),
    ).toMatchObject({ option: 'clientKwargs.emptyClientSecret' });
    const declared = { emptyClientSecret: true, basicAuthEncoding: 'none' } as const;
    expect(error({ clientId: 'c', clientSecret: 's', ...exampleEndpoints, clientKwargs: declared })).toMatchObject({
      option: 'clientSecret',
    });
    expect(error({ clientId: 'c', ...exampleEndpoints, clientKwargs: declared }, 'envsecret')).toMatchObject({ option: 'clientSecret' });
    expect(error({ clientId: 'c', ...exampleEndpoints }, 'string')).toMatchObject({ option: 'clientKwargs.emptyClientSecret' });
    expect(registry.names()).toEqual([]);
  });

  it('refuses credentials raw Basic cannot carry (RFC 7617 section 2), without echoing the secret', () => {
    const registry = new OAuthRegistry({ env: {} });
    const kwargs = { basicAuthEncoding: 'none' } as const;
    expect(
      thrown(() => registry.register('p', { clientId: 'a:b', clientSecret: 's', ...exampleEndpoints, clientKwargs: kwargs })),
    ).toMatchObject({
      option: 'clientId',
    });
    const secretError = thrown(() =>
      registry.register('p', { clientId: 'c', clientSecret: 'line\nbreak', ...exampleEndpoints, clientKwargs: kwargs }),
    );
    expect(secretError).toMatchObject({ code: 'configuration_error', option: 'clientSecret' });
    expect((secretError as Error).message).not.toContain('line');
    // Form-encoding carries both, so the default takes them.
    registry.register('form', { clientId: 'a:b', clientSecret: 'line\nbreak', ...exampleEndpoints });
    expect(registry.names()).toEqual(['form']);
  });

  it('the reddit preset: installedApp declares the empty secret and refuses a secret', () => {
    expect(presets.reddit({ installedApp: true }).clientKwargs).toMatchObject({
      tokenEndpointAuthMethod: 'client_secret_basic',
      basicAuthEncoding: 'none',
      emptyClientSecret: true,
    });
    expect(thrown(() => presets.reddit({ installedApp: true, clientSecret: 's' }))).toMatchObject({ option: 'clientSecret' });
    const registry = new OAuthRegistry({ env: { REDDIT_CLIENT_ID: 'id', REDDIT_CLIENT_SECRET: 'left-over' } });
    expect(thrown(() => registry.register('reddit', presets.reddit({ installedApp: true })))).toMatchObject({
      option: 'clientSecret',
    });
    // X's public clients authenticate with `none`: no Basic encoding is added then.
    expect(presets.twitter({ clientKwargs: { tokenEndpointAuthMethod: 'none' } }).clientKwargs).not.toHaveProperty('basicAuthEncoding');
    expect(presets.twitter().clientKwargs).toMatchObject({ basicAuthEncoding: 'none' });
  });
});

/**
 * A token endpoint that, as Reddit's and X's, compares the base64-decoded Basic credentials with the
 * registered id and secret as they are; the Authorization header each request carried is checked byte
 * for byte.
 */
describe('raw HTTP Basic at a token endpoint that does not form-decode', () => {
  const CLIENT_ID = 'Ab-3_xY.9~z';
  const CLIENT_SECRET = 'S3-cr_et.~';
  const INSTALLED_ID = 'inst-all_ed';
  const json = (value: unknown, status = 200): Answer => ({ json: value, status });
  const standInOptions = {
    authorizePath: '/api/v1/authorize',
    tokenPath: '/api/v1/access_token',
    clientAuth: 'client_secret_basic',
    basicDecoding: 'none',
    token: () => json(reddit.tokenResponse),
    refuse: () => json({ message: 'Unauthorized', error: 401 }, 401),
    accessToken: reddit.tokenResponse.access_token,
    api: { 'GET /api/v1/me': () => json(reddit.me) },
  } as const;
  let confidential: StandIn;
  let installed: StandIn;
  let bff: TestBff;
  let clockSkewMs = 0;

  beforeAll(async () => {
    confidential = await startStandIn({ ...standInOptions, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET });
    installed = await startStandIn({ ...standInOptions, clientId: INSTALLED_ID, clientSecret: '' });
    const config = (standIn: StandIn, clientKwargs: NonNullable<ClientConfig['clientKwargs']>): ClientConfig => ({
      authorizeUrl: `${standIn.url}/api/v1/authorize`,
      accessTokenUrl: `${standIn.url}/api/v1/access_token`,
      apiBaseUrl: standIn.url,
      clientKwargs,
    });
    bff = await startBff({
      registry: { now: () => Date.now() + clockSkewMs },
      register(registry) {
        registry.register('raw', {
          clientId: CLIENT_ID,
          clientSecret: CLIENT_SECRET,
          ...config(confidential, { basicAuthEncoding: 'none' }),
        });
        registry.register('form', {
          clientId: CLIENT_ID,
          clientSecret: CLIENT_SECRET,
          ...config(confidential, { basicAuthEncoding: 'form' }),
        });
        registry.register('installed', {
          clientId: INSTALLED_ID,
          ...config(installed, { basicAuthEncoding: 'none', emptyClientSecret: true }),
        });
      },
    });
  });
  afterAll(async () => {
    await bff?.close();
    await confidential?.close();
    await installed?.close();
  });

  async function login(name: string) {
    const browser = bff.browser();
    const { location } = await loginAtStandIn(browser, name);
    return { browser, location };
  }

  it('sends Basic of the raw id:secret on the code exchange and the refresh', async () => {
    const { browser, location } = await login('raw');
    expect(location).toBe('/');
    expect(confidential.tokenRequests('authorization_code').at(-1)?.headers.authorization).toBe(basic(`${CLIENT_ID}:${CLIENT_SECRET}`));

    clockSkewMs += 2 * 3600 * 1000;
    const proxied = await browser.fetch('/bff/api/raw/api/v1/me', { csrf: true });
    expect(proxied.status).toBe(200);
    const refresh = confidential.tokenRequests('refresh_token').at(-1);
    expect(refresh?.headers.authorization).toBe(basic(`${CLIENT_ID}:${CLIENT_SECRET}`));
    expect(refresh?.form.get('client_secret')).toBeNull();
  });

  it("'form' form-encodes them (RFC 6749 section 2.3.1), which this endpoint refuses", async () => {
    const { location, browser } = await login('form');
    expect(location).toBe('/?latchkey_error=login_failed&latchkey_provider=form');
    expect((await browser.session()).authenticated).toBe(false);
    expect(confidential.tokenRequests('authorization_code').at(-1)?.headers.authorization).toBe(
      basic('Ab%2D3%5FxY%2E9%7Ez:S3%2Dcr%5Fet%2E%7E'),
    );
  });

  it('an installed app sends Basic of `id:` with the empty secret', async () => {
    const { location } = await login('installed');
    expect(location).toBe('/');
    const exchange = installed.tokenRequests('authorization_code').at(-1);
    expect(exchange?.headers.authorization).toBe(basic(`${INSTALLED_ID}:`));
    expect(exchange?.form.get('client_secret')).toBeNull();
  });

  it('the reddit preset as an installed app logs in the same way', async () => {
    const app = await startBff({
      register(registry) {
        const preset = presets.reddit({ clientId: INSTALLED_ID, installedApp: true, userAgent: 'web:latchkey-test:1.0 (by /u/tester)' });
        registry.register('reddit', {
          ...preset,
          authorizeUrl: `${installed.url}/api/v1/authorize`,
          accessTokenUrl: `${installed.url}/api/v1/access_token`,
          apiBaseUrl: installed.url,
        });
      },
    });
    try {
      const browser = app.browser();
      expect((await loginAtStandIn(browser, 'reddit')).location).toBe('/');
      expect((await browser.session()).user).toMatchObject({ sub: reddit.me.id, name: reddit.me.name });
      expect(installed.tokenRequests('authorization_code').at(-1)?.headers.authorization).toBe(basic(`${INSTALLED_ID}:`));
    } finally {
      await app.close();
    }
  });
});

describe('Basic with the default encoding at the real provider, which decodes it as RFC 6749 requires', () => {
  let provider: TestProvider;
  let bff: TestBff;
  let clockSkewMs = 0;
  const clientId = 'bff-basic_form-client';
  const clientSecret = 'form-encoded_secret.1~';

  beforeAll(async () => {
    provider = await startTestProvider();
    bff = await startBff({
      registry: { now: () => Date.now() + clockSkewMs },
      async register(registry, bffUrl) {
        await provider.provider.registerClient({
          clientId,
          clientSecret,
          redirectUris: [`${bffUrl}/bff/callback/latchkey`],
          tokenEndpointAuthMethod: 'client_secret_basic',
        });
        registry.register('latchkey', {
          clientId,
          clientSecret,
          serverMetadataUrl: `${provider.url}/.well-known/openid-configuration`,
          apiBaseUrl: `${provider.url}/api/`,
          clientKwargs: { scope: 'openid profile email offline_access' },
        });
      },
    });
  });
  afterAll(async () => {
    await bff?.close();
    await provider?.close();
  });

  it('logs in and refreshes with an id and secret holding - _ . ~', async () => {
    expect(bff.registry.runtime('latchkey').config.clientKwargs).toMatchObject({ basicAuthEncoding: 'unreserved' });
    const browser = bff.browser();
    const { location } = await browser.login('latchkey');
    expect(location).toBe('/');
    expect((await browser.session()).user).toMatchObject({ sub: ALICE.sub });
    expect(provider.countEvents('token_issued', 'authorization_code')).toBe(1);

    clockSkewMs += 2 * 3600 * 1000;
    const me = await browser.fetch('/bff/api/latchkey/me', { csrf: true });
    expect(me.status).toBe(200);
    expect(provider.countEvents('token_issued', 'refresh_token')).toBe(1);
  });
});
