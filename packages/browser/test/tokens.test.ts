import { isLatchkeyError } from '@latchkey/common';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryLock, type AuthClient, type AuthError, type AuthLock } from '@latchkey/browser';
import { logIn, rejection, revokeAtProvider, startHarness, storedSession, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => h.close());

const HOUR = 3600 * 1000;

describe('getAccessToken()', () => {
  it('returns the stored token while it is valid past the skew, without a token request', async () => {
    const client = h.client();
    await logIn(client);
    const token = await client.getAccessToken();
    h.clock.advance(HOUR - 61_000);
    expect(await client.getAccessToken()).toBe(token);
    expect(h.provider.countEvents('token_request', 'refresh_token')).toBe(0);
  });

  it('refreshes within the skew and stores the rotated refresh token', async () => {
    const client = h.client({ refreshSkewSeconds: 120 });
    await logIn(client);
    const before = (await storedSession(h, client))!;
    h.clock.advance(HOUR - 119_000);
    const token = await client.getAccessToken();
    const after = (await storedSession(h, client))!;
    expect(token).not.toBe(before.accessToken);
    expect(after.accessToken).toBe(token);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(h.provider.countEvents('token_request', 'refresh_token')).toBe(1);
  });

  it('without a session: login_required', async () => {
    expect(isLatchkeyError(await rejection(h.client().getAccessToken()), 'login_required')).toBe(true);
  });

  it('without a refresh token once expired: login_required', async () => {
    const client = h.client();
    await logIn(client);
    const key = `${client.options.namespace}:session`;
    await h.storage.set(key, { ...(await storedSession(h, client)), refreshToken: undefined });
    h.clock.advance(HOUR);
    expect(isLatchkeyError(await rejection(client.getAccessToken()), 'login_required')).toBe(true);
  });

  it('100 concurrent callers with an expired token cause exactly one token request', async () => {
    const client = h.client();
    await logIn(client);
    h.clock.advance(HOUR);
    const tokens = await Promise.all(Array.from({ length: 100 }, () => client.getAccessToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(h.provider.countEvents('token_request', 'refresh_token')).toBe(1);
  });

  it('two instances sharing a storage and a lock cause exactly one token request (rotation race)', async () => {
    const lock = createMemoryLock();
    const first = h.client({ lock });
    const second = h.client({ lock });
    await logIn(first);
    h.clock.advance(HOUR);
    const tokens = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? first : second).getAccessToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(h.provider.countEvents('token_request', 'refresh_token')).toBe(1);
    // Had the second instance sent the stale refresh token, the provider would have revoked the family.
    expect(h.provider.countEvents('token_revoked')).toBe(0);
  });

  it('two instances created without a lock share the default one', async () => {
    const first = h.client();
    const second = h.client();
    await logIn(first);
    h.clock.advance(HOUR);
    await Promise.all([first.getAccessToken(), second.getAccessToken()]);
    expect(h.provider.countEvents('token_request', 'refresh_token')).toBe(1);
  });

  it('a revoked refresh token: login_required (invalid_grant), session cleared, logout emitted', async () => {
    const client = h.client();
    const reasons: string[] = [];
    client.on('logout', ({ reason }) => reasons.push(reason));
    await logIn(client);
    await revokeAtProvider(h.provider, (await storedSession(h, client))!.refreshToken!);
    h.clock.advance(HOUR);
    const error = await rejection<AuthError>(client.getAccessToken());
    expect(error.code).toBe('login_required');
    expect(error.oauthError).toBe('invalid_grant');
    expect(await storedSession(h, client)).toBeUndefined();
    expect(client.isAuthenticated()).toBe(false);
    expect(reasons).toEqual(['session_expired']);
  });

  it('provider down: network_error, and the tokens are kept', async () => {
    const client = h.client();
    await logIn(client);
    const before = await storedSession(h, client);
    await h.stopProvider();
    h.clock.advance(HOUR);
    expect(isLatchkeyError(await rejection(client.getAccessToken()), 'network_error')).toBe(true);
    expect(await storedSession(h, client)).toEqual(before);
    expect(client.isAuthenticated()).toBe(true);
  });

  it('emits tokens on refresh, with no token in the payload', async () => {
    const client = h.client();
    await logIn(client);
    const payloads: unknown[] = [];
    client.on('tokens', (payload) => payloads.push(payload));
    h.clock.advance(HOUR);
    const token = await client.getAccessToken();
    expect(payloads).toHaveLength(1);
    expect(JSON.stringify(payloads)).not.toContain(token);
  });
});

describe('tokens shorter-lived than the skew (regression: a refresh storm, each lock waiter refreshing again)', () => {
  const SECONDS = 1000;
  const refreshes = () => h.provider.countEvents('token_request', 'refresh_token');

  /** Four "tabs": clients sharing one storage and one lock, as tabs share IndexedDB and Web Locks. */
  function tabs(lock: AuthLock = createMemoryLock()) {
    return Array.from({ length: 4 }, () => h.client({ lock }));
  }
  const twentyCalls = (clients: AuthClient[]) =>
    Promise.all(Array.from({ length: 20 }, (_, i) => clients[i % clients.length]!.getAccessToken()));

  it('20 concurrent calls from four tabs make exactly one refresh per expiry of a 3-second token (skew 60 s)', async () => {
    await h.close();
    h = await startHarness({ lifetimes: { accessToken: 3 } });
    const clients = tabs();
    await logIn(clients[0]!);
    const issued = (await storedSession(h, clients[0]!))!.accessToken;

    // Just issued: not refreshed, although it expires within the skew.
    expect(new Set(await twentyCalls(clients))).toEqual(new Set([issued]));
    expect(refreshes()).toBe(0);

    let previous = issued;
    for (let expiry = 1; expiry <= 3; expiry += 1) {
      h.clock.advance(1.6 * SECONDS); // past half of the 3-second lifetime
      const tokens = new Set(await twentyCalls(clients));
      expect(tokens.size).toBe(1);
      expect(tokens.has(previous)).toBe(false);
      expect(refreshes()).toBe(expiry);
      // Right after the refresh, the new token is used as it is.
      expect(new Set(await twentyCalls(clients))).toEqual(tokens);
      expect(refreshes()).toBe(expiry);
      previous = [...tokens][0]!;
    }
    expect(h.provider.countEvents('token_revoked')).toBe(0);
  });

  it('a token that changed while a tab waited for the lock is used, even if it already looks due', async () => {
    await h.close();
    h = await startHarness({ lifetimes: { accessToken: 3 } });
    // Time passes while the second tab waits for the lock (a slow refresh, a sleeping tab): by the time
    // it holds the lock, the token the first tab just got is past its refresh point, but not expired.
    const inner = createMemoryLock();
    let entered = 0;
    const slowLock: AuthLock = {
      run: (name, task) =>
        inner.run(name, () => {
          if (name.endsWith(':refresh') && entered++ > 0) h.clock.advance(2 * SECONDS);
          return task();
        }),
    };
    const [first, second] = tabs(slowLock);
    await logIn(first!);
    h.clock.advance(2 * SECONDS);
    const [a, b] = await Promise.all([first!.getAccessToken(), second!.getAccessToken()]);
    expect(a).toBe(b);
    expect(refreshes()).toBe(1);
  });
});

describe('page wake-ups (started explicitly)', () => {
  it('refreshes an expiring token on focus after start(), not before', async () => {
    const client = h.client();
    await logIn(client);
    h.clock.advance(HOUR);
    window.dispatchEvent(new Event('focus'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(h.provider.countEvents('token_request', 'refresh_token')).toBe(0);
    await client.start();
    const refreshed = new Promise((resolve) => client.on('tokens', resolve));
    window.dispatchEvent(new Event('focus'));
    await refreshed;
    expect(h.provider.countEvents('token_request', 'refresh_token')).toBe(1);
  });

  it('reports a failed wake-up refresh as an error event', async () => {
    const client = h.client();
    await logIn(client);
    await client.start();
    await h.stopProvider();
    h.clock.advance(HOUR);
    const failed = new Promise<AuthError>((resolve) => client.on('error', resolve));
    window.dispatchEvent(new Event('online'));
    expect((await failed).code).toBe('network_error');
  });
});
