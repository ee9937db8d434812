import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

  /** Plays the user on the provider's real login + consent page. */
  async function consent(page: Page, decision: 'allow' | 'deny', username = 'alice', password = 'wonderland'): Promise<void> {
    await page.waitForURL(/\/oauth1?\/authorize/);
    await page.fill('#username', username);
    await page.fill('#password', password);
    await page.click(`button[value="${decision}"]`);
  }

  async function open(): Promise<Page> {
    const page = await chromium.context.newPage();
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
});
