import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumGate } from '../../test-support/services.js';
import { consent, demoInChromium, screenshotFolder } from '../chromium-suite.js';

const shots = screenshotFolder('bindings');

describe.runIf(chromiumGate())('the React and Vue binding apps in headless Chromium', () => {
  const suite = demoInChromium();

  async function open(path: string): Promise<Page> {
    const page = await suite.newPage();
    await page.goto(`${suite.demo.url}${path}`);
    return page;
  }

  const text = (page: Page, selector: string) => () => page.locator(selector).textContent();

  /** Calls the API through the binding and keeps a screenshot of the answer. */
  async function callApi(page: Page, screenshot: string): Promise<void> {
    await page.click('#call-api');
    await expect.poll(text(page, '#api')).toMatch(/^200 \{.*"name":"Alice Liddell"/);
    await page.screenshot({ path: join(shots, screenshot), fullPage: true });
  }

  /** From a logged-in app at `base`: logout, a denied consent shown as an error, then a BFF login and logout. */
  async function logoutDenyThenBffLogin(page: Page, base: string): Promise<void> {
    await page.click('#logout');
    await expect.poll(text(page, '#status')).toBe('logged out');

    await page.click('#login');
    await consent(page, 'deny');
    await page.waitForURL(base);
    await expect.poll(text(page, '#error')).toBe('authorization_denied');
    expect(await page.locator('#status').textContent()).toBe('logged out');

    await page.click('#bff-login');
    await consent(page, 'allow');
    await page.waitForURL(base);
    await expect.poll(text(page, '#bff-status')).toBe('logged in as Alice Liddell');
    await page.click('#bff-logout');
    await expect.poll(text(page, '#bff-status')).toBe('logged out');
  }

  it('React: a PKCE login handled once under StrictMode, the API through useAuthFetch, reload, logout, a denied consent, and a BFF login', async () => {
    const base = `${suite.demo.url}/bindings/react/`;
    const page = await open('/bindings/react/');
    await expect.poll(text(page, '#status')).toBe('logged out');

    await page.click('#login');
    await consent(page, 'allow');
    await page.waitForURL(base);
    await expect.poll(text(page, '#status')).toBe('logged in as Alice Liddell');
    expect(await page.locator('#error').count()).toBe(0);

    await callApi(page, 'react-logged-in.png');

    await page.reload();
    await expect.poll(text(page, '#status')).toBe('logged in as Alice Liddell');
    await logoutDenyThenBffLogin(page, base);
    await page.close();
  });

  it('Vue: the router guard logs in for a protected route and completes the callback, the API through useAuth, reload, logout, a denied consent, and a BFF login', async () => {
    const base = `${suite.demo.url}/bindings/vue/`;
    const page = await open('/bindings/vue/profile');
    await consent(page, 'allow');
    await page.waitForURL(`${base}profile`);
    await expect.poll(text(page, '#profile-name')).toBe('Alice Liddell');

    await callApi(page, 'vue-profile.png');

    await page.reload();
    await expect.poll(text(page, '#profile-name')).toBe('Alice Liddell');
    await page.click('text=Home');
    await expect.poll(text(page, '#status')).toBe('logged in as Alice Liddell');
    await logoutDenyThenBffLogin(page, base);
    await page.close();
  });
});
