import { randomBytes } from 'node:crypto';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BffSessionResponse } from '@latchkey/common';
import { createBff, OAuthRegistry, type LogFields } from '@latchkey/bff';
import { ALICE } from '../../test-support/provider.js';
import { listen, type Listening } from '../../test-support/listen.js';
import { HttpBrowser } from './http-browser.js';
import { startOidcProvider, type StartedOp } from './op.js';

const BASIC = { id: 'latchkey-bff.par-basic', secret: `s3cret-._~${randomBytes(16).toString('base64url')}` };
const PUBLIC = { id: 'latchkey-bff.par-public' };
const RETURN_TO = '/app/page?tab=1';

describe('the BFF pushes its authorization requests to oidc-provider (RFC 9126, required by the OP)', () => {
  let op: StartedOp;
  let server: Listening;
  let registry: OAuthRegistry;
  const logs: { message: string; fields: LogFields | undefined }[] = [];

  beforeAll(async () => {
    let handler: ReturnType<Koa['callback']> | undefined;
    server = await listen((req, res) => void handler?.(req, res));
    const redirect = (name: string) => [`${server.url}/bff/callback/${name}`];
    op = await startOidcProvider({
      clients: [
        {
          client_id: BASIC.id,
          client_secret: BASIC.secret,
          token_endpoint_auth_method: 'client_secret_basic',
          redirect_uris: [...redirect('basic'), ...redirect('wrong-secret')],
        },
        { client_id: PUBLIC.id, token_endpoint_auth_method: 'none', redirect_uris: redirect('public') },
      ],
      features: { pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: true } },
    });
    const log = (message: string, fields?: LogFields) => void logs.push({ message, fields });
    registry = new OAuthRegistry({ dangerouslyAllowInsecureHttp: true, env: {}, logger: { debug: log, info: log, warn: log, error: log } });
    const common = {
      serverMetadataUrl: `${op.issuer}/.well-known/openid-configuration`,
      apiBaseUrl: `${op.issuer}/`,
    };
    registry.register('basic', {
      ...common,
      clientId: BASIC.id,
      clientSecret: BASIC.secret,
      clientKwargs: { scope: 'openid profile email' },
    });
    registry.register('public', {
      ...common,
      clientId: PUBLIC.id,
      clientKwargs: { scope: 'openid email', tokenEndpointAuthMethod: 'none' },
    });
    registry.register('wrong-secret', { ...common, clientId: BASIC.id, clientSecret: 'not-the-secret' });
    const app = new Koa();
    app.silent = true;
    app.use(createBff({ registry, keys: [randomBytes(32).toString('base64url')] }));
    handler = app.callback();
  });

  afterAll(async () => {
    await server?.close();
    await registry?.close();
    await op?.close();
  });

  async function login(browser: HttpBrowser, provider: string) {
    const start = await browser.fetch(`${server.url}/bff/login/${provider}?returnTo=${encodeURIComponent(RETURN_TO)}`);
    expect(start.status).toBe(302);
    const authorizeUrl = new URL(start.headers.get('location') ?? '');
    const interaction = await browser.followUntil(authorizeUrl.href, server.url);
    expect(interaction.url).toMatch(`${op.issuer}/interaction/`);
    const form = (await interaction.response?.text()) ?? '';
    const resume = await browser.submitForm(interaction.url, form, {
      username: ALICE.username,
      password: ALICE.password,
      decision: 'allow',
    });
    const { url: callback } = await browser.followUntil(resume, server.url);
    const done = await browser.fetch(callback);
    return { authorizeUrl, location: done.headers.get('location') };
  }

  for (const [provider, clientId] of [
    ['basic', BASIC.id],
    ['public', PUBLIC.id],
  ] as const) {
    it(`logs in as a ${provider === 'basic' ? 'confidential (client_secret_basic)' : 'public'} client with only client_id and request_uri in the browser`, async () => {
      const browser = new HttpBrowser();
      const { authorizeUrl, location } = await login(browser, provider);
      expect(authorizeUrl.origin).toBe(op.issuer);
      expect([...authorizeUrl.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
      expect(authorizeUrl.searchParams.get('client_id')).toBe(clientId);
      expect(authorizeUrl.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
      expect(location).toBe(RETURN_TO);

      // The OP took the pushed parameters: PKCE S256, the nonce, the redirect URI.
      const request = op.record.authorizations.at(-1);
      expect(request).toMatchObject({
        client_id: clientId,
        code_challenge_method: 'S256',
        redirect_uri: `${server.url}/bff/callback/${provider}`,
      });
      expect(request?.nonce).toEqual(expect.stringMatching(/^[\w-]{20,}$/));

      const session = (await (await browser.fetch(`${server.url}/bff/session`)).json()) as BffSessionResponse;
      expect(session).toMatchObject({ authenticated: true, user: { sub: ALICE.sub } });
      const me = await browser.fetch(`${server.url}/bff/api/${provider}/me`, { csrf: true });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ sub: ALICE.sub });
    });
  }

  it('answers a push the OP refuses (a wrong client secret) with login_failed on returnTo', async () => {
    const browser = new HttpBrowser();
    const authorizations = op.record.authorizations.length;
    const start = await browser.fetch(`${server.url}/bff/login/wrong-secret?returnTo=${encodeURIComponent(RETURN_TO)}`);
    expect(start.status).toBe(302);
    const back = new URL(start.headers.get('location') ?? '', server.url);
    expect(back.origin).toBe(server.url);
    expect(back.pathname).toBe('/app/page');
    expect(back.searchParams.get('latchkey_error')).toBe('login_failed');
    expect(back.searchParams.get('latchkey_provider')).toBe('wrong-secret');
    expect(op.record.authorizations.length).toBe(authorizations);
    const line = logs.find((entry) => entry.message === 'login failed' && entry.fields?.provider === 'wrong-secret');
    expect(line?.fields).toMatchObject({ code: 'login_failed', reason: 'pushed_authorization_refused', upstreamStatus: 401 });
  });
});
