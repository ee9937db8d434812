import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeEach, describe, expect, it } from 'vitest';
import { chromiumGate } from '../../test-support/services.js';
import { consent, demoInChromium, screenshotFolder } from '../chromium-suite.js';

// Screenshots at a desktop and a phone width, for checking the pages by eye (LATCHKEY_SCREENSHOTS keeps them).
const shots = screenshotFolder('bindings');
const DESKTOP = { width: 1100, height: 900 };
const PHONE = { width: 375, height: 812 };

describe.runIf(chromiumGate())('the React and Vue binding apps in headless Chromium', () => {
  const suite = demoInChromium();

  // Every test starts logged out everywhere (no cookies, no stored tokens), so a failure stays its own.
  beforeEach(async () => {
    const cleaner = await suite.newPage();
    for (const page of suite.chromium.context.pages()) if (page !== cleaner) await page.close();
    await suite.chromium.context.clearCookies();
    await cleaner.goto(`${suite.demo.url}/demo-config.json`);
    await cleaner.evaluate(async () => {
      const names = (await indexedDB.databases()).flatMap((database) => (database.name ? [database.name] : []));
      await Promise.all(
        names.map((name) => new Promise((done) => Object.assign(indexedDB.deleteDatabase(name), { onsuccess: done, onerror: done }))),
      );
    });
    await cleaner.close();
  });

  async function open(path: string): Promise<Page> {
    const page = await suite.newPage();
    await page.setViewportSize(DESKTOP);
    await page.goto(`${suite.demo.url}${path}`);
    return page;
  }

  const text = (page: Page, selector: string) => () => page.locator(selector).textContent();
  const onPath = (path: string) => (url: URL) => url.pathname === path;

  /** Screenshots at both widths; on the phone nothing may be wider than the screen (no sideways scrolling). */
  async function shoot(page: Page, name: string): Promise<void> {
    await page.screenshot({ path: join(shots, `${name}-desktop.png`), fullPage: true });
    await page.setViewportSize(PHONE);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    await page.screenshot({ path: join(shots, `${name}-phone.png`), fullPage: true });
    await page.setViewportSize(DESKTOP);
  }

  /** A failure shown as the main demo shows it: a readable title, the stable code kept small beside it. */
  async function expectNotice(page: Page, id: string, code: string, title: string): Promise<void> {
    await expect.poll(text(page, `#${id} .notice-code`)).toBe(code);
    expect(await page.locator(`#${id}`).getAttribute('data-code')).toBe(code);
    expect(await page.locator(`#${id} .notice-title`).textContent()).toBe(title);
  }

  /** "Call the API" of a card: the answer pretty-printed, with its status apart. */
  async function callApi(page: Page, button: string, result: string): Promise<Record<string, unknown>> {
    await page.click(button);
    await expect.poll(text(page, `${result} .status`)).toBe('200');
    const body = (await page.locator(`${result} pre`).textContent())!;
    expect(body).toMatch(/^\{\n {2}"/);
    return JSON.parse(body) as Record<string, unknown>;
  }

  /** Logs in through the BFF, calls its API, logs out: nothing of the user stays. */
  async function bffLoginCallLogout(page: Page, base: string, protocol: string, screenshot?: string): Promise<void> {
    await page.click('#bff-login');
    await consent(page, 'allow');
    await page.waitForURL(base);
    await expect.poll(text(page, '#bff-status')).toBe('Logged in as Alice Liddell');
    expect(await callApi(page, '#bff-call-api', '#bff-api')).toMatchObject({ sub: 'u-alice', protocol });
    if (screenshot) await shoot(page, screenshot);
    await page.click('#bff-logout');
    await expect.poll(text(page, '#bff-status')).toBe('Logged out');
    expect(await page.locator('#bff-api, #bff .status-line').count()).toBe(0);
  }

  /** A denied consent in both cards, each a readable notice; the BFF's error leaves the address bar, so a reload does not show it again. */
  async function denyBoth(page: Page, base: string, screenshot: string): Promise<void> {
    await page.click('#login');
    await consent(page, 'deny');
    await page.waitForURL(base);
    await expectNotice(page, 'error', 'authorization_denied', 'Access was denied');
    expect(await page.locator('#status').textContent()).toBe('Logged out');

    await page.click('#bff-login');
    await consent(page, 'deny');
    await page.waitForURL(onPath(new URL(base).pathname));
    await expectNotice(page, 'bff-error', 'authorization_denied', 'Access was denied');
    await expect.poll(() => new URL(page.url()).search).toBe('');
    await shoot(page, screenshot);
    await page.reload();
    await expect.poll(text(page, '#bff-status')).toBe('Logged out');
    expect(new URL(page.url()).search).toBe('');
    expect(await page.locator('#bff-error, #error').count()).toBe(0);
  }

  describe('React', () => {
    const base = () => `${suite.demo.url}/bindings/react/`;

    it('a PKCE login handled once under StrictMode, the API through useAuthFetch, a BFF login, reload, logout leaving nothing of the user, and denied consents', async () => {
      const page = await open('/bindings/react/');
      await expect.poll(text(page, '#status')).toBe('Logged out');
      expect(await page.locator('#bff-status').textContent()).toBe('Logged out');
      await shoot(page, 'react-logged-out');

      await page.click('#login');
      await consent(page, 'allow');
      await page.waitForURL(base());
      await expect.poll(text(page, '#status')).toBe('Logged in as Alice Liddell');
      expect(await page.locator('#error').count()).toBe(0);
      expect(await page.locator('#spa-expiry .countdown').textContent()).toMatch(/^\d+:\d\d$/);
      expect(await callApi(page, '#call-api', '#api')).toMatchObject({ sub: 'u-alice', name: 'Alice Liddell' });

      await page.click('#bff-login');
      await consent(page, 'allow');
      await page.waitForURL(base());
      await expect.poll(text(page, '#bff-status')).toBe('Logged in as Alice Liddell');
      expect(await callApi(page, '#bff-call-api', '#bff-api')).toMatchObject({ sub: 'u-alice', protocol: 'oauth1' });
      expect(await page.locator('#status').textContent()).toBe('Logged in as Alice Liddell');
      await callApi(page, '#call-api', '#api');
      await shoot(page, 'react-logged-in');

      await page.reload();
      await expect.poll(text(page, '#status')).toBe('Logged in as Alice Liddell');
      await expect.poll(text(page, '#bff-status')).toBe('Logged in as Alice Liddell');

      // Regression: the API's answer stayed on the card after the logout.
      expect(await callApi(page, '#call-api', '#api')).toMatchObject({ sub: 'u-alice' });
      await page.click('#logout');
      await expect.poll(text(page, '#status')).toBe('Logged out');
      expect(await page.locator('#api, #spa .status-line').count()).toBe(0);
      await page.click('#bff-logout');
      await expect.poll(text(page, '#bff-status')).toBe('Logged out');

      await denyBoth(page, base(), 'react-denied');
      await page.close();
    });

    it('a logout in another tab takes the user and the answers off this one; a failed call is a readable notice, never an uncaught error', async () => {
      const first = await open('/bindings/react/');
      await expect.poll(text(first, '#status')).toBe('Logged out');
      await first.click('#login');
      await consent(first, 'allow');
      await first.waitForURL(base());
      await expect.poll(text(first, '#status')).toBe('Logged in as Alice Liddell');
      await first.click('#bff-login');
      await consent(first, 'allow');
      await first.waitForURL(base());
      await expect.poll(text(first, '#bff-status')).toBe('Logged in as Alice Liddell');

      const second = await open('/bindings/react/');
      await expect.poll(text(second, '#status')).toBe('Logged in as Alice Liddell');
      await expect.poll(text(second, '#bff-status')).toBe('Logged in as Alice Liddell');
      await callApi(second, '#call-api', '#api');
      await callApi(second, '#bff-call-api', '#bff-api');

      // The API cannot be reached: the card says so and keeps working.
      await second.route('**/api/me', (route) => route.abort());
      await second.click('#call-api');
      await expect.poll(text(second, '#error .notice-title')).toBe('Something went wrong');
      await second.unroute('**/api/me');
      await second.click('#error .notice-close');
      expect(await second.locator('#error').count()).toBe(0);

      // Regression: the other tab kept the profile and the API's answer after the logout.
      await first.click('#logout');
      await expect.poll(text(first, '#status')).toBe('Logged out');
      await expect.poll(text(second, '#status')).toBe('Logged out');
      expect(await second.locator('#api, #spa .status-line').count()).toBe(0);

      // The BFF tells nobody of a logout; the next call finds it, says so, and clears the card.
      await first.click('#bff-logout');
      await expect.poll(text(first, '#bff-status')).toBe('Logged out');
      await second.click('#bff-call-api');
      await expectNotice(second, 'bff-error', 'login_required', 'You are logged out');
      await expect.poll(text(second, '#bff-status')).toBe('Logged out');
      expect(await second.locator('#bff-api, #bff .status-line').count()).toBe(0);
      await first.close();
      await second.close();
    });
  });

  describe('Vue', () => {
    const base = () => `${suite.demo.url}/bindings/vue/`;

    it('the router guard logs in for a protected route and completes the callback, the API through useAuth, reload, logout, a BFF login, and denied consents', async () => {
      const page = await open('/bindings/vue/profile');
      await consent(page, 'allow');
      await page.waitForURL(`${base()}profile`);
      await expect.poll(text(page, '#profile-name')).toBe('Alice Liddell');
      expect(await callApi(page, '#call-api', '#api')).toMatchObject({ sub: 'u-alice', name: 'Alice Liddell' });
      await shoot(page, 'vue-profile');

      await page.reload();
      await expect.poll(text(page, '#profile-name')).toBe('Alice Liddell');
      expect(await page.locator('#api').count()).toBe(0);
      await page.click('#home-link');
      await expect.poll(text(page, '#status')).toBe('Logged in as Alice Liddell');
      expect(await page.locator('#spa-expiry .countdown').textContent()).toMatch(/^\d+:\d\d$/);
      await shoot(page, 'vue-home');

      await page.click('#logout');
      await expect.poll(text(page, '#status')).toBe('Logged out');
      expect(await page.locator('#spa .status-line, #profile-link').count()).toBe(0);

      await bffLoginCallLogout(page, base(), 'oauth2', 'vue-bff');
      await denyBoth(page, base(), 'vue-denied');
      await page.close();
    });

    it('the protected page follows the session: a logout in another tab sends it home with a notice; a failed call is a readable notice, never an uncaught error', async () => {
      const profile = await open('/bindings/vue/profile');
      await consent(profile, 'allow');
      await profile.waitForURL(`${base()}profile`);
      await expect.poll(text(profile, '#profile-name')).toBe('Alice Liddell');
      await callApi(profile, '#call-api', '#api');

      await profile.route('**/api/me', (route) => route.abort());
      await profile.click('#call-api');
      await expect.poll(text(profile, '#error .notice-title')).toBe('Something went wrong');
      await profile.unroute('**/api/me');
      await shoot(profile, 'vue-profile-failed');

      // Regression: /profile showed the name as "undefined", kept the answer, and "Call the API" threw login_required.
      const home = await open('/bindings/vue/');
      await expect.poll(text(home, '#status')).toBe('Logged in as Alice Liddell');
      await home.click('#logout');
      await expect.poll(text(home, '#status')).toBe('Logged out');
      await profile.waitForURL(base());
      await expect.poll(text(profile, '#status')).toBe('Logged out');
      await expectNotice(profile, 'error', 'login_required', 'You are logged out');
      expect(await profile.locator('#profile-name, #api, #call-api').count()).toBe(0);
      await profile.close();
      await home.close();
    });
  });
});
