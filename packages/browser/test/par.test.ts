import { isLatchkeyError } from '@latchkey/common';
import { afterEach, describe, expect, it } from 'vitest';
import type { AuthError } from '@latchkey/browser';
import { authorize, rejection, startHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(() => h.close());

/** The stored login transactions (a refused push must leave none behind). */
const transactions = (client: { options: { namespace: string } }) =>
  h.storage.get<Record<string, unknown>>(`${client.options.namespace}:transactions`);

describe('pushed authorization requests (RFC 9126)', () => {
  it('pushes the request when the provider advertises its endpoint: the URL carries only client_id and request_uri', async () => {
    h = await startHarness();
    const client = h.client();
    const url = new URL(await client.login({ redirect: false, extraParams: { prompt: 'login' } }));
    expect(url.origin + url.pathname).toBe(`${h.provider.url}/oauth/authorize`);
    expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    expect(url.searchParams.get('client_id')).toBe('spa-client');
    expect(url.searchParams.get('request_uri')).toMatch(/^urn:ietf:params:oauth:request_uri:/);
  });

  it('logs in through a provider that refuses unpushed requests', async () => {
    h = await startHarness({ requirePushedAuthorizationRequests: true });
    const client = h.client();
    const result = await client.handleCallback(await authorize(client));
    expect(result.user?.sub).toBe('u-alice');
    expect(h.provider.countEvents('token_request', 'authorization_code')).toBe(1);
  });

  it('pushedAuthorizationRequests: false sends the request in the URL, which that provider refuses', async () => {
    h = await startHarness({ requirePushedAuthorizationRequests: true });
    const client = h.client({ pushedAuthorizationRequests: false });
    const url = new URL(await client.login({ redirect: false }));
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.has('request_uri')).toBe(false);
    // The provider shows its error page (no redirect: the redirect URI is not trusted yet), and no login form.
    const page = await fetch(url, { redirect: 'manual' });
    expect(page.status).toBe(400);
    expect(await page.text()).toMatch(/must push its authorization requests/);
  });

  it('a refused push is authorization_failed with the provider error, and stores no transaction', async () => {
    h = await startHarness();
    // A redirect URI the provider does not know: the push is refused before any page is shown.
    const client = h.client({ redirectUri: `${h.provider.url}/elsewhere/callback` });
    const error = await rejection<AuthError>(client.login({ redirect: false }));
    expect(isLatchkeyError(error, 'authorization_failed')).toBe(true);
    expect(error.oauthError).toMatch(/^invalid_/);
    expect(await transactions(client)).toBeUndefined();
  });

  it('an unreachable provider is network_error, and stores no transaction', async () => {
    h = await startHarness();
    const client = h.client();
    // Discovery succeeds first (it is kept); then the provider goes away before the push.
    await client.login({ redirect: false });
    const before = await transactions(client);
    await h.stopProvider();
    const error = await rejection<AuthError>(client.login({ redirect: false }));
    expect(isLatchkeyError(error, 'network_error')).toBe(true);
    expect(await transactions(client)).toEqual(before);
  });
});
