import type { BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { ALICE } from './provider.js';

/** A tab of the test SPA (interop/oidc-provider/spa/app.ts) in Chromium: what its page shows, and Alice logging in by clicks. */

export const pageText = (tab: Page, id: string) => tab.locator(`#${id}`).textContent();

/** A new tab on an app's page, once its status reads `status`. */
export async function openTab(context: BrowserContext, url: string, status: string): Promise<Page> {
  const tab = await context.newPage();
  await tab.goto(url);
  await expect.poll(() => pageText(tab, 'status')).toBe(status);
  return tab;
}

/**
 * On the provider's login page: username, password and Allow, or only Allow while the provider still has
 * a login session (`ssoSession`); then back on the app's `home`, logged in, with nothing left in the URL.
 */
export async function approveLogin(tab: Page, home: string, ssoSession = false): Promise<void> {
  expect(await tab.locator('#password').count()).toBe(ssoSession ? 0 : 1);
  if (!ssoSession) {
    await tab.fill('#username', ALICE.username);
    await tab.fill('#password', ALICE.password);
  }
  await tab.click('button[value="allow"]');
  await tab.waitForURL(home);
  await expect.poll(() => pageText(tab, 'status')).toBe(`logged-in:${ALICE.sub}`);
  expect(new URL(tab.url()).search).toBe('');
}

/** Clicks Log in, lands on the provider's login page (`loginPage`, a URL glob) and approves it there. */
export async function logInByClicks(tab: Page, loginPage: string, home: string, ssoSession = false): Promise<void> {
  await tab.click('#login');
  await tab.waitForURL(loginPage);
  await approveLogin(tab, home, ssoSession);
}

/** The Web Locks of the origin named for refreshing, held and queued, as any tab sees them. */
export const refreshLocks = (tab: Page) =>
  tab.evaluate(async () => {
    const { held = [], pending = [] } = await navigator.locks.query();
    const refresh = (lock: LockInfo) => lock.name?.endsWith(':refresh') === true;
    return { held: held.filter(refresh).length, pending: pending.filter(refresh).length };
  });
