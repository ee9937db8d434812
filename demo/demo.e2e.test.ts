import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type LaunchedChromium } from '../test-support/chromium.js';
import { chromiumGate } from '../test-support/services.js';
import { startDemo, type RunningDemo } from './server/start-demo.js';

// Screenshots of every step, for checking the demo by eye (LATCHKEY_SCREENSHOTS picks the folder).
const shots = process.env.LATCHKEY_SCREENSHOTS ?? mkdtempSync(join(tmpdir(), 'latchkey-demo-shots-'));
let shotCount = 0;
async function shoot(page: Page, name: string): Promise<void> {
  shotCount += 1;
  await page.screenshot({ path: join(shots, `${String(shotCount).padStart(2, '0')}-${name}.png`), fullPage: true });
}

describe.runIf(chromiumGate())('the demo in headless Chromium', () => {
  let demo: RunningDemo;
  let chromium: LaunchedChromium;

  beforeAll(async () => {
    demo = await startDemo({ ports: { app: 0, provider: 0 }, logLevel: 'silent' });
    chromium = await launchChromium();
    console.info(`demo screenshots: ${shots}`);
  });

  afterAll(async () => {
    await chromium?.close();
    await demo?.close();
  });

  // Every failure the pages meet must be handled: an uncaught error fails the test that caused it.
  const pageErrors: Error[] = [];
  afterEach(() => {
    expect(pageErrors.splice(0)).toEqual([]);
  });

  /** Plays the user on the provider's real login + consent page. */
  async function consent(page: Page, decision: 'allow' | 'deny', username = 'alice', password = 'wonderland'): Promise<void> {
    await page.waitForURL(/\/oauth1?\/authorize/);
    await page.fill('#username', username);
    await page.fill('#password', password);
    await page.click(`button[value="${decision}"]`);
  }

  async function open(): Promise<Page> {
    const page = await chromium.context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error));
    await page.setViewportSize({ width: 1100, height: 900 });
    await page.goto(demo.url);
    await page.waitForSelector('#app[data-ready]');
    return page;
  }

  it('logs in in the browser with PKCE, shows the profile and the token lifetime, calls the API, survives a reload, logs out', async () => {
    const page = await open();
    await shoot(page, 'logged-out');
    await page.click('#login-spa');
    await consent(page, 'allow');
    await page.waitForURL(`${demo.url}/`);
    await expect.poll(() => page.locator('#spa-profile .name').textContent()).toBe('Alice Liddell');
    expect(await page.locator('#spa-expiry .countdown').textContent()).toMatch(/^\d+:\d\d$/);

    await page.click('#spa-call-api');
    await expect.poll(() => page.locator('#spa-api-result .status').textContent()).toBe('200');
    expect(JSON.parse((await page.locator('#spa-api-result pre').textContent())!)).toMatchObject({ sub: 'u-alice', protocol: 'oauth2', query: { from: 'latchkey-demo' } });
    await shoot(page, 'spa-logged-in');

    await page.reload();
    await page.waitForSelector('#app[data-ready]');
    await expect.poll(() => page.locator('#spa-profile .name').textContent()).toBe('Alice Liddell');

    await page.click('#spa-logout');
    await expect.poll(() => page.locator('#spa-session').count()).toBe(0);
    await page.reload();
    await page.waitForSelector('#app[data-ready]');
    expect(await page.locator('#spa-session').count()).toBe(0);
    await page.close();
  });

  it('shows a denied consent in the browser flow as a readable message', async () => {
    const page = await open();
    await page.click('#login-spa');
    await consent(page, 'deny');
    await page.waitForURL(`${demo.url}/`);
    await page.waitForSelector('#app[data-ready]');
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
      await page.click(`#login-bff-${provider}`);
      await consent(page, 'allow');
      await page.waitForURL(`${demo.url}/`);
      await page.waitForSelector('#app[data-ready]');
      await expect.poll(() => page.locator('#bff-profile .name').textContent()).toBe('Alice Liddell');
      const connection = page.locator(`#bff-connections [data-provider="${provider}"]`);
      expect(await connection.count()).toBe(1);

      // The browser holds only the BFF's HttpOnly cookie; no token reaches the page.
      const cookies = await chromium.context.cookies(demo.url);
      expect(cookies.map((cookie) => [cookie.name, cookie.httpOnly, cookie.sameSite])).toEqual([['latchkey', true, 'Lax']]);

      await page.click(`#bff-call-api-${provider}`);
      await expect.poll(() => page.locator('#bff-api-result .status').textContent()).toBe('200');
      const echoed = JSON.parse((await page.locator('#bff-api-result pre').textContent())!) as { sub: string; protocol: string; headers: string[] };
      expect(echoed).toMatchObject({ sub: 'u-alice', protocol, query: { from: 'latchkey-demo' } });
      expect(echoed.headers).not.toContain('cookie');
      await shoot(page, `bff-${protocol}-logged-in`);

      await page.reload();
      await page.waitForSelector('#app[data-ready]');
      await expect.poll(() => page.locator('#bff-profile .name').textContent()).toBe('Alice Liddell');

      await page.click('#bff-logout');
      await expect.poll(() => page.locator('#bff-session').count()).toBe(0);
      await page.reload();
      await page.waitForSelector('#app[data-ready]');
      expect(await page.locator('#bff-session').count()).toBe(0);
      await page.close();
    });

    it(`shows a denied consent through the BFF (${protocol}) as a readable message`, async () => {
      const page = await open();
      await page.click(`#login-bff-${provider}`);
      await consent(page, 'deny');
      await page.waitForURL(`${demo.url}/`);
      await page.waitForSelector('#app[data-ready]');
      await expect.poll(() => page.locator('#notice .notice-code').textContent()).toBe('authorization_denied');
      expect(new URL(page.url()).search).toBe('');
      expect(await page.locator('#bff-session').count()).toBe(0);
      await shoot(page, `bff-${protocol}-denied`);
      await page.close();
    });
  }

  it('links both BFF providers to one session, unlinks one, and fits a phone screen', async () => {
    const page = await open();
    await page.click('#login-bff-latchkey');
    await consent(page, 'allow');
    await page.waitForURL(`${demo.url}/`);
    await page.waitForSelector('#bff-connections [data-provider="latchkey"]');
    await page.click('#login-bff-latchkey-oauth1');
    await consent(page, 'allow');
    await page.waitForURL(`${demo.url}/`);
    await page.waitForSelector('#app[data-ready]');
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
