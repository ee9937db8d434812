import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumGate } from '../test-support/services.js';
import { bffSession, demoInChromium, loginByClicks, openDemo } from './chromium-suite.js';

interface Echo {
  sub: string;
  client_id: string;
  headers: string[];
}

/** The SDK's stored access token, read out of IndexedDB to show that it is of no use alone. */
async function storedAccessToken(page: Page): Promise<string | null> {
  return page.evaluate(async () => {
    const find = (value: unknown): string | null => {
      if (typeof value === 'string' && value.startsWith('{')) {
        try {
          return find(JSON.parse(value));
        } catch {
          return null;
        }
      }
      if (typeof value !== 'object' || value === null) return null;
      if ('accessToken' in value && typeof value.accessToken === 'string') return value.accessToken;
      for (const inner of Object.values(value)) {
        const found = find(inner);
        if (found !== null) return found;
      }
      return null;
    };
    for (const { name } of await indexedDB.databases()) {
      if (name === undefined) continue;
      const values = await new Promise<unknown[]>((resolve, reject) => {
        const open = indexedDB.open(name);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const request = db
            .transaction([...db.objectStoreNames], 'readonly')
            .objectStore(db.objectStoreNames[0]!)
            .getAll();
          request.onerror = () => reject(request.error);
          request.onsuccess = () => {
            db.close();
            resolve(request.result);
          };
        };
      });
      const found = find(values);
      if (found !== null) return found;
    }
    return null;
  });
}

describe.runIf(chromiumGate())('DPoP in the demo, in headless Chromium', () => {
  const suite = demoInChromium();

  it('binds the browser login to a key when the toggle is on: calls carry a proof, the token alone is refused', async () => {
    const page = await openDemo(suite);
    expect(await page.locator('#spa-dpop').isChecked()).toBe(false);
    // The SDK takes the option when the client is created: the page reloads with it.
    await Promise.all([page.waitForEvent('load'), page.check('#spa-dpop')]);
    await page.waitForSelector('#app[data-ready]');
    expect(await page.locator('#spa-dpop').isChecked()).toBe(true);

    await loginByClicks(suite, page, '#login-spa', 'allow');
    await expect.poll(() => page.locator('#spa-profile .name').textContent()).toBe('Alice Liddell');
    expect(await page.locator('#spa-token-type').getAttribute('data-token-type')).toBe('DPoP');

    await page.click('#spa-call-api');
    await expect.poll(() => page.locator('#spa-api-result .status').textContent()).toBe('200');
    expect(await page.locator('#spa-api-result [data-token-type]').textContent()).toBe('DPoP');
    const echoed = JSON.parse((await page.locator('#spa-api-result pre').textContent())!) as Echo;
    expect(echoed).toMatchObject({ sub: 'u-alice', client_id: 'latchkey-demo-spa' });
    expect(echoed.headers).toEqual(expect.arrayContaining(['authorization', 'dpop']));

    // RFC 9449 section 7: the provider refuses the token without a proof of its key, as Bearer or as DPoP.
    const token = await storedAccessToken(page);
    expect(token).toEqual(expect.any(String));
    for (const scheme of ['Bearer', 'DPoP']) {
      const refused = await fetch(`${suite.demo.providerUrl}/api/me`, { headers: { authorization: `${scheme} ${token}` } });
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toMatch(/^DPoP /);
    }

    // Logged out, the toggle is offered again; turned off, the next login gets a bearer token.
    await page.click('#spa-logout');
    await Promise.all([page.waitForEvent('load'), page.uncheck('#spa-dpop')]);
    await page.waitForSelector('#app[data-ready]');
    await loginByClicks(suite, page, '#login-spa', 'allow');
    await expect.poll(() => page.locator('#spa-token-type').getAttribute('data-token-type')).toBe('Bearer');
    const bearer = await storedAccessToken(page);
    const accepted = await fetch(`${suite.demo.providerUrl}/api/me`, { headers: { authorization: `Bearer ${bearer}` } });
    expect(accepted.status).toBe(200);
    await page.click('#spa-logout');
    await page.close();
  });

  it('logs in through the BFF with DPoP: the proxied calls carry proofs of the BFF key', async () => {
    const page = await openDemo(suite);
    await loginByClicks(suite, page, '#login-bff-latchkey-dpop', 'allow');
    // The profile is read through the proxy, with a proof: the provider refuses this client any token without one.
    await expect.poll(() => page.locator('#bff-profile .name').textContent()).toBe('Alice Liddell');
    const connection = page.locator('#bff-connections [data-provider="latchkey-dpop"]');
    expect(await connection.locator('.tag').textContent()).toBe('OAuth 2 + DPoP');

    await page.click('#bff-call-api-latchkey-dpop');
    await expect.poll(() => page.locator('#bff-api-result .status').textContent()).toBe('200');
    const echoed = JSON.parse((await page.locator('#bff-api-result pre').textContent())!) as Echo;
    expect(echoed).toMatchObject({ sub: 'u-alice', client_id: 'latchkey-demo-bff-dpop' });
    expect(echoed.headers).toEqual(expect.arrayContaining(['authorization', 'dpop']));
    expect(echoed.headers).not.toContain('cookie');

    await page.click('#bff-logout');
    await expect.poll(() => page.locator('#bff-session').count()).toBe(0);
    expect((await bffSession(page)).authenticated).toBe(false);
    await page.close();
  });
});
