import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type LaunchedChromium } from '../../test-support/chromium.js';
import { ALICE } from '../../test-support/provider.js';
import { chromiumGate } from '../../test-support/services.js';
import { logInByClicks, openTab, pageText as text, callAtOnceWithRefreshHeld } from '../../test-support/spa-tab.js';
import { startOidcProvider, type StartedOp } from './op.js';
import { serveSpa, type ServedSpa } from './spa/serve.js';

interface SpaApp {
  base: string;
  clientId: string;
  refreshSkew: number;
}

// Three apps on one origin, each its own public client: one with hour-long tokens, one whose 5-second
// tokens come within its 2-second refresh skew while the test watches, and one whose 3-second tokens
// live shorter than the default 60-second skew.
const SPA: SpaApp = { base: '/spa', clientId: 'latchkey-spa', refreshSkew: 60 };
const TABS: SpaApp = { base: '/tabs', clientId: 'latchkey-spa.tabs', refreshSkew: 2 };
const BRIEF: SpaApp = { base: '/brief', clientId: 'latchkey-spa.brief', refreshSkew: 60 };
const APPS = [SPA, TABS, BRIEF];

describe.runIf(chromiumGate())('the browser SDK in Chromium against oidc-provider', () => {
  let op: StartedOp;
  let spa: ServedSpa;
  let chromium: LaunchedChromium;

  beforeAll(async () => {
    spa = await serveSpa();
    const origin = spa.server.url;
    op = await startOidcProvider({
      clients: APPS.map((app) => ({
        client_id: app.clientId,
        token_endpoint_auth_method: 'none' as const,
        application_type: 'web' as const,
        redirect_uris: [`${origin}${app.base}/callback`],
        post_logout_redirect_uris: [`${origin}${app.base}/bye`],
        grant_types: ['authorization_code', 'refresh_token'],
      })),
      accessTokenTtl: { [TABS.clientId]: 5, [BRIEF.clientId]: 3 },
    });
    spa.configure(APPS.map((app) => ({ ...app, issuer: op.issuer })));
    chromium = await launchChromium();
  });

  afterAll(async () => {
    await chromium?.close();
    await spa?.server.close();
    await op?.close();
  });

  const open = (app: SpaApp, status: string) => openTab(chromium.context, `${spa.server.url}${app.base}/home`, status);

  /** Log in by clicks on the OP's own page; only Allow while the OP still has a login session (`ssoSession`). */
  const logIn = (tab: Page, app: SpaApp, ssoSession = false) =>
    logInByClicks(tab, `${op.issuer}/interaction/**`, `${spa.server.url}${app.base}/home`, ssoSession);

  it('logs in with code + PKCE + nonce, keeps the session over a reload, and logs out with revocation and end-session', async () => {
    const tab = await open(SPA, 'logged-out');
    await logIn(tab, SPA);
    expect(op.record.authorizations.at(-1)).toMatchObject({
      client_id: SPA.clientId,
      response_type: 'code',
      code_challenge_method: 'S256',
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
      nonce: expect.stringMatching(/^[\w-]{20,}$/),
      redirect_uri: `${spa.server.url}/spa/callback`,
    });
    expect(op.record.grants).toEqual([{ grantType: 'authorization_code', clientId: SPA.clientId, authorization: undefined }]);
    const refreshToken = op.record.refreshTokens.at(-1) ?? '';
    const accessToken = op.record.accessTokens.at(-1) ?? '';
    expect(await op.introspect(refreshToken)).toMatchObject({ active: true, client_id: SPA.clientId });

    // IndexedDB keeps the session: a reload is logged in with no token request.
    await tab.reload();
    await expect.poll(() => text(tab, 'status')).toBe(`logged-in:${ALICE.sub}`);
    // The userinfo endpoint, called across origins with the access token (CORS by the client's redirect URIs).
    await tab.click('#me-call');
    await expect.poll(() => text(tab, 'me')).toBe(`200:${ALICE.name}`);
    expect(op.record.grants).toHaveLength(1);

    // The OP forgets the access token early: fetch() reads its 401 (RFC 6750 invalid_token), refreshes, retries.
    await op.dropAccessToken(accessToken);
    await tab.click('#me-call');
    await expect.poll(() => text(tab, 'me')).toBe(`200:${ALICE.name}`);
    expect(op.countGrants('refresh_token', SPA.clientId)).toBe(1);
    expect(op.record.consumedRefreshTokens).toEqual([refreshToken]);
    const refreshed = { refreshToken: op.record.refreshTokens.at(-1) ?? '', accessToken: op.record.accessTokens.at(-1) ?? '' };

    // Log out everywhere: revocation (RFC 7009), then the OP's end-session page, then back to the app.
    await tab.click('#end-session');
    await tab.waitForURL(`${op.issuer}/session/end**`);
    const endSession = new URL(tab.url()).searchParams;
    expect(Object.fromEntries(endSession)).toMatchObject({
      client_id: SPA.clientId,
      post_logout_redirect_uri: `${spa.server.url}/spa/bye`,
      id_token_hint: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
    });
    expect(await op.introspect(refreshed.refreshToken)).toEqual({ active: false });
    expect(await op.introspect(refreshed.accessToken)).toEqual({ active: false });
    await tab.click('button[value="yes"]');
    await tab.waitForURL(`${spa.server.url}/spa/bye`);
    await expect.poll(() => text(tab, 'status')).toBe('logged-out');
    expect(op.record.endSessions).toBe(1);
    expect(await text(tab, 'error')).toBe('');

    // The OP's session is over: the next login asks for the password again.
    await tab.click('#login');
    await tab.waitForURL(`${op.issuer}/interaction/**`);
    await expect(tab.locator('#password').count()).resolves.toBe(1);
    await tab.close();
    expect(op.record.serverErrors).toEqual([]);
  });

  it('three tabs calling at once with an expiring token make one refresh_token grant, then share the rotated tokens and the logout', async () => {
    // The tabs are open before the login, so the token's 5 seconds start once all three are there.
    const tabs: [Page, Page, Page] = [await open(TABS, 'logged-out'), await open(TABS, 'logged-out'), await open(TABS, 'logged-out')];
    const [first, second] = tabs;
    await logIn(first, TABS);
    for (const tab of tabs) await expect.poll(() => text(tab, 'status')).toBe(`logged-in:${ALICE.sub}`);
    const issued = op.record.refreshTokens.at(-1) ?? '';

    // Wait until the token is within the 2-second skew, then hold the refresh at the OP's door while
    // all three tabs want it: one tab holds the refresh lock (Web Locks), the other two queue behind it.
    const expiresAt = Number(await text(first, 'expires-at'));
    await expect.poll(() => Date.now() >= expiresAt - TABS.refreshSkew * 1000, { timeout: 10_000, interval: 100 }).toBe(true);
    const consumed = op.record.consumedRefreshTokens.length;
    await callAtOnceWithRefreshHeld(tabs, () => op.holdTokenRequests());
    expect(op.countGrants('refresh_token', TABS.clientId)).toBe(1);
    expect(op.record.consumedRefreshTokens.slice(consumed)).toEqual([issued]);
    const rotated = op.record.refreshTokens.at(-1) ?? '';
    expect(await op.introspect(issued)).toEqual({ active: false });
    expect(await op.introspect(rotated)).toMatchObject({ active: true, client_id: TABS.clientId });

    // A logout in one tab reaches the others and revokes the rotated refresh token at the OP.
    await second.click('#logout');
    await expect.poll(() => text(second, 'status')).toBe('logged-out:user');
    await expect.poll(() => text(first, 'status')).toBe('logged-out:other_tab');
    await expect.poll(async () => (await op.introspect(rotated)).active).toBe(false);
    expect(op.countGrants('refresh_token', TABS.clientId)).toBe(1);
    for (const tab of tabs) expect(await text(tab, 'error')).toBe('');
    expect(op.record.serverErrors).toEqual([]);
  });

  it('three tabs whose tokens live shorter than the skew make one refresh_token grant per expiry', async () => {
    const tabs: [Page, Page, Page] = [await open(BRIEF, 'logged-out'), await open(BRIEF, 'logged-out'), await open(BRIEF, 'logged-out')];
    const [first] = tabs;
    // The OP's login session of the test before (its logout did not ask for end-session) still holds.
    await logIn(first, BRIEF, true);
    for (const tab of tabs) await expect.poll(() => text(tab, 'status')).toBe(`logged-in:${ALICE.sub}`);
    // Past the token's end (it is dead at the OP as well), all three tabs call at once.
    const expiresAt = Number(await text(first, 'expires-at'));
    await expect.poll(() => Date.now() > expiresAt, { timeout: 10_000, interval: 100 }).toBe(true);
    const before = op.countGrants('refresh_token', BRIEF.clientId);
    await callAtOnceWithRefreshHeld(tabs, () => op.holdTokenRequests());
    // The tabs that waited take the token refreshed meanwhile, though it is "expiring" by the skew at once.
    expect(op.countGrants('refresh_token', BRIEF.clientId) - before).toBe(1);
    for (const tab of tabs) expect(await text(tab, 'error')).toBe('');
  });
});
