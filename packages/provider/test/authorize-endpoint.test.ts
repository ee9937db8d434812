import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAuthorizeForm } from '../../../test-support/authorize-form.js';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { SPA, TEST_CLIENTS, WEB, authorize, authorizationUrl, redeemAsSpa } from './support.js';

let tp: TestProvider;
beforeAll(async () => {
  tp = await startTestProvider({ clients: TEST_CLIENTS });
});
afterAll(() => tp.close());

/** GET without following redirects. */
async function get(url: URL | string) {
  const response = await fetch(url, { redirect: 'manual' });
  return { status: response.status, location: response.headers.get('location'), headers: response.headers, body: await response.text() };
}

/** The error parameters of a redirect back to the client. */
function errorRedirect(location: string | null) {
  expect(location).not.toBeNull();
  return new URL(location ?? '').searchParams;
}

describe('errors that must not redirect (RFC 6749 section 4.1.2.1)', () => {
  it.each([
    ['an unknown client', { client_id: 'nobody' }],
    ['a redirect URI with an extra path', { redirect_uri: `${SPA.redirectUri}/more` }],
    ['a redirect URI with an extra query', { redirect_uri: `${SPA.redirectUri}?next=/admin` }],
    ['a redirect URI differing in case', { redirect_uri: SPA.redirectUri.replace('callback', 'Callback') }],
    ['a redirect URI with a trailing slash', { redirect_uri: `${SPA.redirectUri}/` }],
  ])('renders an error page for %s', async (_name, extra) => {
    const { url } = await authorizationUrl(tp, SPA, extra);
    const response = await get(url);
    expect(response.status).toBe(400);
    expect(response.location).toBeNull();
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(response.body).not.toContain('<form');
  });

  it('renders an error page for a duplicated client_id or redirect_uri', async () => {
    const { url } = await authorizationUrl(tp, SPA);
    for (const name of ['client_id', 'redirect_uri']) {
      const duplicated = new URL(url);
      duplicated.searchParams.append(name, duplicated.searchParams.get(name) ?? '');
      const response = await get(duplicated);
      expect(response.status).toBe(400);
      expect(response.location).toBeNull();
    }
  });

  it('needs redirect_uri when the client registered more than one', async () => {
    const { url } = await authorizationUrl(tp, WEB, { redirect_uri: null });
    const response = await get(url);
    expect(response.status).toBe(400);
    expect(response.location).toBeNull();
  });

  it('allows omitting redirect_uri when exactly one is registered, then refuses it at the token endpoint only if it differs', async () => {
    const start = await authorizationUrl(tp, SPA, { redirect_uri: null });
    const callback = await authorize(start);
    const code = callback.get('code') ?? '';
    expect(code).not.toBe('');
    const tokens = await redeemAsSpa(tp, code, start.verifier);
    expect(tokens.status).toBe(200);
  });
});

describe('errors sent back to the client', () => {
  it('redirects a duplicated parameter as invalid_request with state and iss', async () => {
    const start = await authorizationUrl(tp, SPA);
    start.url.searchParams.append('scope', 'openid');
    const params = errorRedirect((await get(start.url)).location);
    expect(params.get('error')).toBe('invalid_request');
    expect(params.get('state')).toBe(start.state);
    expect(params.get('iss')).toBe(tp.issuer);
  });

  it('refuses oversized parameters', async () => {
    const start = await authorizationUrl(tp, SPA, { nonce: 'n'.repeat(5000) });
    const params = errorRedirect((await get(start.url)).location);
    expect(params.get('error')).toBe('invalid_request');
    expect(params.get('state')).toBe(start.state);
  });

  it.each([
    ['a plain PKCE challenge (downgrade)', { code_challenge_method: 'plain' }, 'invalid_request'],
    ['a challenge without a method (defaults to plain)', { code_challenge_method: null }, 'invalid_request'],
    ['no PKCE from a public client', { code_challenge: null, code_challenge_method: null }, 'invalid_request'],
    ['an unknown challenge method', { code_challenge_method: 'S512' }, 'invalid_request'],
    ['a malformed challenge', { code_challenge: 'short' }, 'invalid_request'],
    ['a scope the client may not ask for', { scope: 'openid admin' }, 'invalid_scope'],
    ['no scope', { scope: null }, 'invalid_scope'],
    ['the implicit grant while it is disabled', { response_type: 'token' }, 'unsupported_response_type'],
    ['a hybrid response type', { response_type: 'code id_token' }, 'unsupported_response_type'],
    ['no response type', { response_type: null }, 'invalid_request'],
    ['prompt=none (no login session to reuse)', { prompt: 'none' }, 'login_required'],
    ['a request object', { request: 'eyJhbGciOiJub25lIn0.e30.' }, 'request_not_supported'],
  ])('answers %s with %s', async (_name, extra, code) => {
    const start = await authorizationUrl(tp, SPA, extra);
    const response = await get(start.url);
    expect(response.status).toBe(302);
    const params = errorRedirect(response.location);
    expect(params.get('error')).toBe(code);
    expect(params.get('state')).toBe(start.state);
    expect(params.get('iss')).toBe(tp.issuer);
    expect(new URL(response.location ?? '').origin + new URL(response.location ?? '').pathname).toBe(SPA.redirectUri);
  });

  it('keeps the query of a registered redirect URI and adds the response to it', async () => {
    const client = await tp.provider.registerClient({
      tokenEndpointAuthMethod: 'none',
      redirectUris: ['https://q.example.test/cb?tenant=7'],
    });
    const start = await authorizationUrl(tp, { clientId: client.clientId, redirectUri: 'https://q.example.test/cb?tenant=7' });
    const params = await authorize(start);
    expect(params.get('tenant')).toBe('7');
    expect(params.get('code')).not.toBeNull();
  });
});

describe('the login and consent page', () => {
  it('is not frameable or cacheable and keeps the request server-side', async () => {
    const start = await authorizationUrl(tp, SPA);
    const response = await get(start.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const form = await readAuthorizeForm(start.url.toString());
    // Only an opaque transaction reference travels through the form, never the request itself.
    expect(Object.keys(form.fields)).toEqual(['transaction']);
    expect(form.html).not.toContain(start.state);
  });

  it('redirects with access_denied when the user denies, and the transaction is then gone', async () => {
    const start = await authorizationUrl(tp, SPA);
    const form = await readAuthorizeForm(start.url.toString());
    const issued = tp.countEvents('token_issued');
    const denied = await fetch(form.action, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...form.fields, username: 'alice', password: 'wonderland', decision: 'deny' }),
    });
    const params = errorRedirect(denied.headers.get('location'));
    expect(params.get('error')).toBe('access_denied');
    expect(params.get('state')).toBe(start.state);
    expect(params.get('iss')).toBe(tp.issuer);
    expect(params.get('code')).toBeNull();
    const again = await fetch(form.action, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...form.fields, username: 'alice', password: 'wonderland', decision: 'allow' }),
    });
    expect(again.status).toBe(400);
    expect(again.headers.get('location')).toBeNull();
    expect(tp.countEvents('token_issued')).toBe(issued);
  });

  it('shows the page again after a wrong password and still completes afterwards', async () => {
    const start = await authorizationUrl(tp, SPA);
    const form = await readAuthorizeForm(start.url.toString());
    const post = (password: string) =>
      fetch(form.action, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ...form.fields, username: 'alice', password, decision: 'allow' }),
      });
    const wrong = await post('guess');
    expect(wrong.status).toBe(200);
    expect(wrong.headers.get('location')).toBeNull();
    expect(await wrong.text()).toContain('role="alert"');
    const right = await post('wonderland');
    expect(new URL(right.headers.get('location') ?? '').searchParams.get('code')).not.toBeNull();
  });

  it('refuses a forged transaction reference with a page, not a redirect', async () => {
    const start = await authorizationUrl(tp, SPA);
    const form = await readAuthorizeForm(start.url.toString());
    const response = await fetch(form.action, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ transaction: 'forged', username: 'alice', password: 'wonderland', decision: 'allow' }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });

  it('completes a transaction once even when the form is posted twice at the same moment', async () => {
    const start = await authorizationUrl(tp, SPA);
    const form = await readAuthorizeForm(start.url.toString());
    const post = () =>
      fetch(form.action, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ...form.fields, username: 'alice', password: 'wonderland', decision: 'allow' }),
      });
    const responses = await Promise.all([post(), post()]);
    const codes = responses.map((response) => new URL(response.headers.get('location') ?? 'x:/').searchParams.get('code'));
    expect(codes.filter((code) => code !== null)).toHaveLength(1);
    expect(responses.map((response) => response.status).sort()).toEqual([302, 400]);
  });
});

describe('with features.plainPkce', () => {
  it('accepts a plain challenge and advertises it', async () => {
    const plain = await startTestProvider({ clients: TEST_CLIENTS, features: { plainPkce: true } });
    try {
      const verifier = 'v'.repeat(50);
      const start = await authorizationUrl(plain, SPA, { code_challenge: verifier, code_challenge_method: 'plain' });
      const code = (await authorize(start)).get('code') ?? '';
      expect((await redeemAsSpa(plain, code, verifier)).status).toBe(200);
      const metadata = (await (await fetch(`${plain.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
      expect(metadata.code_challenge_methods_supported).toEqual(['S256', 'plain']);
    } finally {
      await plain.close();
    }
  });
});
