import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { chromiumGate } from '../test-support/services.js';
import { demoInChromium, loginByClicks, openDemo, screenshotFolder } from './chromium-suite.js';

// Screenshots of every step, for checking the demo by eye (LATCHKEY_SCREENSHOTS picks the folder).
const shots = screenshotFolder('demo');
let shotCount = 0;
async function shoot(page: Page, name: string): Promise<void> {
  shotCount += 1;
  await page.screenshot({ path: join(shots, `${String(shotCount).padStart(2, '0')}-${name}.png`), fullPage: true });
}

describe.runIf(chromiumGate())('the demo in headless Chromium', () => {
  const suite = demoInChromium();
  beforeAll(() => {
    // Only a folder that is kept is worth naming; a temporary one is removed when the file is done.
    if (process.env.LATCHKEY_SCREENSHOTS !== undefined) console.info(`demo screenshots: ${shots}`);
  });

  const open = () => openDemo(suite);
  const loginWith = (page: Page, button: string, decision: 'allow' | 'deny') => loginByClicks(suite, page, button, decision);

  async function reload(page: Page): Promise<void> {
    await page.reload();
    await page.waitForSelector('#app[data-ready]');
  }

  it('logs in in the browser with PKCE, shows the profile and the token lifetime, calls the API, survives a reload, logs out', async () => {
    const page = await open();
    await shoot(page, 'logged-out');
    await loginWith(page, '#login-spa', 'allow');
    await expect.poll(() => page.locator('#spa-profile .name').textContent()).toBe('Alice Liddell');
    expect(await page.locator('#spa-expiry .countdown').textContent()).toMatch(/^\d+:\d\d$/);

    await page.click('#spa-call-api');
    await expect.poll(() => page.locator('#spa-api-result .status').textContent()).toBe('200');
    expect(JSON.parse((await page.locator('#spa-api-result pre').textContent())!)).toMatchObject({
      sub: 'u-alice',
      protocol: 'oauth2',
      query: { from: 'latchkey-demo' },
    });
    await shoot(page, 'spa-logged-in');

    await reload(page);
    await expect.poll(() => page.locator('#spa-profile .name').textContent()).toBe('Alice Liddell');

    await page.click('#spa-logout');
    await expect.poll(() => page.locator('#spa-session').count()).toBe(0);
    await reload(page);
    expect(await page.locator('#spa-session').count()).toBe(0);
    await page.close();
  });

  it('shows a denied consent in the browser flow as a readable message', async () => {
    const page = await open();
    await loginWith(page, '#login-spa', 'deny');
    await expect.poll(() => page.locator('#notice .notice-code').textContent()).toBe('authorization_denied');
    expect(await page.locator('#spa-session').count()).toBe(0);
    await shoot(page, 'spa-denied');
    await page.close();
  });

  for (const [provider, protocol] of [
    ['latchkey', 'oauth2'],
    ['latchkey-oauth1', 'oauth1'],
  ] as const) {
    it(`logs in through the BFF (${protocol}), shows the profile and the linked provider, calls the API, survives a reload, logs out`, async () => {
      const page = await open();
      await loginWith(page, `#login-bff-${provider}`, 'allow');
      await expect.poll(() => page.locator('#bff-profile .name').textContent()).toBe('Alice Liddell');
      const connection = page.locator(`#bff-connections [data-provider="${provider}"]`);
      expect(await connection.count()).toBe(1);

      // The browser holds only the BFF's HttpOnly cookies (the session, and the login binding that outlives a
      // login for its short lifetime); no token reaches the page. Cookies ignore ports: the provider's own
      // login session cookie (127.0.0.1 too) is not the app's.
      const cookies = (await suite.chromium.context.cookies(suite.demo.url)).filter((cookie) => cookie.name !== 'latchkey-op-session');
      expect(cookies.map((cookie) => [cookie.name, cookie.httpOnly, cookie.sameSite]).sort()).toEqual([
        ['latchkey', true, 'Lax'],
        ['latchkey-login', true, 'Lax'],
      ]);

      await page.click(`#bff-call-api-${provider}`);
      await expect.poll(() => page.locator('#bff-api-result .status').textContent()).toBe('200');
      const echoed = JSON.parse((await page.locator('#bff-api-result pre').textContent())!) as {
        sub: string;
        protocol: string;
        headers: string[];
      };
      expect(echoed).toMatchObject({ sub: 'u-alice', protocol, query: { from: 'latchkey-demo' } });
      expect(echoed.headers).not.toContain('cookie');
      await shoot(page, `bff-${protocol}-logged-in`);

      await reload(page);
      await expect.poll(() => page.locator('#bff-profile .name').textContent()).toBe('Alice Liddell');

      await page.click('#bff-logout');
      await expect.poll(() => page.locator('#bff-session').count()).toBe(0);
      await reload(page);
      expect(await page.locator('#bff-session').count()).toBe(0);
      await page.close();
    });

    it(`shows a denied consent through the BFF (${protocol}) as a readable message`, async () => {
      const page = await open();
      await loginWith(page, `#login-bff-${provider}`, 'deny');
      await expect.poll(() => page.locator('#notice .notice-code').textContent()).toBe('authorization_denied');
      expect(new URL(page.url()).search).toBe('');
      expect(await page.locator('#bff-session').count()).toBe(0);
      await shoot(page, `bff-${protocol}-denied`);
      await page.close();
    });
  }

  it('links both BFF providers to one session, unlinks one, and fits a phone screen', async () => {
    const page = await open();
    await loginWith(page, '#login-bff-latchkey', 'allow');
    await page.waitForSelector('#bff-connections [data-provider="latchkey"]');
    await loginWith(page, '#login-bff-latchkey-oauth1', 'allow');
    await expect.poll(() => page.locator('#bff-connections [data-provider]').count()).toBe(2);

    await page.setViewportSize({ width: 375, height: 812 });
    await page.click('#bff-call-api-latchkey-oauth1');
    await expect.poll(() => page.locator('#bff-api-result .status').textContent()).toBe('200');
    // Nothing wider than the phone: no sideways scrolling.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await shoot(page, 'bff-both-linked-phone');

    await page.click('#bff-disconnect-latchkey-oauth1');
    await expect.poll(() => page.locator('#bff-connections [data-provider]').count()).toBe(1);
    expect(await page.locator('#login-bff-latchkey-oauth1').count()).toBe(1);
    await page.click('#bff-logout');
    await expect.poll(() => page.locator('#bff-session').count()).toBe(0);
    await page.close();
  });
});
