import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitAuthorizeForm } from '../../../test-support/authorize-form.js';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { rawRequest, startBff, type TestBff } from './harness.js';

describe('the session cookie', () => {
  let provider: TestProvider;
  let bff: TestBff;

  beforeAll(async () => {
    provider = await startTestProvider();
    bff = await startBff({
      async register(registry) {
        const client = await provider.provider.registerClient({
          clientId: 'bff-cookie',
          redirectUris: ['https://bff.example/bff/callback/latchkey'],
        });
        registry.register('latchkey', {
          clientId: client.clientId,
          clientSecret: client.clientSecret as string,
          serverMetadataUrl: `${provider.url}/.well-known/openid-configuration`,
          // The redirect URI is read from the front-channel authorization URL, so the request is not pushed.
          clientKwargs: { pushedAuthorizationRequests: false },
        });
      },
    });
    // Behind a TLS-terminating proxy, Koa learns the scheme from X-Forwarded-Proto.
    bff.app.proxy = true;
  });
  afterAll(async () => {
    await bff.close();
    await provider.close();
  });

  const setCookie = (headers: import('node:http').IncomingHttpHeaders) => headers['set-cookie'] ?? [];

  const attributesOf = (cookie: string) =>
    cookie
      .toLowerCase()
      .split(';')
      .map((part) => part.trim());
  const https = { host: 'bff.example', 'x-forwarded-proto': 'https' };

  it('is __Host-, Secure, HttpOnly, SameSite=Lax, host-only with path / over https, and so is the login-binding cookie', async () => {
    // A login start sets only the login-binding cookie: no session exists before a login completes.
    const start = await rawRequest(bff.url, '/bff/login/latchkey', { headers: https });
    expect(start.status).toBe(302);
    const bindings = setCookie(start.headers);
    expect(bindings).toHaveLength(1);
    const binding = bindings[0] as string;
    expect(binding).toMatch(/^__Host-latchkey-login=[A-Za-z0-9_-]{43};/);
    expect(attributesOf(binding)).toEqual(expect.arrayContaining(['path=/', 'secure', 'httponly', 'samesite=lax']));
    expect(attributesOf(binding).some((attribute) => attribute.startsWith('domain='))).toBe(false);
    // The redirect URI is built from the public origin the request came to.
    const authorizeUrl = start.headers.location as string;
    expect(new URL(authorizeUrl).searchParams.get('redirect_uri')).toBe('https://bff.example/bff/callback/latchkey');

    const answer = await submitAuthorizeForm(authorizeUrl);
    const callback = new URL(answer.location as string);
    const done = await rawRequest(bff.url, `${callback.pathname}${callback.search}`, {
      headers: { ...https, cookie: binding.split(';')[0] as string },
    });
    expect(done.status).toBe(302);
    expect(done.headers.location).toBe('/');
    const session = setCookie(done.headers).find((cookie) => cookie.startsWith('__Host-latchkey=')) as string;
    expect(session).toMatch(/^__Host-latchkey=[A-Za-z0-9_-]{43};/);
    expect(attributesOf(session)).toEqual(expect.arrayContaining(['path=/', 'secure', 'httponly', 'samesite=lax']));
    expect(attributesOf(session).some((attribute) => attribute.startsWith('domain='))).toBe(false);
  });

  it('drops Secure and the prefix only for plain HTTP on a loopback host', async () => {
    const response = await rawRequest(bff.url, '/bff/login/latchkey', { headers: { host: 'localhost:5173' } });
    const cookie = setCookie(response.headers)[0] as string;
    expect(cookie).toMatch(/^latchkey-login=[A-Za-z0-9_-]{43};/);
    const attributes = attributesOf(cookie);
    expect(attributes).toEqual(expect.arrayContaining(['path=/', 'httponly', 'samesite=lax']));
    expect(attributes).not.toContain('secure');
  });

  it('refuses plain HTTP on any other host, without setting a cookie', async () => {
    const response = await rawRequest(bff.url, '/bff/login/latchkey', { headers: { host: 'bff.example' } });
    expect(response.status).toBe(500);
    expect(setCookie(response.headers)).toEqual([]);
    expect((JSON.parse(response.body) as { error: { code: string } }).error.code).toBe('internal_error');
  });

  it('reads no session and sets no cookie for a GET /session without one', async () => {
    const response = await rawRequest(bff.url, '/bff/session', { headers: { host: 'bff.example', 'x-forwarded-proto': 'https' } });
    expect(JSON.parse(response.body)).toEqual({ authenticated: false, user: null, connections: [] });
    expect(setCookie(response.headers)).toEqual([]);
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('lists the providers', async () => {
    const response = await rawRequest(bff.url, '/bff/providers', { headers: { host: 'localhost' } });
    expect(JSON.parse(response.body)).toEqual({ providers: [{ name: 'latchkey', displayName: 'latchkey', protocol: 'oauth2' }] });
  });
});
