import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClientConfig } from '@latchkey/bff';
import { ALICE, startTestProvider, type TestProvider } from '../../../../test-support/provider.js';
import { listen, type Listening } from '../../../../test-support/listen.js';
import { submitAuthorizeForm } from '../../../../test-support/authorize-form.js';
import { presets } from '../../src/presets/index.js';
import { startBff, type Browser, type TestBff } from '../harness.js';

/**
 * The OpenID Connect presets end to end against the embedded provider, through its discovery
 * document: id_tokens are really issued and checked (issuer, audience, nonce). Where a provider's
 * token endpoint deviates (Slack's HTTP 200 errors, LinkedIn's missing token_type), a small front
 * reshapes the real provider's answers the way that provider documents them.
 */

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

type TokenReshape = (status: number, body: Record<string, unknown>) => { status: number; body: Record<string, unknown> };

/** Forwards token requests to the provider and reshapes the answers; can spoil the next code it forwards. */
async function startTokenFront(target: string, reshape: TokenReshape): Promise<Listening & { spoilNextCode(): void }> {
  let spoil = false;
  const server = await listen(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    if (spoil && form.has('code')) {
      form.set('code', `${form.get('code') as string}-spoiled`);
      spoil = false;
    }
    const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
    if (req.headers.authorization !== undefined) headers.authorization = req.headers.authorization;
    const answer = await fetch(target, { method: 'POST', headers, body: form });
    const reshaped = reshape(answer.status, (await answer.json()) as Record<string, unknown>);
    res.statusCode = reshaped.status;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(reshaped.body));
  });
  return Object.assign(server, { spoilNextCode: () => void (spoil = true) });
}

// https://api.slack.com/methods/openid.connect.token: `ok` on every answer, errors with HTTP 200.
const slackShape: TokenReshape = (status, body) =>
  status === 200
    ? { status, body: { ok: true, ...body } }
    : { status: 200, body: { ok: false, error: body.error === 'invalid_grant' ? 'invalid_code' : body.error } };

// https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow: no token_type.
const linkedinShape: TokenReshape = (status, body) => {
  const { token_type: _dropped, ...rest } = body;
  return { status, body: status === 200 ? rest : body };
};

describe('OpenID Connect presets against the embedded provider', () => {
  let provider: TestProvider;
  let bff: TestBff;
  let slackFront: Awaited<ReturnType<typeof startTokenFront>>;
  let linkedinFront: Awaited<ReturnType<typeof startTokenFront>>;

  beforeAll(async () => {
    provider = await startTestProvider();
    slackFront = await startTokenFront(`${provider.url}/oauth/token`, slackShape);
    linkedinFront = await startTokenFront(`${provider.url}/oauth/token`, linkedinShape);
    const metadata = `${provider.url}/.well-known/openid-configuration`;
    bff = await startBff({
      async register(registry, bffUrl) {
        const client = async (name: string, method: 'client_secret_basic' | 'client_secret_post') => {
          const registered = await provider.provider.registerClient({
            clientId: `preset-${name}`,
            redirectUris: [`${bffUrl}/bff/callback/${name}`],
            tokenEndpointAuthMethod: method,
          });
          return { clientId: registered.clientId, clientSecret: registered.clientSecret as string };
        };
        const add = async (
          name: string,
          method: 'client_secret_basic' | 'client_secret_post',
          build: (credentials: { clientId: string; clientSecret: string }) => ClientConfig,
        ) => {
          // The presets' parameters are read from the front-channel authorization URL, so the request is not pushed.
          const config = build(await client(name, method));
          registry.register(name, { ...config, clientKwargs: { ...config.clientKwargs, pushedAuthorizationRequests: false } });
        };

        await add('google', 'client_secret_basic', (credentials) => ({ ...presets.google(credentials), serverMetadataUrl: metadata }));
        await add('google-workspace', 'client_secret_basic', (credentials) => ({
          ...presets.google({ ...credentials, hostedDomain: 'example.com' }),
          serverMetadataUrl: metadata,
        }));
        await add('microsoft', 'client_secret_post', (credentials) => ({
          ...presets.microsoft({ ...credentials, tenant: TENANT }),
          serverMetadataUrl: metadata,
        }));
        await add('slack', 'client_secret_post', (credentials) => ({
          ...presets.slack(credentials),
          serverMetadataUrl: metadata,
          accessTokenUrl: `${slackFront.url}/oauth/token`,
        }));
        await add('linkedin', 'client_secret_post', (credentials) => ({
          ...presets.linkedin(credentials),
          serverMetadataUrl: metadata,
          accessTokenUrl: `${linkedinFront.url}/oauth/token`,
        }));
        await add('oidc', 'client_secret_basic', (credentials) => presets.oidc({ ...credentials, issuer: provider.issuer }));
        await add('auth0', 'client_secret_basic', (credentials) => presets.auth0({ ...credentials, issuer: provider.issuer }));
        await add('okta', 'client_secret_basic', (credentials) =>
          presets.okta({ ...credentials, issuer: provider.issuer, scopes: ['openid', 'profile', 'email', 'offline_access'] }),
        );
        await add('keycloak', 'client_secret_basic', (credentials) => presets.keycloak({ ...credentials, issuer: provider.issuer }));
      },
    });
  });
  afterAll(async () => {
    await bff?.close();
    await slackFront?.close();
    await linkedinFront?.close();
    await provider?.close();
  });

  async function login(browser: Browser, name: string) {
    const authorizeUrl = new URL(await browser.startLogin(name));
    const answer = await submitAuthorizeForm(authorizeUrl.href);
    const callback = await browser.fetch(answer.location as string);
    return { authorizeUrl, location: callback.headers.get('location') };
  }

  const alice = { sub: ALICE.sub, name: ALICE.name, email: ALICE.email, email_verified: true };

  for (const name of ['google', 'microsoft', 'slack', 'linkedin', 'oidc', 'auth0', 'okta', 'keycloak']) {
    it(`${name}: logs in through discovery, checks the id_token, and maps the user`, async () => {
      const browser = bff.browser();
      const { authorizeUrl, location } = await login(browser, name);
      expect(location).toBe('/');
      expect(authorizeUrl.searchParams.get('nonce')).not.toBeNull();
      expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
      const session = await browser.session();
      expect(session.user).toMatchObject(alice);
      expect(session.connections[0]?.scopes).toEqual(expect.arrayContaining(['openid', 'profile', 'email']));
    });
  }

  it('google: asks for offline access, so the BFF gets a refresh token', async () => {
    const { authorizeUrl } = await login(bff.browser(), 'google');
    expect(authorizeUrl.searchParams.get('access_type')).toBe('offline');
  });

  it('google: refuses an account outside the hosted domain even though the provider accepted it', async () => {
    const browser = bff.browser();
    const { authorizeUrl, location } = await login(browser, 'google-workspace');
    expect(authorizeUrl.searchParams.get('hd')).toBe('example.com');
    expect(location).toBe('/?latchkey_error=login_failed&latchkey_provider=google-workspace');
    expect((await browser.session()).authenticated).toBe(false);
  });

  it('slack: a code Slack refuses with HTTP 200 is read as Slack’s error', async () => {
    slackFront.spoilNextCode();
    const browser = bff.browser();
    const { location } = await login(browser, 'slack');
    expect(location).toBe('/?latchkey_error=login_failed&latchkey_provider=slack');
    const failure = bff.logs.filter((line) => line.message === 'login failed').at(-1);
    expect(failure?.fields).toMatchObject({ provider: 'slack', cause: 'ResponseBodyError' });
  });

  it('linkedin: logs in although the token answer has no token_type', async () => {
    const browser = bff.browser();
    expect((await login(browser, 'linkedin')).location).toBe('/');
    expect((await browser.session()).connections[0]).toMatchObject({ provider: 'linkedin', expiresAt: expect.any(Number) });
  });
});

describe('OIDC preset options', () => {
  it('builds issuers from a domain, a realm or an org', () => {
    expect(presets.auth0({ domain: 'example.eu.auth0.com' }).serverMetadataUrl).toBe(
      'https://example.eu.auth0.com/.well-known/openid-configuration',
    );
    expect(presets.okta({ domain: 'dev-1.okta.com' }).serverMetadataUrl).toBe(
      'https://dev-1.okta.com/oauth2/default/.well-known/openid-configuration',
    );
    expect(presets.okta({ domain: 'dev-1.okta.com', authorizationServerId: null }).serverMetadataUrl).toBe(
      'https://dev-1.okta.com/.well-known/openid-configuration',
    );
    expect(presets.keycloak({ baseUrl: 'https://sso.example.com/', realm: 'main' }).serverMetadataUrl).toBe(
      'https://sso.example.com/realms/main/.well-known/openid-configuration',
    );
    expect(presets.microsoft({ tenant: TENANT }).serverMetadataUrl).toBe(
      `https://login.microsoftonline.com/${TENANT}/v2.0/.well-known/openid-configuration`,
    );
    expect(presets.auth0({ domain: 'example.auth0.com', audience: 'https://api.example.com' }).authorizeParams).toEqual({
      audience: 'https://api.example.com',
    });
  });

  it('leaves the issuer to the environment when none is given', () => {
    expect(presets.oidc().serverMetadataUrl).toBeUndefined();
  });

  it('refuses ambiguous or malformed options', () => {
    const option = (name: string) => expect.objectContaining({ code: 'configuration_error', option: name });
    expect(() => presets.auth0({ domain: 'https://example.auth0.com' })).toThrow(option('domain'));
    expect(() => presets.auth0({ domain: 'a.auth0.com', issuer: 'https://a.auth0.com/' })).toThrow(option('domain'));
    expect(() => presets.keycloak({ baseUrl: 'https://sso.example.com' })).toThrow(option('realm'));
    expect(() => presets.keycloak({ issuer: 'not a url' })).toThrow(option('issuer'));
    expect(() => presets.microsoft({ tenant: 'contoso/../x' })).toThrow(option('tenant'));
  });
});
