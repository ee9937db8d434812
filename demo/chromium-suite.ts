import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { launchChromium, type LaunchedChromium } from '../test-support/chromium.js';
import { DEMO_USER } from './server/demo-provider.js';
import { startDemo, type RunningDemo } from './server/start-demo.js';

/**
 * Where screenshots go, for checking the pages by eye: LATCHKEY_SCREENSHOTS, which is kept, or a new
 * temporary folder, removed when the calling file's tests are done. Call it at the top of a test file.
 */
export function screenshotFolder(name: string): string {
  const kept = process.env.LATCHKEY_SCREENSHOTS;
  if (kept) return kept;
  const folder = mkdtempSync(join(tmpdir(), `latchkey-${name}-shots-`));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  return folder;
}

export interface DemoInChromium {
  readonly demo: RunningDemo;
  readonly chromium: LaunchedChromium;
  /** A new page whose uncaught errors fail the test that opened it. */
  newPage(): Promise<Page>;
}

/**
 * Starts the demo on ephemeral ports and headless Chromium for the enclosing `describe`. Every failure the
 * pages meet must be handled: an uncaught error fails the test that caused it.
 */
export function demoInChromium(): DemoInChromium {
  let demo: RunningDemo | undefined;
  let chromium: LaunchedChromium | undefined;
  const pageErrors: Error[] = [];

  beforeAll(async () => {
    demo = await startDemo({ ports: { app: 0, provider: 0 }, logLevel: 'silent' });
    chromium = await launchChromium();
  });
  afterAll(async () => {
    await chromium?.close();
    await demo?.close();
  });
  afterEach(() => {
    expect(pageErrors.splice(0)).toEqual([]);
  });

  return {
    get demo() {
      return demo as RunningDemo;
    },
    get chromium() {
      return chromium as LaunchedChromium;
    },
    async newPage() {
      const page = await (chromium as LaunchedChromium).context.newPage();
      page.on('pageerror', (error) => pageErrors.push(error));
      return page;
    },
  };
}

/** Plays the demo user on the provider's real login + consent page. */
export async function consent(page: Page, decision: 'allow' | 'deny'): Promise<void> {
  await page.waitForURL(/\/oauth1?\/authorize/);
  // Signed in at the provider already (its login session), the OAuth 2 page only asks for consent.
  if ((await page.locator('#password').count()) > 0) {
    await page.fill('#username', DEMO_USER.username);
    await page.fill('#password', DEMO_USER.password);
  }
  await page.click(`button[value="${decision}"]`);
}

/** Opens the demo in a new page and waits until its first load has settled. */
export async function openDemo(suite: DemoInChromium): Promise<Page> {
  const page = await suite.newPage();
  await page.setViewportSize({ width: 1100, height: 900 });
  await page.goto(suite.demo.url);
  await page.waitForSelector('#app[data-ready]');
  return page;
}

/** Clicks a login button, answers the provider's consent page, and waits for the app to be back and ready. */
export async function loginByClicks(suite: DemoInChromium, page: Page, button: string, decision: 'allow' | 'deny'): Promise<void> {
  await page.click(button);
  await consent(page, decision);
  await page.waitForURL(`${suite.demo.url}/`);
  await page.waitForSelector('#app[data-ready]');
}

/** What the BFF's `GET /session` answers this page's cookie. */
export async function bffSession(page: Page): Promise<{ authenticated: boolean; connections: { provider: string }[] }> {
  return page.evaluate(async () => (await fetch('/bff/session')).json());
}
