import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BffSessionResponse } from '@latchkey/common';
import type { OAuth2Token } from '@latchkey/bff';
import { ALICE } from '../../test-support/provider.js';
import { startBffAtOp, type BffAtOp } from './bff-at-op.js';
import { HttpBrowser } from './http-browser.js';
import type { StartedOp } from './op.js';

const CLIENT = { id: 'latchkey-bff.dpop', secret: `s3cret-._~${randomBytes(16).toString('base64url')}` };
const PROVIDERS = ['dpop', 'dpop-bearer-answer'] as const;
const ME = { sub: ALICE.sub, name: ALICE.name, email: ALICE.email, email_verified: true };

/** A token answer rewritten to say `Bearer`, as a server that ignored the proof would send it. */
async function bearerAnswer(response: Response): Promise<Response> {
  const body = (await response.json()) as Record<string, unknown>;
  return new Response(JSON.stringify({ ...body, token_type: 'Bearer' }), { status: response.status, headers: response.headers });
}

describe('DPoP (RFC 9449) against oidc-provider, which requires a nonce on every proof', () => {
  let bff: BffAtOp;
  let op: StartedOp;
  /** The tokens `onLogin` saw, as the session keeps them. */
  const logins: OAuth2Token[] = [];

  beforeAll(async () => {
    bff = await startBffAtOp({
      op: (bffUrl) => ({
        clients: [
          {
            client_id: CLIENT.id,
            client_secret: CLIENT.secret,
            token_endpoint_auth_method: 'client_secret_basic',
            redirect_uris: PROVIDERS.map((name) => `${bffUrl}/bff/callback/${name}`),
            grant_types: ['authorization_code', 'refresh_token'],
          },
        ],
        features: { dPoP: { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => true } },
      }),
      register(registry, issuer) {
        for (const name of PROVIDERS) {
          registry.register(name, {
            clientId: CLIENT.id,
            clientSecret: CLIENT.secret,
            serverMetadataUrl: `${issuer}/.well-known/openid-configuration`,
            // The OP's userinfo endpoint (/me) is a DPoP-protected resource.
            apiBaseUrl: `${issuer}/`,
            authorizeParams: { prompt: 'consent' },
            clientKwargs: { scope: 'openid profile email offline_access', dpop: true },
            ...(name === 'dpop-bearer-answer' ? { complianceFix: { accessTokenResponse: bearerAnswer } } : {}),
          });
        }
      },
      bff: { onLogin: (_ctx, { token }) => void (token.kind === 'oauth2' && logins.push(token)) },
      // The app's own route: a programmatic call with the session's token.
      routes: (registry) => async (ctx) => {
        if (ctx.path !== '/app/me') return;
        const answer = await registry.client('dpop').get('me', { ctx });
        ctx.status = answer.status;
        ctx.body = await answer.text();
      },
    });
    ({ op } = bff);
  });

  afterAll(async () => {
    await bff?.close();
  });

  const login = async (browser: HttpBrowser, provider: string) => (await bff.login(browser, provider, '/app')).location;

  /** RFC 7638 section 3.2: the SHA-256 of the required members of an EC key, in lexicographic order. */
  const thumbprint = ({ crv, kty, x, y }: NonNullable<OAuth2Token['dpopKey']>) =>
    createHash('sha256').update(JSON.stringify({ crv, kty, x, y })).digest('base64url');

  it('logs in with a DPoP-bound token, and proxies GET and POST and the app’s own calls with proofs', async () => {
    const browser = new HttpBrowser();
    const errors = op.record.grantErrors.length;
    expect(await login(browser, 'dpop')).toBe('/app');
    // The pushed request, proving the login's key (RFC 9449 section 10.1), learned the OP's nonce, so the code
    // exchange carried it at once.
    expect(op.record.grantErrors.slice(errors)).toEqual([]);
    expect(op.countGrants('authorization_code', CLIENT.id)).toBe(1);

    const token = logins.at(-1);
    expect(token).toMatchObject({ tokenType: 'dpop', dpopKey: { kty: 'EC', crv: 'P-256' } });
    const jkt = thumbprint(token?.dpopKey ?? { kty: 'EC', crv: 'P-256', x: '', y: '', d: '' });
    // The OP bound the access token to the login's key (RFC 9449 section 6.1).
    expect(await op.introspect(op.record.accessTokens.at(-1) ?? '')).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt } });

    // The userinfo endpoint wants a proof with its own nonce: the first call learns it and is sent again.
    const me = await browser.fetch(`${bff.url}/bff/api/dpop/me`, { csrf: true });
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual(ME);
    const posted = await browser.fetch(`${bff.url}/bff/api/dpop/me`, {
      method: 'POST',
      csrf: true,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'claims=',
    });
    expect(posted.status).toBe(200);
    expect(await posted.json()).toEqual(ME);
    const own = await browser.fetch(`${bff.url}/app/me`);
    expect(own.status).toBe(200);
    expect(JSON.parse(await own.text())).toEqual(ME);
    expect(op.record.serverErrors).toEqual([]);
  });

  it('refreshes with the same key after the OP drops the access token, and the new token is bound to it too', async () => {
    const browser = new HttpBrowser();
    await login(browser, 'dpop');
    const jkt = thumbprint(logins.at(-1)?.dpopKey ?? { kty: 'EC', crv: 'P-256', x: '', y: '', d: '' });
    const refreshes = op.countGrants('refresh_token', CLIENT.id);
    await op.dropAccessToken(op.record.accessTokens.at(-1) ?? '');

    const me = await browser.fetch(`${bff.url}/bff/api/dpop/me`, { csrf: true });
    expect(me.status).toBe(200);
    expect(op.countGrants('refresh_token', CLIENT.id)).toBe(refreshes + 1);
    expect(await op.introspect(op.record.accessTokens.at(-1) ?? '')).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt } });
    expect(op.record.serverErrors).toEqual([]);
  });

  it('refuses a token answer that is not DPoP when DPoP was asked for (RFC 9449 section 5)', async () => {
    const browser = new HttpBrowser();
    const location = new URL((await login(browser, 'dpop-bearer-answer')) ?? '', bff.url);
    expect(location.pathname).toBe('/app');
    expect(location.searchParams.get('latchkey_error')).toBe('login_failed');
    const session = (await (await browser.fetch(`${bff.url}/bff/session`)).json()) as BffSessionResponse;
    expect(session.authenticated).toBe(false);
    const line = bff.logs.findLast((entry) => entry.message === 'login failed' && entry.fields?.provider === 'dpop-bearer-answer');
    expect(line?.fields).toMatchObject({ code: 'login_failed', reason: 'dpop_token_type_mismatch' });
  });

  it('keeps the private key on the server: not in /session, nor in any log line', async () => {
    const browser = new HttpBrowser();
    await login(browser, 'dpop');
    const key = logins.at(-1)?.dpopKey;
    expect(key?.d).toEqual(expect.stringMatching(/^[\w-]{43}$/));
    const session = await (await browser.fetch(`${bff.url}/bff/session`)).text();
    expect(session).toContain(ALICE.sub);
    for (const secret of [key?.d ?? '', key?.x ?? '']) {
      expect(session).not.toContain(secret);
      expect(JSON.stringify(bff.logs)).not.toContain(secret);
    }
    expect(session).not.toMatch(/dpopKey|"kty"|"d"/);
  });
});
