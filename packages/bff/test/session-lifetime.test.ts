import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BFF_ERROR_HEADER } from '@latchkey/common';
import { createMemoryStore } from '@latchkey/bff';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { startBff, type TestBff } from './harness.js';
import { registerOAuth2Client } from './provider-clients.js';

const HOUR = 3_600_000;
const IDLE_MS = 10 * HOUR;
const ABSOLUTE_MS = 30 * HOUR;

/**
 * ARCHITECTURE.md, security rules: "Sessions have an idle lifetime and an absolute one." The BFF and
 * its stores run on a clock the test moves (the registry's `now`, which sessions follow).
 */
describe('session lifetimes', () => {
  let provider: TestProvider;
  let bff: TestBff;
  let clockMs = 0;
  const now = () => Date.now() + clockMs;

  beforeAll(async () => {
    provider = await startTestProvider();
    bff = await startBff({
      registry: { now, cache: createMemoryStore({ now }) },
      bff: { store: createMemoryStore({ now }), cookie: { maxAgeMs: IDLE_MS, absoluteMaxAgeMs: ABSOLUTE_MS } },
      async register(registry, bffUrl) {
        await registerOAuth2Client(provider, registry, bffUrl, 'alpha', {
          clientId: 'bff-lifetime',
          config: { clientKwargs: { scope: 'openid offline_access' } },
        });
      },
    });
  });
  afterAll(async () => {
    await bff.close();
    await provider.close();
  });

  it('a session used more often than its idle lifetime still ends at its absolute lifetime', async () => {
    const browser = bff.browser();
    await browser.login('alpha');
    // Used every 6 hours (more than half the idle lifetime, so each use renews it): alive at 6 to 24 hours.
    for (let hours = 6; hours <= 24; hours += 6) {
      clockMs += 6 * HOUR;
      expect((await browser.session()).authenticated, `after ${hours} hours`).toBe(true);
    }
    // 30 hours after the login: the absolute lifetime is over, however recent the last use.
    clockMs += 6 * HOUR + 1;
    expect((await browser.session()).authenticated).toBe(false);
    const proxied = await browser.fetch('/bff/api/alpha/me', { csrf: true });
    expect(proxied.status).toBe(401);
    expect(proxied.headers.get(BFF_ERROR_HEADER)).toBe('login_required');
    // A new login starts a new absolute lifetime.
    await browser.login('alpha');
    expect((await browser.session()).authenticated).toBe(true);
  });

  it('a session not used for its idle lifetime ends', async () => {
    const browser = bff.browser();
    await browser.login('alpha');
    clockMs += IDLE_MS + 1;
    expect((await browser.session()).authenticated).toBe(false);
  });

  it('linking another provider does not extend the absolute lifetime', async () => {
    const browser = bff.browser();
    await browser.login('alpha');
    clockMs += 8 * HOUR;
    await browser.login('alpha');
    for (let hours = 0; hours < 2; hours++) {
      clockMs += 8 * HOUR;
      expect((await browser.session()).authenticated).toBe(true);
    }
    clockMs += 6 * HOUR + 1;
    expect((await browser.session()).authenticated).toBe(false);
  });
});
