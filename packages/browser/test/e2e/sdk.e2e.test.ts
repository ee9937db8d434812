import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type LaunchedChromium } from '../../../../test-support/chromium.js';
import { bundleApp } from '../../../../test-support/bundle-app.js';
import { listen, type Listening } from '../../../../test-support/listen.js';
import { startTestProvider, type TestProvider } from '../../../../test-support/provider.js';
import { chromiumGate } from '../../../../test-support/services.js';

const CLIENT_ID = 'e2e-spa';

const page = (issuer: string) => `<!doctype html>
<meta charset="utf-8"><title>Latchkey e2e</title>
<script type="application/json" id="config">${JSON.stringify({ issuer, clientId: CLIENT_ID })}</script>
<p id="status">loading</p><p id="me"></p>
<button id="login">Log in</button><button id="me-call">Me</button><button id="logout">Log out</button>
<script type="module" src="/app.js"></script>`;

describe.runIf(chromiumGate())('the SDK in headless Chromium against the real provider', () => {
  let provider: TestProvider;
  let app: Listening;
  let chromium: LaunchedChromium;

  beforeAll(async () => {
    provider = await startTestProvider();
    const script = await bundleApp(new URL('./app.ts', import.meta.url));
    // The SPA on its own origin; the provider answers its token and API calls with CORS.
    app = await listen((req, res) => {
      if (req.url === '/app.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' });
        return void res.end(script);
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page(provider.issuer));
    });
    await provider.provider.registerClient({
      clientId: CLIENT_ID,
      tokenEndpointAuthMethod: 'none',
      redirectUris: [`${app.url}/app/callback`],
    });
    chromium = await launchChromium();
  });

  afterAll(async () => {
    await chromium?.close();
    await app?.close();
    await provider?.close();
  });

  const status = (tab: Page) => tab.locator('#status');

  it('logs in with clicks, survives a reload, calls /api/me, shares the session and the logout across tabs', async () => {
    const tab = await chromium.context.newPage();
    await tab.goto(`${app.url}/app/home`);
    await expect.poll(() => status(tab).textContent()).toBe('logged-out');

    // The provider's real login and consent page.
    await tab.click('#login');
    await tab.waitForURL(`${provider.url}/oauth/authorize**`);
    await tab.fill('#username', 'alice');
    await tab.fill('#password', 'wonderland');
    await tab.click('button[value="allow"]');

    await tab.waitForURL(`${app.url}/app/home`);
    await expect.poll(() => status(tab).textContent()).toBe('logged-in:u-alice');
    expect(new URL(tab.url()).search).toBe('');
    expect(provider.countEvents('token_request', 'authorization_code')).toBe(1);

    // Tokens live in IndexedDB: a reload is still logged in, with no new token request.
    await tab.reload();
    await expect.poll(() => status(tab).textContent()).toBe('logged-in:u-alice');

    await tab.click('#me-call');
    await expect.poll(() => tab.locator('#me').textContent()).toBe('200:Alice Liddell');

    // A second tab is logged in already.
    const second = await chromium.context.newPage();
    await second.goto(`${app.url}/app/home`);
    await expect.poll(() => status(second).textContent()).toBe('logged-in:u-alice');

    // Logging out in the second tab reaches the first.
    await second.click('#logout');
    await expect.poll(() => status(second).textContent()).toBe('logged-out:user');
    await expect.poll(() => status(tab).textContent()).toBe('logged-out:other_tab');
    await expect.poll(() => provider.countEvents('token_revoked')).toBeGreaterThanOrEqual(1);
    expect(provider.countEvents('token_request', 'authorization_code')).toBe(1);
  });
});
