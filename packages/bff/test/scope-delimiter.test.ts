import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OAuthRegistry, type ClientConfig } from '@latchkey/bff';
import { exampleEndpoints, thrown } from './config-checks.js';
import { startBff, type Browser, type TestBff } from './harness.js';
import { loginAtStandIn, startStandIn, type Answer, type StandIn } from './presets/stand-in.js';

describe('scopeDelimiter configuration', () => {
  it('defaults to a space, reads "," from {NAME}_CLIENT_KWARGS, and refuses anything else', () => {
    const registry = new OAuthRegistry({
      env: { COMMA_CLIENT_KWARGS: '{"scopeDelimiter":","}', SEMI_CLIENT_KWARGS: '{"scopeDelimiter":";"}' },
    });
    registry.register('plain', { clientId: 'c', clientSecret: 's', ...exampleEndpoints });
    registry.register('comma', { clientId: 'c', clientSecret: 's', ...exampleEndpoints });
    expect(registry.runtime('plain').config.clientKwargs).toMatchObject({ scopeDelimiter: ' ' });
    expect(registry.runtime('comma').config.clientKwargs).toMatchObject({ scopeDelimiter: ',' });
    expect(thrown(() => registry.register('semi', { clientId: 'c', clientSecret: 's', ...exampleEndpoints }))).toMatchObject({
      code: 'configuration_error',
      option: 'clientKwargs.scopeDelimiter',
    });
    const given = {
      clientId: 'c',
      clientSecret: 's',
      ...exampleEndpoints,
      clientKwargs: { scopeDelimiter: '+' },
    } as unknown as ClientConfig;
    expect(thrown(() => registry.register('plus', given))).toMatchObject({ option: 'clientKwargs.scopeDelimiter' });
    expect(registry.names()).toEqual(['plain', 'comma']);
  });
});

/**
 * A stand-in authorization server: its authorization endpoint approves at once (the test reads the
 * exact `scope` parameter it received), its token endpoint answers with whatever `scope` the test sets.
 */
describe('scopeDelimiter on the wire', () => {
  const CLIENT_ID = 'scope-client';
  const CLIENT_SECRET = 'scope-secret';
  const ACCESS_TOKEN = 'scope-access-token';
  let grantedScope: string | undefined;
  let standIn: StandIn;
  let bff: TestBff;
  let clockSkewMs = 0;

  const tokenAnswer = (): Answer => ({
    json: {
      access_token: ACCESS_TOKEN,
      token_type: 'Bearer',
      expires_in: 3600,
      refresh_token: `refresh-${Math.random().toString(36).slice(2)}`,
      ...(grantedScope === undefined ? {} : { scope: grantedScope }),
    },
  });

  beforeAll(async () => {
    standIn = await startStandIn({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      authorizePath: '/authorize',
      tokenPath: '/token',
      clientAuth: 'client_secret_basic',
      token: tokenAnswer,
      refuse: (reason) => ({ status: 400, json: { error: reason } }),
      accessToken: ACCESS_TOKEN,
      api: { 'GET /me': () => ({ json: { ok: true } }) },
    });
    const config = (clientKwargs: ClientConfig['clientKwargs']): ClientConfig => ({
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      authorizeUrl: `${standIn.url}/authorize`,
      accessTokenUrl: `${standIn.url}/token`,
      apiBaseUrl: standIn.url,
      ...(clientKwargs === undefined ? {} : { clientKwargs }),
    });
    bff = await startBff({
      registry: {
        now: () => Date.now() + clockSkewMs,
        env: { FROM_ENV_CLIENT_KWARGS: '{"scope":"email,public_profile","scopeDelimiter":","}' },
      },
      register(registry) {
        registry.register('comma', config({ scope: 'email public_profile', scopeDelimiter: ',' }));
        registry.register('from-env', config(undefined));
        registry.register('space', config({ scope: 'read:user  repo,admin' }));
        registry.register('oidc-comma', config({ scope: 'openid,email', scopeDelimiter: ',' }));
      },
    });
  });
  afterAll(async () => {
    await bff?.close();
    await standIn?.close();
  });

  /** Login through the stand-in; returns the authorization request URL as the browser followed it. */
  async function login(name: string): Promise<{ browser: Browser; authorizeUrl: URL }> {
    const browser = bff.browser();
    const { authorizeUrl, location } = await loginAtStandIn(browser, name);
    expect(location).toBe('/');
    return { browser, authorizeUrl };
  }

  const scopesOf = async (browser: Browser) => (await browser.session()).connections[0]?.scopes;
  const receivedScope = () =>
    standIn.requests
      .filter((request) => request.path === '/authorize')
      .at(-1)
      ?.query.get('scope');

  it('joins the requested scopes with commas in the authorization request', async () => {
    grantedScope = 'email,public_profile';
    for (const name of ['comma', 'from-env']) {
      const { browser, authorizeUrl } = await login(name);
      expect(authorizeUrl.search).toContain('scope=email%2Cpublic_profile');
      expect(authorizeUrl.search).not.toContain('email+public_profile');
      expect(receivedScope()).toBe('email,public_profile');
      expect(await scopesOf(browser)).toEqual(['email', 'public_profile']);
    }
  });

  it('reads a granted scope in either form, and an omitted one as the scopes requested (RFC 6749 section 5.1)', async () => {
    grantedScope = 'email public_profile';
    expect(await scopesOf((await login('comma')).browser)).toEqual(['email', 'public_profile']);
    grantedScope = 'email, public_profile';
    expect(await scopesOf((await login('comma')).browser)).toEqual(['email', 'public_profile']);
    grantedScope = 'email';
    expect(await scopesOf((await login('comma')).browser)).toEqual(['email']);
    grantedScope = undefined;
    expect(await scopesOf((await login('comma')).browser)).toEqual(['email', 'public_profile']);
  });

  it('keeps the granted scopes through a refresh whose answer omits them', async () => {
    grantedScope = 'email';
    const { browser } = await login('comma');
    grantedScope = undefined;
    clockSkewMs += 2 * 3600 * 1000;
    const before = standIn.tokenRequests('refresh_token').length;
    expect((await browser.fetch('/bff/api/comma/me', { csrf: true })).status).toBe(200);
    expect(standIn.tokenRequests('refresh_token')).toHaveLength(before + 1);
    expect(await scopesOf(browser)).toEqual(['email']);
  });

  it('with the default space delimiter, sends RFC 6749 scopes and keeps a comma inside a scope token', async () => {
    grantedScope = undefined;
    const { browser, authorizeUrl } = await login('space');
    expect(authorizeUrl.search).toContain('scope=read%3Auser+repo%2Cadmin');
    expect(receivedScope()).toBe('read:user repo,admin');
    expect(await scopesOf(browser)).toEqual(['read:user', 'repo,admin']);
  });

  it('finds openid in a comma-delimited scope, so the request carries a nonce (OIDC)', async () => {
    const authorizeUrl = new URL(await bff.browser().startLogin('oidc-comma'));
    expect(authorizeUrl.searchParams.get('scope')).toBe('openid,email');
    expect(authorizeUrl.searchParams.get('nonce')).toMatch(/\S{16,}/);
  });
});
