import { isLatchkeyError } from '@latchkey/common';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuthError } from '@latchkey/browser';
import { authorize, rejection, setPageUrl, startHarness, storedSession, type Harness } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(() => h.close());

const withParam = (url: string, name: string, value: string | null) => {
  const next = new URL(url);
  if (value === null) next.searchParams.delete(name);
  else next.searchParams.set(name, value);
  return next.href;
};

describe('login()', () => {
  it('sends PKCE S256, state, nonce and the options to the authorization endpoint', async () => {
    // In the front channel: with pushed requests (the provider's default) the URL carries only a request_uri.
    const client = h.client({ extraParams: { prompt: 'login' }, pushedAuthorizationRequests: false });
    const url = new URL(await client.login({ redirect: false, extraParams: { ui_locales: 'fr' } }));
    expect(url.origin + url.pathname).toBe(`${h.provider.url}/oauth/authorize`);
    const params = url.searchParams;
    expect(params.get('response_type')).toBe('code');
    expect(params.get('client_id')).toBe('spa-client');
    expect(params.get('redirect_uri')).toBe(h.redirectUri);
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(params.get('state')).toMatch(/^[\w-]{20,}$/);
    expect(params.get('nonce')).toMatch(/^[\w-]{20,}$/);
    expect(params.get('prompt')).toBe('login');
    expect(params.get('ui_locales')).toBe('fr');
  });

  it('sends no nonce without openid', async () => {
    const client = h.client({ scope: 'profile offline_access', pushedAuthorizationRequests: false });
    const url = new URL(await client.login({ redirect: false }));
    expect(url.searchParams.get('state')).toMatch(/./);
    expect(url.searchParams.has('nonce')).toBe(false);
  });

  it('navigates with location.assign by default', async () => {
    const assign = vi.spyOn(window.location, 'assign').mockImplementation(() => undefined);
    try {
      const url = await h.client().login({ returnTo: '/app/x' });
      expect(assign).toHaveBeenCalledWith(url);
    } finally {
      assign.mockRestore();
    }
  });

  it.each([
    '//evil.example/x',
    '/\\evil.example',
    'https://evil.example/app',
    '/.//evil.example',
    '/\t/evil.example',
    'javascript:alert(1)',
  ])('rejects returnTo %j with invalid_return_to (open redirect)', async (returnTo) => {
    const error = await rejection(h.client().login({ returnTo, redirect: false }));
    expect(isLatchkeyError(error, 'invalid_return_to')).toBe(true);
  });

  it('refuses extraParams that would override protocol parameters', async () => {
    const error = await rejection(h.client().login({ redirect: false, extraParams: { state: 'mine' } }));
    expect(isLatchkeyError(error, 'configuration_error')).toBe(true);
  });
});

describe('handleCallback() failures (nothing stored, transaction gone, address bar cleaned)', () => {
  it('forged state: state_mismatch', async () => {
    const client = h.client();
    const callback = await authorize(client);
    const error = await rejection(client.handleCallback(withParam(callback, 'state', 'forged-state-value')));
    expect(isLatchkeyError(error, 'state_mismatch')).toBe(true);
    expect(await storedSession(h, client)).toBeUndefined();
  });

  it('a state named like an Object.prototype property is unknown, not a transaction (regression)', async () => {
    const client = h.client();
    const callback = await authorize(client);
    const error = await rejection(client.handleCallback(withParam(callback, 'state', '__proto__')));
    expect(isLatchkeyError(error, 'state_mismatch')).toBe(true);
  });

  it('missing state: state_missing', async () => {
    const client = h.client();
    const callback = await authorize(client);
    const error = await rejection(client.handleCallback(withParam(callback, 'state', null)));
    expect(isLatchkeyError(error, 'state_missing')).toBe(true);
  });

  it('replayed callback URL: state_used, and the code is exchanged once', async () => {
    const client = h.client();
    const callback = await authorize(client);
    await client.handleCallback(callback);
    const error = await rejection(client.handleCallback(callback));
    expect(isLatchkeyError(error, 'state_used')).toBe(true);
    expect(h.provider.countEvents('token_request', 'authorization_code')).toBe(1);
  });

  it('a replay from another client instance (a reload) is state_used too', async () => {
    const callback = await authorize(h.client());
    await h.client().handleCallback(callback);
    const error = await rejection(h.client().handleCallback(callback));
    expect(isLatchkeyError(error, 'state_used')).toBe(true);
  });

  it('a double call in the same tick (React StrictMode) shares one exchange', async () => {
    const client = h.client();
    const callback = await authorize(client);
    const [first, second] = await Promise.all([client.handleCallback(callback), client.handleCallback(callback)]);
    expect(second).toEqual(first);
    expect(h.provider.countEvents('token_request', 'authorization_code')).toBe(1);
  });

  it('denied consent: authorization_denied carrying the provider error', async () => {
    const client = h.client();
    const callback = await authorize(client, { decision: 'deny' });
    const error = await rejection<AuthError>(client.handleCallback(callback));
    expect(error.code).toBe('authorization_denied');
    expect(error.oauthError).toBe('access_denied');
    expect(await storedSession(h, client)).toBeUndefined();
    // The transaction is gone after an error response too.
    expect(isLatchkeyError(await rejection(client.handleCallback(callback)), 'state_used')).toBe(true);
  });

  it('wrong iss (RFC 9207 mix-up): issuer_mismatch, no token request', async () => {
    const client = h.client();
    const callback = await authorize(client);
    const error = await rejection(client.handleCallback(withParam(callback, 'iss', 'https://attacker.example')));
    expect(isLatchkeyError(error, 'issuer_mismatch')).toBe(true);
    expect(h.provider.countEvents('token_request', 'authorization_code')).toBe(0);
  });

  it('missing iss when the metadata promises it: issuer_mismatch', async () => {
    const client = h.client();
    const callback = await authorize(client);
    const error = await rejection(client.handleCallback(withParam(callback, 'iss', null)));
    expect(isLatchkeyError(error, 'issuer_mismatch')).toBe(true);
  });

  it('an id_token whose nonce is not the one sent: id_token_invalid, nothing stored', async () => {
    const client = h.client();
    const callback = await authorize(client);
    // The provider echoes the nonce it was sent; change the one this browser expects.
    const key = `${client.options.namespace}:transactions`;
    const table = (await h.storage.get<Record<string, { nonce?: string }>>(key))!;
    for (const entry of Object.values(table)) entry.nonce = 'another-nonce';
    await h.storage.set(key, table);
    const error = await rejection(client.handleCallback(callback));
    expect(isLatchkeyError(error, 'id_token_invalid')).toBe(true);
    expect(await storedSession(h, client)).toBeUndefined();
  });

  it('expired transaction (10 minutes): state_expired, no token request', async () => {
    const client = h.client();
    const callback = await authorize(client);
    h.clock.advance(10 * 60 * 1000 + 1);
    const error = await rejection(client.handleCallback(callback));
    expect(isLatchkeyError(error, 'state_expired')).toBe(true);
    expect(h.provider.countEvents('token_request', 'authorization_code')).toBe(0);
  });

  it('a code the provider refuses: token_exchange_failed with the provider error', async () => {
    const client = h.client();
    const callback = await authorize(client);
    const error = await rejection<AuthError>(client.handleCallback(withParam(callback, 'code', 'not-a-code')));
    expect(error.code).toBe('token_exchange_failed');
    expect(error.oauthError).toBe('invalid_grant');
    expect(error.message).not.toContain('not-a-code');
  });
});

describe('the address bar', () => {
  it('loses code, state and iss after a successful callback, keeping other parameters', async () => {
    const client = h.client();
    const callback = new URL(await authorize(client));
    callback.searchParams.set('keep', 'me');
    setPageUrl(callback.href);
    await client.handleCallback();
    expect(location.href).toBe(`${h.redirectUri}?keep=me`);
  });

  it('loses them after a failed callback too', async () => {
    const client = h.client();
    setPageUrl(withParam(await authorize(client, { decision: 'deny' }), 'keep', 'me'));
    await rejection(client.handleCallback());
    expect(location.href).toBe(`${h.redirectUri}?keep=me`);
  });
});
