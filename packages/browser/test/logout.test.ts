import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMemoryStorage, type AuthError } from '@latchkey/browser';
import { logIn, startHarness, storedSession, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => h.close());

describe('logout()', () => {
  it('revokes the refresh and access tokens, clears storage and emits logout', async () => {
    const client = h.client();
    await logIn(client);
    const { accessToken } = (await storedSession(h, client))!;
    const reasons: string[] = [];
    client.on('logout', ({ reason }) => reasons.push(reason));
    expect(await client.logout()).toBeNull();
    expect(await storedSession(h, client)).toBeUndefined();
    expect(client.isAuthenticated()).toBe(false);
    expect(reasons).toEqual(['user']);
    expect(h.provider.countEvents('token_revoked')).toBeGreaterThanOrEqual(1);
    // The revoked access token no longer opens the API.
    const response = await fetch('/api/me', { headers: { authorization: `Bearer ${accessToken}` } });
    expect(response.status).toBe(401);
  });

  it('revoke: false leaves the tokens valid at the provider', async () => {
    const client = h.client();
    await logIn(client);
    const { accessToken } = (await storedSession(h, client))!;
    await client.logout({ revoke: false });
    expect(h.provider.countEvents('token_revoked')).toBe(0);
    expect((await fetch('/api/me', { headers: { authorization: `Bearer ${accessToken}` } })).status).toBe(200);
  });

  it('endSession builds the end_session URL with id_token_hint and post_logout_redirect_uri', async () => {
    const client = h.client();
    await logIn(client);
    const { idToken } = (await storedSession(h, client))!;
    const assign = vi.spyOn(window.location, 'assign').mockImplementation(() => undefined);
    try {
      const url = new URL((await client.logout({ endSession: true, returnTo: '/app/bye' }))!);
      expect(assign).toHaveBeenCalledWith(url.href);
      expect(url.origin + url.pathname).toBe(`${h.provider.url}/oauth/logout`);
      expect(url.searchParams.get('id_token_hint')).toBe(idToken);
      expect(url.searchParams.get('post_logout_redirect_uri')).toBe(`${h.provider.url}/app/bye`);
    } finally {
      assign.mockRestore();
    }
  });

  it('a failed revocation still logs out and is reported as an error event', async () => {
    const client = h.client();
    await logIn(client);
    const errors: AuthError[] = [];
    client.on('error', (error) => errors.push(error));
    await h.stopProvider();
    await client.logout();
    expect(await storedSession(h, client)).toBeUndefined();
    expect(errors.map((error) => error.code)).toEqual(['network_error']);
  });

  it('reaches the other tabs: a started client sharing the storage emits logout', async () => {
    const here = h.client();
    const there = h.client();
    await logIn(here);
    await there.start();
    expect(there.isAuthenticated()).toBe(true);
    const heard = new Promise<string>((resolve) => there.on('logout', ({ reason }) => resolve(reason)));
    await here.logout({ revoke: false });
    expect(await heard).toBe('other_tab');
    expect(there.isAuthenticated()).toBe(false);
  });

  it('a login in one tab reaches the other', async () => {
    const here = h.client();
    const there = h.client();
    await there.start();
    const heard = new Promise((resolve) => there.on('login', resolve));
    await logIn(here);
    await heard;
    expect(there.user?.sub).toBe('u-alice');
  });

  it('tabs of another client (another storage namespace) are not affected', async () => {
    const here = h.client();
    const elsewhere = h.client({ clientId: 'another-client', storage: createMemoryStorage() });
    await logIn(here);
    const events: unknown[] = [];
    await elsewhere.start();
    elsewhere.on('logout', (event) => events.push(event));
    await here.logout({ revoke: false });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(events).toEqual([]);
  });
});
