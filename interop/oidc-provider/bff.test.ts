import { randomBytes } from 'node:crypto';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BffSessionResponse } from '@latchkey/common';
import { createBff, OAuthRegistry, type LogFields } from '@latchkey/bff';
import { ALICE } from '../../test-support/provider.js';
import { listen, type Listening } from '../../test-support/listen.js';
import { HttpBrowser } from './http-browser.js';
import { startOidcProvider, type StartedOp } from './op.js';

// Client ids with '-' and '.', as Google's have; secrets with every unreserved punctuation mark, and
// the main one with characters Basic credentials must percent-encode for a server that decodes them
// (RFC 6749 section 2.3.1), as oidc-provider does.
const MAIN = { id: 'latchkey-bff.interop', secret: `s3cret-._~+/=%: ${randomBytes(16).toString('base64url')}` };
const SHORT = { id: 'latchkey-bff.short-lived', secret: `s3cret-._~${randomBytes(16).toString('base64url')}` };
// A token whose whole lifetime is shorter than the refresh skew (issue: a refresh storm).
const BRIEF = { id: 'latchkey-bff.one-second', secret: `s3cret-._~${randomBytes(16).toString('base64url')}` };
const SHORT_TTL = 5;
const BRIEF_TTL = 1;
const SKEW = 2;
const PROVIDERS = [
  ['op', MAIN],
  ['op-short', SHORT],
  ['op-brief', BRIEF],
] as const;

interface Bff {
  url: string;
  /** Proxied calls that reached the BFF's Koa app. */
  entered: () => number;
  logs: { message: string; fields: LogFields | undefined }[];
  close(): Promise<void>;
}

describe('the BFF against oidc-provider (discovery, client_secret_basic)', () => {
  let op: StartedOp;
  let bff: Bff;

  beforeAll(async () => {
    let handler: ReturnType<Koa['callback']> | undefined;
    const server: Listening = await listen((req, res) => void handler?.(req, res));
    op = await startOidcProvider({
      clients: PROVIDERS.map(([name, { id, secret }]) => ({
        client_id: id,
        client_secret: secret,
        token_endpoint_auth_method: 'client_secret_basic' as const,
        redirect_uris: [`${server.url}/bff/callback/${name}`],
        post_logout_redirect_uris: [`${server.url}/bff/logged-out/${name}`],
        grant_types: ['authorization_code', 'refresh_token'],
      })),
      accessTokenTtl: { [SHORT.id]: SHORT_TTL, [BRIEF.id]: BRIEF_TTL },
    });
    const logs: Bff['logs'] = [];
    const log = (message: string, fields?: LogFields) => void logs.push({ message, fields });
    const registry = new OAuthRegistry({
      dangerouslyAllowInsecureHttp: true,
      env: {},
      refreshSkewSeconds: SKEW,
      logger: { debug: log, info: log, warn: log, error: log },
    });
    for (const [name, client] of PROVIDERS) {
      registry.register(name, {
        clientId: client.id,
        clientSecret: client.secret,
        serverMetadataUrl: `${op.issuer}/.well-known/openid-configuration`,
        apiBaseUrl: `${op.issuer}/`,
        // OpenID Connect Core 11: offline_access needs prompt=consent, or oidc-provider drops it (and
        // with it the refresh token).
        authorizeParams: { prompt: 'consent' },
        clientKwargs: { scope: 'openid profile email offline_access' },
      });
    }
    let entered = 0;
    const app = new Koa();
    app.silent = true;
    app.use(async (ctx, next) => {
      if (ctx.path.startsWith('/bff/api/')) entered += 1;
      await next();
    });
    app.use(createBff({ registry, keys: [randomBytes(32).toString('base64url')] }));
    handler = app.callback();
    bff = {
      url: server.url,
      entered: () => entered,
      logs,
      async close() {
        await server.close();
        await registry.close();
      },
    };
  });

  afterAll(async () => {
    await bff?.close();
    await op?.close();
  });

  /** The user logs in through the BFF: Alice's username and password and Allow (or Deny) on the OP's page. */
  async function login(browser: HttpBrowser, provider: string, decision: 'allow' | 'deny' = 'allow') {
    const start = await browser.fetch(`${bff.url}/bff/login/${provider}?returnTo=${encodeURIComponent('/app/page?tab=1')}`);
    expect(start.status).toBe(302);
    const interaction = await browser.followUntil(start.headers.get('location') ?? '', bff.url);
    expect(interaction.url).toMatch(`${op.issuer}/interaction/`);
    const form = await interaction.response?.text();
    const resume = await browser.submitForm(interaction.url, form ?? '', { username: ALICE.username, password: ALICE.password, decision });
    const { url: callback } = await browser.followUntil(resume, bff.url);
    expect(callback).toMatch(`${bff.url}/bff/callback/${provider}?`);
    const done = await browser.fetch(callback);
    expect(done.status).toBe(302);
    return { location: done.headers.get('location'), callback: new URL(callback) };
  }

  const session = async (browser: HttpBrowser) => (await (await browser.fetch(`${bff.url}/bff/session`)).json()) as BffSessionResponse;

  it('logs in with code + PKCE S256 + nonce, checks the ID token, and proxies the userinfo endpoint', async () => {
    const browser = new HttpBrowser();
    const { location, callback } = await login(browser, 'op');
    expect(location).toBe('/app/page?tab=1');
    // RFC 9207: oidc-provider names itself in the authorization response.
    expect(callback.searchParams.get('iss')).toBe(op.issuer);

    const request = op.record.authorizations.at(-1);
    expect(request).toMatchObject({ client_id: MAIN.id, response_type: 'code', code_challenge_method: 'S256', prompt: 'consent' });
    expect(request?.code_challenge).toEqual(expect.stringMatching(/^[\w-]{43}$/));
    expect(request?.nonce).toEqual(expect.stringMatching(/^[\w-]{20,}$/));
    // client_secret_basic with '-', '.' in the id and '-._~+/=%: ' in the secret: oidc-provider took the header.
    expect(op.record.grants.filter((grant) => grant.clientId === MAIN.id)).toEqual([
      { grantType: 'authorization_code', clientId: MAIN.id, authorization: 'Basic' },
    ]);

    const current = await session(browser);
    expect(current).toMatchObject({
      authenticated: true,
      user: { sub: ALICE.sub, name: ALICE.name, email: ALICE.email },
      connections: [{ provider: 'op', protocol: 'oauth2', scopes: expect.arrayContaining(['openid', 'offline_access']) }],
    });

    const me = await browser.fetch(`${bff.url}/bff/api/op/me`, { csrf: true });
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ sub: ALICE.sub, name: ALICE.name, email: ALICE.email, email_verified: true });

    // The OP forgets the access token early: its 401 (RFC 6750 invalid_token) makes the BFF refresh and retry once.
    await op.dropAccessToken(op.record.accessTokens.at(-1) ?? '');
    const again = await browser.fetch(`${bff.url}/bff/api/op/me`, { csrf: true });
    expect(again.status).toBe(200);
    expect(op.countGrants('refresh_token', MAIN.id)).toBe(1);
    expect(op.record.grantErrors).toEqual([]);
    expect(op.record.serverErrors).toEqual([]);
  });

  it('comes back with authorization_denied when the user denies consent', async () => {
    const { location } = await login(new HttpBrowser(), 'op', 'deny');
    const back = new URL(location ?? '', bff.url);
    expect(back.pathname).toBe('/app/page');
    expect(back.searchParams.get('latchkey_error')).toBe('authorization_denied');
    expect(back.searchParams.get('latchkey_provider')).toBe('op');
  });

  it('refreshes an expiring token once for 20 concurrent calls, rotates the refresh token, and revokes at logout', async () => {
    const browser = new HttpBrowser();
    await login(browser, 'op-short');
    const [connection] = (await session(browser)).connections;
    const issued = op.record.refreshTokens.at(-1) ?? '';
    expect(await op.introspect(issued)).toMatchObject({ active: true, client_id: SHORT.id });

    // Wait for the token to come within the skew (it is SHORT_TTL seconds long), then hold the refresh at
    // the OP's door until every call has reached the BFF, so they all wait for that one refresh.
    await expect.poll(() => Date.now() / 1000 >= (connection?.expiresAt ?? 0) - SKEW, { timeout: 10_000, interval: 100 }).toBe(true);
    const consumed = op.record.consumedRefreshTokens.length;
    const door = op.holdTokenRequests();
    const entered = bff.entered();
    const calls = Array.from({ length: 20 }, () => browser.fetch(`${bff.url}/bff/api/op-short/me`, { csrf: true }));
    await expect.poll(() => bff.entered() - entered).toBe(20);
    await expect.poll(() => door.held()).toBe(1);
    door.release();
    const answers = await Promise.all(calls);
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));

    expect(op.countGrants('refresh_token', SHORT.id)).toBe(1);
    expect(op.record.consumedRefreshTokens.slice(consumed)).toEqual([issued]);
    const rotated = op.record.refreshTokens.at(-1) ?? '';
    expect(rotated).not.toBe(issued);
    expect(await op.introspect(issued)).toEqual({ active: false });
    expect(await op.introspect(rotated)).toMatchObject({ active: true });
    const accessToken = op.record.accessTokens.at(-1) ?? '';
    expect(await op.introspect(accessToken)).toMatchObject({ active: true, token_type: 'Bearer' });

    // Logout revokes at the OP (RFC 7009): the refresh token and the access token are dead there.
    const logout = await browser.fetch(`${bff.url}/bff/logout`, { method: 'POST', csrf: true });
    expect(logout.status).toBe(204);
    expect(await op.introspect(rotated)).toEqual({ active: false });
    expect(await op.introspect(accessToken)).toEqual({ active: false });
    expect((await browser.fetch(`${bff.url}/bff/api/op-short/me`, { csrf: true })).status).toBe(401);
    expect(op.record.serverErrors).toEqual([]);
  });

  /** Starts a login and returns the OP's interaction page: it asks for the password only without an OP session. */
  async function interactionPage(browser: HttpBrowser): Promise<string> {
    const start = await browser.fetch(`${bff.url}/bff/login/op`);
    const interaction = await browser.followUntil(start.headers.get('location') ?? '', bff.url);
    expect(interaction.url).toMatch(`${op.issuer}/interaction/`);
    return (await interaction.response?.text()) ?? '';
  }

  it('ends the OP session at logout with endSession (RP-Initiated Logout) and lands on returnTo', async () => {
    const browser = new HttpBrowser();
    await login(browser, 'op');
    expect(await interactionPage(browser)).not.toContain('id="password"');

    const logout = await browser.fetch(`${bff.url}/bff/logout`, {
      method: 'POST',
      csrf: true,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ endSession: true, returnTo: '/signed-out' }),
    });
    expect(logout.status).toBe(200);
    const { endSessionUrl } = (await logout.json()) as { endSessionUrl: string };
    const url = new URL(endSessionUrl);
    expect(url.origin).toBe(op.issuer);
    expect(url.searchParams.get('client_id')).toBe(MAIN.id);
    expect(url.searchParams.get('id_token_hint')).toMatch(/^ey/);
    expect(url.searchParams.get('post_logout_redirect_uri')).toBe(`${bff.url}/bff/logged-out/op`);
    expect((await session(browser)).authenticated).toBe(false);

    // oidc-provider asks the user to confirm (its logoutSource page), then ends its session.
    const page = await (await browser.fetch(endSessionUrl)).text();
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1] ?? '';
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
    const ended = op.record.endSessions;
    const confirm = await browser.fetch(new URL(action, endSessionUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf, logout: 'yes' }),
    });
    expect(op.record.endSessions).toBe(ended + 1);
    const back = new URL(confirm.headers.get('location') ?? '', endSessionUrl);
    expect(back.origin + back.pathname).toBe(`${bff.url}/bff/logged-out/op`);
    expect(back.searchParams.get('state')).toBe(url.searchParams.get('state'));

    const landed = await browser.fetch(back);
    expect(landed.headers.get('location')).toBe('/signed-out');
    expect(await interactionPage(browser)).toContain('id="password"');
    expect(op.record.serverErrors).toEqual([]);
  });

  it('refreshes once for 20 concurrent calls when the whole token lifetime is shorter than the skew', async () => {
    const browser = new HttpBrowser();
    await login(browser, 'op-brief');
    const [connection] = (await session(browser)).connections;
    // The token is dead at the OP too once its second has passed.
    await expect.poll(() => Date.now() / 1000 > (connection?.expiresAt ?? 0), { timeout: 5000, interval: 100 }).toBe(true);
    const door = op.holdTokenRequests();
    const entered = bff.entered();
    const calls = Array.from({ length: 20 }, () => browser.fetch(`${bff.url}/bff/api/op-brief/me`, { csrf: true }));
    await expect.poll(() => bff.entered() - entered).toBe(20);
    await expect.poll(() => door.held()).toBe(1);
    door.release();
    // Every waiter takes the token refreshed while it waited, though it "expires" within the skew at once.
    expect((await Promise.all(calls)).map((answer) => answer.status)).toEqual(Array(20).fill(200));
    expect(op.countGrants('refresh_token', BRIEF.id)).toBe(1);
  });
});
