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
const refreshLocks = (tab: Page) =>
  tab.evaluate(async () => {
    const { held = [], pending = [] } = await navigator.locks.query();
    const refresh = (lock: LockInfo) => lock.name?.endsWith(':refresh') === true;
    return { held: held.filter(refresh).length, pending: pending.filter(refresh).length };
  });

/**
 * Every tab clicks Me at once while the provider holds token requests at its door (`holdTokenRequests`):
 * one refresh reaches the door, one tab holds the refresh lock (Web Locks) and the others queue behind it.
 * Then the door opens and every tab's call answers 200 for Alice.
 */
export async function callAtOnceWithRefreshHeld(
  tabs: readonly [Page, ...Page[]],
  holdTokenRequests: () => { held(): number; release(): void },
): Promise<void> {
  const door = holdTokenRequests();
  await Promise.all(tabs.map((tab) => tab.click('#me-call')));
  await expect.poll(() => door.held()).toBe(1);
  await expect.poll(() => refreshLocks(tabs[0])).toEqual({ held: 1, pending: tabs.length - 1 });
  door.release();
  for (const tab of tabs) await expect.poll(() => pageText(tab, 'me')).toBe(`200:${ALICE.name}`);
}
