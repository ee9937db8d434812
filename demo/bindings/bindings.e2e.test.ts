import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type LaunchedChromium } from '../../test-support/chromium.js';
import { chromiumGate } from '../../test-support/services.js';
import { startDemo, type RunningDemo } from '../server/start-demo.js';

const shots = process.env.LATCHKEY_SCREENSHOTS ?? mkdtempSync(join(tmpdir(), 'latchkey-bindings-shots-'));

describe.runIf(chromiumGate())('the React and Vue binding apps in headless Chromium', () => {
  let demo: RunningDemo;
  let chromium: LaunchedChromium;

  beforeAll(async () => {
    demo = await startDemo({ ports: { app: 0, provider: 0 }, logLevel: 'silent' });
    chromium = await launchChromium();
  });

  afterAll(async () => {
    await chromium?.close();
    await demo?.close();
  });

  // An uncaught error in a page fails the test that caused it.
  const pageErrors: Error[] = [];
  afterEach(() => {
    expect(pageErrors.splice(0)).toEqual([]);
  });

  async function open(path: string): Promise<Page> {
    const page = await chromium.context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error));
    await page.goto(`${demo.url}${path}`);
    return page;
  }

  async function consent(page: Page, decision: 'allow' | 'deny'): Promise<void> {
    await page.waitForURL(/\/oauth1?\/authorize/);
    await page.fill('#username', 'alice');
    await page.fill('#password', 'wonderland');
    await page.click(`button[value="${decision}"]`);
  }

  const text = (page: Page, selector: string) => () => page.locator(selector).textContent();

  it('React: a PKCE login handled once under StrictMode, the API through useAuthFetch, reload, logout, a denied consent, and a BFF login', async () => {
    const base = `${demo.url}/bindings/react/`;
    const page = await open('/bindings/react/');
    await expect.poll(text(page, '#status')).toBe('logged out');

    await page.click('#login');
    await consent(page, 'allow');
    await page.waitForURL(base);
    await expect.poll(text(page, '#status')).toBe('logged in as Alice Liddell');
    expect(await page.locator('#error').count()).toBe(0);

    await page.click('#call-api');
    await expect.poll(text(page, '#api')).toMatch(/^200 \{.*"name":"Alice Liddell"/);
    await page.screenshot({ path: join(shots, 'react-logged-in.png'), fullPage: true });

    await page.reload();
    await expect.poll(text(page, '#status')).toBe('logged in as Alice Liddell');
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
    await page.close();
  });

  it('Vue: the router guard logs in for a protected route and completes the callback, the API through useAuth, reload, logout, a denied consent, and a BFF login', async () => {
    const base = `${demo.url}/bindings/vue/`;
    const page = await open('/bindings/vue/profile');
    await consent(page, 'allow');
    await page.waitForURL(`${base}profile`);
    await expect.poll(text(page, '#profile-name')).toBe('Alice Liddell');

    await page.click('#call-api');
    await expect.poll(text(page, '#api')).toMatch(/^200 \{.*"name":"Alice Liddell"/);
    await page.screenshot({ path: join(shots, 'vue-profile.png'), fullPage: true });

    await page.reload();
    await expect.poll(text(page, '#profile-name')).toBe('Alice Liddell');
    await page.click('text=Home');
    await expect.poll(text(page, '#status')).toBe('logged in as Alice Liddell');
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
    await page.close();
  });
});
