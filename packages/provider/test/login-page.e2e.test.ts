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
});
