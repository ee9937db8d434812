import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The test SPA the oidc-provider suites drive too, here with DPoP on and the provider's own API.
import { serveSpa, type ServedSpa } from '../../../../interop/oidc-provider/spa/serve.js';
import { launchChromium, type LaunchedChromium } from '../../../../test-support/chromium.js';
import { ALICE, startTestProvider, type TestProvider } from '../../../../test-support/provider.js';
import { chromiumGate } from '../../../../test-support/services.js';
import { logInByClicks, openTab, pageText as text } from '../../../../test-support/spa-tab.js';
import { readStoredSession } from './stored-session.js';

const APP = { base: '/app', clientId: 'e2e-dpop-spa', refreshSkew: 60 };

describe.runIf(chromiumGate())('DPoP in headless Chromium against the real provider (nonces required)', () => {
  let provider: TestProvider;
  let spa: ServedSpa;
  let chromium: LaunchedChromium;

  beforeAll(async () => {
    spa = await serveSpa();
    provider = await startTestProvider({ dpop: { requireNonce: true } });
    spa.configure([{ ...APP, issuer: provider.issuer, dpop: true, api: `${provider.issuer}/api/me` }]);
    await provider.provider.registerClient({
      clientId: APP.clientId,
      tokenEndpointAuthMethod: 'none',
      redirectUris: [`${spa.server.url}${APP.base}/callback`],
    });
    chromium = await launchChromium();
  });

  afterAll(async () => {
    await chromium?.close();
    await spa?.server.close();
    await provider?.close();
  });

  const stored = (tab: Page) => readStoredSession(tab, APP.clientId, provider.issuer);
  const open = (status: string) => openTab(chromium.context, `${spa.server.url}${APP.base}/home`, status);

  /** Logs in by clicks on the provider's page; with its login session still there (`ssoSession`), only Allow. */
  const logIn = (tab: Page, ssoSession = false) =>
    logInByClicks(tab, `${provider.url}/oauth/authorize**`, `${spa.server.url}${APP.base}/home`, ssoSession);

  it('keeps a non-extractable key in IndexedDB across reloads and tabs, calls the API with proofs across origins, and a stolen token is refused', async () => {
    const tab = await open('logged-out');
    await logIn(tab);
    // The callback is a new page, whose first proof has no nonce: the code exchange is answered
    // use_dpop_nonce once, then sent again with it.
    expect(provider.countEvents('token_request', 'authorization_code')).toBe(2);
    expect(provider.countEvents('token_issued', 'authorization_code')).toBe(1);
    const session = await stored(tab);
    expect(session).toMatchObject({ tokenType: 'dpop', privateKey: { isCryptoKey: true, extractable: false, algorithm: 'P-256' } });
    const jkt = session?.jkt;
    expect(jkt).toMatch(/^[\w-]{43}$/);

    await tab.click('#me-call');
    await expect.poll(() => text(tab, 'me')).toBe(`200:${ALICE.name}`);

    // A reload starts a new DPoP handle with no nonce: the API's 401 use_dpop_nonce (read across origins
    // through CORS) is retried once with the nonce. The key is the one IndexedDB kept.
    await tab.reload();
    await expect.poll(() => text(tab, 'status')).toBe(`logged-in:${ALICE.sub}`);
    expect((await stored(tab))?.jkt).toBe(jkt);
    await tab.click('#me-call');
    await expect.poll(() => text(tab, 'me')).toBe(`200:${ALICE.name}`);

    // Another tab of the app uses the same key.
    const second = await open(`logged-in:${ALICE.sub}`);
    await second.click('#me-call');
    await expect.poll(() => text(second, 'me')).toBe(`200:${ALICE.name}`);
    expect((await stored(second))?.jkt).toBe(jkt);

    // What a script that read IndexedDB could take: the token, without the key that cannot leave the browser.
    const stolen = session?.accessToken ?? '';
    for (const authorization of [`Bearer ${stolen}`, `DPoP ${stolen}`]) {
      const response = await fetch(`${provider.issuer}/api/me`, { headers: { authorization } });
      expect(response.status).toBe(401);
    }

    // Logout in one tab reaches the other and removes the key with the tokens; the next login has a new key.
    await second.click('#logout');
    await expect.poll(() => text(tab, 'status')).toBe('logged-out:other_tab');
    expect(await stored(tab)).toBeNull();
    // The provider's own login session is still there (logout did not ask for end-session).
    await logIn(tab, true);
    const next = await stored(tab);
    expect(next?.jkt).toMatch(/^[\w-]{43}$/);
    expect(next?.jkt).not.toBe(jkt);
    expect(await text(tab, 'error')).toBe('');
  });
});
