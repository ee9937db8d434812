import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BffLogoutResponse } from '@latchkey/common';
import { readAuthorizeForm } from '../../../test-support/authorize-form.js';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { startBff, type Browser, type TestBff } from './harness.js';
import { registerOAuth2Client } from './provider-clients.js';

const OP_COOKIE = 'latchkey-op-session';

/** True when the provider's authorization page asks for the password (no login session for `cookie`). */
async function asksForPassword(authorizeUrl: string, cookie: string): Promise<boolean> {
  const { html } = await readAuthorizeForm(authorizeUrl, { cookie });
  return /name="password"/.test(html);
}

/**
 * A BFF login that keeps the provider's login-session cookie, as a browser would: returns that cookie
 * (`name=value`) once the BFF callback has linked the provider.
 */
async function loginKeepingProviderCookie(browser: Browser, provider: string): Promise<string> {
  const authorizeUrl = await browser.startLogin(provider);
  const form = await readAuthorizeForm(authorizeUrl);
  const body = new URLSearchParams({ ...form.fields, username: 'alice', password: 'wonderland', decision: 'allow' });
  const posted = await fetch(form.action, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  const cookie = posted.headers.getSetCookie().find((line) => line.startsWith(`${OP_COOKIE}=`));
  expect(cookie).toBeDefined();
  const callback = await browser.fetch(posted.headers.get('location') as string);
  expect(callback.status).toBe(302);
  return (cookie as string).split(';')[0] as string;
}

const logout = (browser: Browser, body?: unknown) =>
  browser.fetch('/bff/logout', {
    method: 'POST',
    csrf: true,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });

describe('RP-initiated logout through the BFF (our provider)', () => {
  let provider: TestProvider;
  let bff: TestBff;

  beforeAll(async () => {
    provider = await startTestProvider();
    bff = await startBff({
      async register(registry, bffUrl) {
        await registerOAuth2Client(provider, registry, bffUrl, 'op', { config: { clientKwargs: { scope: 'openid profile email' } } });
      },
    });
  });
  afterAll(async () => {
    await bff.close();
    await provider.close();
  });

  it('ends the provider login session and lands on returnTo through /bff/logged-out', async () => {
    const browser = bff.browser();
    const opCookie = await loginKeepingProviderCookie(browser, 'op');
    // Signed in at the provider: a new authorization would not ask for the password.
    expect(await asksForPassword(await bff.browser().startLogin('op'), opCookie)).toBe(false);

    const answer = await logout(browser, { endSession: true, returnTo: '/after?tab=2' });
    expect(answer.status).toBe(200);
    const { endSessionUrl } = (await answer.json()) as BffLogoutResponse;
    const url = new URL(endSessionUrl);
    expect(url.origin + url.pathname).toBe(`${provider.url}/oauth/logout`);
    expect(url.searchParams.get('id_token_hint')).toMatch(/^ey[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(url.searchParams.get('post_logout_redirect_uri')).toBe(`${bff.url}/bff/logged-out/op`);
    expect(url.searchParams.get('client_id')).toBe('bff-op');
    const state = url.searchParams.get('state');
    expect(state).toMatch(/^[\w-]{43}$/);
    expect((await browser.session()).authenticated).toBe(false);

    const atProvider = await fetch(endSessionUrl, { redirect: 'manual', headers: { cookie: opCookie } });
    expect(atProvider.status).toBe(302);
    const back = new URL(atProvider.headers.get('location') as string);
    expect(back.origin + back.pathname).toBe(`${bff.url}/bff/logged-out/op`);
    expect(back.searchParams.get('state')).toBe(state);
    expect(await asksForPassword(await bff.browser().startLogin('op'), opCookie)).toBe(true);

    const landed = await browser.fetch(back.href);
    expect(landed.status).toBe(302);
    expect(landed.headers.get('location')).toBe('/after?tab=2');

    // Single use: the same return again is refused with a typed error.
    const replayed = await browser.fetch(back.href);
    expect(replayed.headers.get('location')).toBe('/?latchkey_error=state_mismatch&latchkey_provider=op');
  });

  it('refuses a logout return in another browser, or without state', async () => {
    const browser = bff.browser();
    await loginKeepingProviderCookie(browser, 'op');
    const { endSessionUrl } = (await (await logout(browser, { endSession: true })).json()) as BffLogoutResponse;
    const state = new URL(endSessionUrl).searchParams.get('state') as string;
    const path = `/bff/logged-out/op?state=${encodeURIComponent(state)}`;
    const foreign = await bff.browser().fetch(path);
    expect(foreign.headers.get('location')).toBe('/?latchkey_error=state_mismatch&latchkey_provider=op');
    const missing = await browser.fetch('/bff/logged-out/op');
    expect(missing.headers.get('location')).toBe('/?latchkey_error=state_missing&latchkey_provider=op');
    const unknown = await browser.fetch(`/bff/logged-out/op?state=${'A'.repeat(43)}`);
    expect(unknown.headers.get('location')).toBe('/?latchkey_error=state_mismatch&latchkey_provider=op');
  });

  it('without endSession logs out as before (204) and leaves the provider session', async () => {
    const browser = bff.browser();
    const opCookie = await loginKeepingProviderCookie(browser, 'op');
    const answer = await logout(browser);
    expect(answer.status).toBe(204);
    expect(await answer.text()).toBe('');
    expect((await browser.session()).authenticated).toBe(false);
    expect(await asksForPassword(await bff.browser().startLogin('op'), opCookie)).toBe(false);

    const other = bff.browser();
    await loginKeepingProviderCookie(other, 'op');
    expect((await logout(other, { endSession: false })).status).toBe(204);
  });

  it('answers 204 with endSession when no linked provider offers an end-session endpoint', async () => {
    const anonymous = bff.browser();
    expect((await logout(anonymous, { endSession: true })).status).toBe(204);
  });

  it('refuses a bad returnTo or body before ending anything', async () => {
    const browser = bff.browser();
    await loginKeepingProviderCookie(browser, 'op');
    const offSite = await logout(browser, { endSession: true, returnTo: 'https://evil.example/' });
    expect(offSite.status).toBe(400);
    expect(await offSite.json()).toMatchObject({ error: { code: 'invalid_return_to' } });
    const malformed = await logout(browser, { endSession: 'yes' });
    expect(await malformed.json()).toMatchObject({ error: { code: 'unsupported_request' } });
    const unknown = await logout(browser, { endSession: true, provider: 'nope' });
    expect(await unknown.json()).toMatchObject({ error: { code: 'unknown_provider' } });
    expect((await browser.session()).authenticated).toBe(true);
  });
});
