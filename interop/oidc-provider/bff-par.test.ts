import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BffSessionResponse } from '@latchkey/common';
import { ALICE } from '../../test-support/provider.js';
import { startBffAtOp, type BffAtOp } from './bff-at-op.js';
import { HttpBrowser } from './http-browser.js';
import type { StartedOp } from './op.js';

const BASIC = { id: 'latchkey-bff.par-basic', secret: `s3cret-._~${randomBytes(16).toString('base64url')}` };
const PUBLIC = { id: 'latchkey-bff.par-public' };
const RETURN_TO = '/app/page?tab=1';

describe('the BFF pushes its authorization requests to oidc-provider (RFC 9126, required by the OP)', () => {
  let bff: BffAtOp;
  let op: StartedOp;

  beforeAll(async () => {
    bff = await startBffAtOp({
      op: (bffUrl) => {
        const redirect = (name: string) => [`${bffUrl}/bff/callback/${name}`];
        return {
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
        };
      },
      register(registry, issuer) {
        const common = { serverMetadataUrl: `${issuer}/.well-known/openid-configuration`, apiBaseUrl: `${issuer}/` };
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
      },
    });
    ({ op } = bff);
  });

  afterAll(async () => {
    await bff?.close();
  });

  const login = (browser: HttpBrowser, provider: string) => bff.login(browser, provider, RETURN_TO);

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
        redirect_uri: `${bff.url}/bff/callback/${provider}`,
      });
      expect(request?.nonce).toEqual(expect.stringMatching(/^[\w-]{20,}$/));

      const session = (await (await browser.fetch(`${bff.url}/bff/session`)).json()) as BffSessionResponse;
      expect(session).toMatchObject({ authenticated: true, user: { sub: ALICE.sub } });
      const me = await browser.fetch(`${bff.url}/bff/api/${provider}/me`, { csrf: true });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ sub: ALICE.sub });
    });
  }

  it('answers a push the OP refuses (a wrong client secret) with login_failed on returnTo', async () => {
    const browser = new HttpBrowser();
    const authorizations = op.record.authorizations.length;
    const start = await browser.fetch(`${bff.url}/bff/login/wrong-secret?returnTo=${encodeURIComponent(RETURN_TO)}`);
    expect(start.status).toBe(302);
    const back = new URL(start.headers.get('location') ?? '', bff.url);
    expect(back.origin).toBe(bff.url);
    expect(back.pathname).toBe('/app/page');
    expect(back.searchParams.get('latchkey_error')).toBe('login_failed');
    expect(back.searchParams.get('latchkey_provider')).toBe('wrong-secret');
    expect(op.record.authorizations.length).toBe(authorizations);
    const line = bff.logs.find((entry) => entry.message === 'login failed' && entry.fields?.provider === 'wrong-secret');
    expect(line?.fields).toMatchObject({ code: 'login_failed', reason: 'pushed_authorization_refused', upstreamStatus: 401 });
  });
});
