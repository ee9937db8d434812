import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitAuthorizeForm } from '../../../test-support/authorize-form.js';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { TEST_CLIENTS, WEB, basic, obtainCode, postForm } from './support.js';

const ADMIN_TOKEN = 'admin-token-for-tests-0123456789';
let tp: TestProvider;
beforeAll(async () => {
  tp = await startTestProvider({ clients: TEST_CLIENTS, adminToken: ADMIN_TOKEN, features: { clientRegistrationPage: true } });
});
afterAll(() => tp.close());

async function webIdToken(): Promise<string> {
  const { code, verifier } = await obtainCode(tp, WEB);
  const response = await postForm(
    `${tp.issuer}/oauth/token`,
    { grant_type: 'authorization_code', code, redirect_uri: WEB.redirectUri, code_verifier: verifier },
    { authorization: basic(WEB.clientId, WEB.clientSecret) },
  );
  return String(response.body.id_token);
}

describe('/oauth/logout (RP-Initiated Logout)', () => {
  it('redirects to a registered post_logout_redirect_uri with state', async () => {
    const hint = await webIdToken();
    const url = `${tp.issuer}/oauth/logout?id_token_hint=${hint}&post_logout_redirect_uri=${encodeURIComponent('https://app.example.test/bye')}&state=s1`;
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('https://app.example.test/bye?state=s1');
  });

  it('never redirects to an unregistered URI', async () => {
    const url = `${tp.issuer}/oauth/logout?client_id=${WEB.clientId}&post_logout_redirect_uri=${encodeURIComponent('https://evil.example/')}`;
    const response = await fetch(url, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
  });

  it('refuses a forged id_token_hint', async () => {
    const hint = await webIdToken();
    const [header, , signature] = hint.split('.');
    const payload = Buffer.from(JSON.stringify({ iss: tp.issuer, aud: 'spa', sub: 'x' })).toString('base64url');
    const response = await fetch(`${tp.issuer}/oauth/logout?id_token_hint=${header}.${payload}.${signature}`, { redirect: 'manual' });
    expect(response.status).toBe(400);
  });

  it('shows a page without a redirect URI', async () => {
    const response = await fetch(`${tp.issuer}/oauth/logout`);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('signed out');
  });
});

describe('client registration', () => {
  it('registers through the JSON API with the admin token, and the client can log in', async () => {
    const response = await fetch(`${tp.issuer}/clients`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Via API', tokenEndpointAuthMethod: 'none', redirectUris: ['https://api-app.example.test/cb'] }),
    });
    expect(response.status).toBe(201);
    const record = (await response.json()) as { clientId: string };
    const { code } = await obtainCode(tp, { clientId: record.clientId, redirectUri: 'https://api-app.example.test/cb' });
    expect(code).not.toBe('');
  });

  it('refuses a wrong admin token, invalid input and taken ids', async () => {
    const post = (token: string, body: unknown) =>
      fetch(`${tp.issuer}/clients`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const wrong = await post(`${ADMIN_TOKEN}x`, { redirectUris: ['https://a.example/cb'] });
    expect(wrong.status).toBe(401);
    expect(((await wrong.json()) as { error: string }).error).toBe('invalid_token');
    const fragment = await post(ADMIN_TOKEN, { redirectUris: ['https://a.example/cb#x'] });
    expect(((await fragment.json()) as { error: string }).error).toBe('invalid_request');
    const taken = await post(ADMIN_TOKEN, { clientId: WEB.clientId, redirectUris: ['https://a.example/cb'] });
    expect(((await taken.json()) as { error: string }).error).toBe('invalid_request');
    const unknownField = await post(ADMIN_TOKEN, { isAdmin: true });
    expect(((await unknownField.json()) as { error: string }).error).toBe('invalid_request');
  });

  it('is off without an admin token, and the page is off by default', async () => {
    const plain = await startTestProvider({});
    try {
      const api = await fetch(`${plain.issuer}/clients`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(api.status).toBe(404);
      expect((await fetch(`${plain.issuer}/clients/new`)).status).toBe(404);
    } finally {
      await plain.close();
    }
  });

  it('registers from the HTML page and refuses cross-site posts', async () => {
    const form = { name: 'Page App', redirect_uris: 'https://page-app.example.test/cb', type: 'public' };
    const crossSite = await fetch(`${tp.issuer}/clients/new`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      body: new URLSearchParams(form),
    });
    expect(crossSite.status).toBe(403);
    const created = await fetch(`${tp.issuer}/clients/new`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: tp.issuer },
      body: new URLSearchParams(form),
    });
    expect(created.status).toBe(201);
    const clientId = /id="client_id">([^<]+)</.exec(await created.text())?.[1] ?? '';
    const client = await tp.provider.context.clients.get(clientId);
    expect(client).toMatchObject({ name: 'Page App', tokenEndpointAuthMethod: 'none', redirectUris: ['https://page-app.example.test/cb'] });
    const login = await submitAuthorizeForm(
      `${tp.issuer}/oauth/authorize?client_id=${clientId}&response_type=code&scope=openid&code_challenge=${'a'.repeat(43)}&code_challenge_method=S256`,
    );
    expect(login.location).toContain('code=');
  });
});
