import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumGate } from '../test-support/services.js';
import { consent, demoInChromium } from './chromium-suite.js';

// Two logins started in one browser before either finishes (two tabs; linking a second provider while a
// login is pending): the first to complete gives the session a new id, and the other must still complete,
// landing on its own returnTo (ARCHITECTURE.md: login transactions are bound to the browser by something
// that survives session-id rotation).
describe.runIf(chromiumGate())('parallel BFF logins in two Chromium tabs', () => {
  const suite = demoInChromium();

  /** Starts a BFF login in a new tab of the shared browser context; it stops on the provider's page. */
  async function startLogin(provider: string, returnTo: string): Promise<Page> {
    const page = await suite.newPage();
    await page.goto(`${suite.demo.url}/bff/login/${provider}?returnTo=${encodeURIComponent(returnTo)}`);
    await page.waitForURL(/\/oauth1?\/authorize/);
    return page;
  }

  async function finish(page: Page, returnTo: string): Promise<void> {
    await consent(page, 'allow');
    await page.waitForURL(`${suite.demo.url}${returnTo}`);
    await page.waitForSelector('#app[data-ready]');
    expect(await page.locator('#notice').count()).toBe(0);
  }

  const linked = async (page: Page) => {
    const session = await page.evaluate(async () => (await fetch('/bff/session')).json());
    return (session as { connections: { provider: string }[] }).connections.map((c) => c.provider).sort();
  };

  for (const order of ['first started first', 'second started first'] as const) {
    it(`completes both, each on its own returnTo (${order})`, async () => {
      const oauth2 = await startLogin('latchkey', '/?tab=oauth2');
      const oauth1 = await startLogin('latchkey-oauth1', '/?tab=oauth1');
      const [first, second] = order === 'first started first' ? [oauth2, oauth1] : [oauth1, oauth2];
      await finish(first, first === oauth2 ? '/?tab=oauth2' : '/?tab=oauth1');
      await finish(second, second === oauth2 ? '/?tab=oauth2' : '/?tab=oauth1');
      expect(await linked(oauth2)).toEqual(['latchkey', 'latchkey-oauth1']);
      expect(await linked(oauth1)).toEqual(['latchkey', 'latchkey-oauth1']);

      await oauth2.evaluate(() => fetch('/bff/logout', { method: 'POST', headers: { 'x-latchkey-csrf': '1' } }));
      expect(await linked(oauth1)).toEqual([]);
      await oauth1.close();
      await oauth2.close();
    });
  }
});
