import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { authorize, logIn, startHarness, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => h.close());

describe('login and callback against the real provider', () => {
  it('logs in, returns returnTo and the user, stores the session', async () => {
    const client = h.client();
    const callback = await authorize(client);
    const result = await client.handleCallback(callback);
    expect(result.returnTo).toBe('/app/after');
    expect(result.user?.sub).toBe('u-alice');
    expect(client.isAuthenticated()).toBe(true);
    expect(await client.getAccessToken()).toMatch(/./);
  });

  it('smoke: logIn helper', async () => {
    await logIn(h.client());
  });
});
