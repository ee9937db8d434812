import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type LaunchedChromium } from '../../../test-support/chromium.js';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { chromiumGate } from '../../../test-support/services.js';
import { SPA, TEST_CLIENTS, authorizationUrl } from './support.js';

const enabled = chromiumGate();

describe.runIf(enabled)('the login page in Chromium', () => {
  let tp: TestProvider;
  let chromium: LaunchedChromium;
  beforeAll(async () => {
    tp = await startTestProvider({ clients: TEST_CLIENTS });
    chromium = await launchChromium();
  });
  afterAll(async () => {
    await chromium?.close();
    await tp?.close();
  });

  it('signs in with Enter and the browser follows the redirect to the client with a code (CSP allows it)', async () => {
    const start = await authorizationUrl(tp, SPA);
    const page = await chromium.context.newPage();
    await page.goto(start.url.toString());
    await page.fill('#username', 'alice');
    await page.fill('#password', 'wrong');
    await page.press('#password', 'Enter');
    await page.waitForSelector('.error');
    await page.fill('#username', 'alice');
    await page.fill('#password', 'wonderland');
    const [request] = await Promise.all([
      page.waitForRequest((candidate) => candidate.url().startsWith(SPA.redirectUri)),
      page.press('#password', 'Enter'),
    ]);
    const params = new URL(request.url()).searchParams;
    expect(params.get('state')).toBe(start.state);
    expect(params.get('code')).not.toBeNull();
    await page.close();
  });

  it('keeps the user signed in: the next authorization asks only for consent, and prompt=none answers at once', async () => {
    const { context } = chromium;
    await context.clearCookies();
    const page = await context.newPage();
    // The client's redirect URI answers in the browser, so each redirect ends on a loaded page.
    await page.route(`${SPA.redirectUri}**`, (route) => route.fulfill({ status: 200, contentType: 'text/plain', body: 'client' }));
    const callback = async () => {
      await page.waitForURL(`${SPA.redirectUri}**`);
      return new URL(page.url()).searchParams;
    };
    try {
      const first = await authorizationUrl(tp, SPA);
      await page.goto(first.url.toString());
      await page.fill('#username', 'alice');
      await page.fill('#password', 'wonderland');
      await page.click('button[value="allow"]');
      expect((await callback()).get('code')).not.toBeNull();
      const cookies = await context.cookies(tp.issuer);
      expect(cookies.map(({ name, httpOnly, sameSite }) => ({ name, httpOnly, sameSite }))).toEqual([
        { name: 'latchkey-op-session', httpOnly: true, sameSite: 'Lax' },
      ]);

      // The consent form's POST carries Sec-Fetch-Site: same-origin, which the provider requires.
      const second = await authorizationUrl(tp, SPA);
      await page.goto(second.url.toString());
      expect(await page.locator('#password').count()).toBe(0);
      await page.click('button[value="allow"]');
      const secondAnswer = await callback();
      expect(secondAnswer.get('state')).toBe(second.state);
      expect(secondAnswer.get('code')).not.toBeNull();

      // Answered by a redirect at once, without a page (the navigation itself ends at the client).
      const silent = await authorizationUrl(tp, SPA, { prompt: 'none' });
      const [request] = await Promise.all([
        page.waitForRequest((candidate) => candidate.url().startsWith(SPA.redirectUri)),
        page.goto(silent.url.toString()).catch(() => null),
      ]);
      const silentAnswer = new URL(request.url()).searchParams;
      expect(silentAnswer.get('state')).toBe(silent.state);
      expect(silentAnswer.get('code')).not.toBeNull();
    } finally {
      await page.close();
    }
  });
});
