import { describe, expect, it } from 'vitest';
import { chromiumGate } from '../test-support/services.js';
import { bffSession, demoInChromium, loginByClicks, openDemo } from './chromium-suite.js';

// "Log out everywhere" in the browser column ends the provider's login session (RP-Initiated Logout); the
// provider then POSTs a logout token to the BFF (Back-Channel Logout), which ends its session. The page
// never calls the BFF's logout. Both logins share the provider's login session: the second is single
// sign-on, so the BFF's login has the same sid.
describe.runIf(chromiumGate())('log out everywhere in headless Chromium', () => {
  const suite = demoInChromium();

  for (const provider of ['latchkey', 'latchkey-dpop'] as const) {
    it(`ends the BFF session (${provider}) through the provider's back channel, and the provider's own`, async () => {
      const page = await openDemo(suite);
      await loginByClicks(suite, page, '#login-spa', 'allow');
      await expect.poll(() => page.locator('#spa-profile .name').textContent()).toBe('Alice Liddell');

      await page.click(`#login-bff-${provider}`);
      await page.waitForURL(/\/oauth\/authorize/);
      // Single sign-on: signed in at the provider already, only consent is asked.
      expect(await page.locator('#password').count()).toBe(0);
      await page.click('button[value="allow"]');
      await page.waitForURL(`${suite.demo.url}/`);
      await page.waitForSelector('#app[data-ready]');
      await expect.poll(() => page.locator('#bff-profile .name').textContent()).toBe('Alice Liddell');
      expect((await bffSession(page)).connections.map((connection) => connection.provider)).toEqual([provider]);

      const bffCalls: string[] = [];
      page.on('request', (request) => {
        const url = new URL(request.url());
        if (url.origin === suite.demo.url && url.pathname.startsWith('/bff/') && request.method() === 'POST') bffCalls.push(url.pathname);
      });
      await page.click('#spa-logout-everywhere');
      await page.waitForSelector('#app[data-ready] #notice.info');

      expect(await page.locator('#notice .notice-title').textContent()).toBe('Logged out everywhere');
      expect(await page.locator('#notice p').textContent()).toContain('Latchkey ID ended the BFF session too (back-channel logout)');
      expect(bffCalls).toEqual([]);
      expect(await page.locator('#spa-session').count()).toBe(0);
      expect(await page.locator('#bff-session').count()).toBe(0);
      expect(await bffSession(page)).toMatchObject({ authenticated: false, connections: [] });

      // The provider's login session is over too: the next login asks for the password.
      await page.click('#login-spa');
      await page.waitForURL(/\/oauth\/authorize/);
      expect(await page.locator('#password').count()).toBe(1);
      await page.close();
    });
  }

  it('says so when there was no BFF session to end', async () => {
    const page = await openDemo(suite);
    await loginByClicks(suite, page, '#login-spa', 'allow');
    await page.waitForSelector('#spa-session');
    await page.click('#spa-logout-everywhere');
    await page.waitForSelector('#app[data-ready] #notice.info');
    expect(await page.locator('#notice .notice-title').textContent()).toBe('Logged out of Latchkey ID');
    expect(await page.locator('#spa-session').count()).toBe(0);
    await page.close();
  });
});
