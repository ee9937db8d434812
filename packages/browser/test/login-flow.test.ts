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

  it('start() loads the stored session: a new instance (a reload) is logged in', async () => {
    await logIn(h.client());
    const reloaded = h.client();
    expect(reloaded.user).toBeNull();
    expect(reloaded.expiresAtMs).toBeNull();
    expect((await reloaded.start())?.sub).toBe('u-alice');
    // The provider's default access token lifetime is an hour.
    expect(reloaded.expiresAtMs).toBeGreaterThan(Date.now() + 3500_000);
    expect(reloaded.user?.email).toBe('alice@example.test');
    expect(reloaded.isAuthenticated()).toBe(true);
  });

  it('works without OpenID Connect: no nonce, no user', async () => {
    const client = h.client({ scope: 'profile offline_access' });
    const result = await client.handleCallback(await authorize(client));
    expect(result.user).toBeNull();
    expect(client.isAuthenticated()).toBe(true);
  });
});
