import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { rawRequest, startBff, type TestBff } from './harness.js';

describe('the session cookie', () => {
  let provider: TestProvider;
  let bff: TestBff;

  beforeAll(async () => {
    provider = await startTestProvider();
    bff = await startBff({
      async register(registry) {
        const client = await provider.provider.registerClient({ clientId: 'bff-cookie', redirectUris: ['https://bff.example/bff/callback/latchkey'] });
        registry.register('latchkey', {
          clientId: client.clientId,
          clientSecret: client.clientSecret as string,
          serverMetadataUrl: `${provider.url}/.well-known/openid-configuration`,
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

  it('is __Host-, Secure, HttpOnly, SameSite=Lax, host-only with path / over https', async () => {
    const response = await rawRequest(bff.url, '/bff/login/latchkey', { headers: { host: 'bff.example', 'x-forwarded-proto': 'https' } });
    expect(response.status).toBe(302);
    const cookies = setCookie(response.headers);
    expect(cookies).toHaveLength(1);
    const cookie = cookies[0] as string;
    expect(cookie).toMatch(/^__Host-latchkey=[A-Za-z0-9_-]{43};/);
    const attributes = cookie.toLowerCase().split(';').map((part) => part.trim());
    expect(attributes).toEqual(expect.arrayContaining(['path=/', 'secure', 'httponly', 'samesite=lax']));
    expect(attributes.some((attribute) => attribute.startsWith('domain='))).toBe(false);
    // The redirect URI is built from the public origin the request came to.
    expect(new URL(response.headers.location as string).searchParams.get('redirect_uri')).toBe('https://bff.example/bff/callback/latchkey');
  });

  it('drops Secure and the prefix only for plain HTTP on a loopback host', async () => {
    const response = await rawRequest(bff.url, '/bff/login/latchkey', { headers: { host: 'localhost:5173' } });
    const cookie = setCookie(response.headers)[0] as string;
    expect(cookie).toMatch(/^latchkey=[A-Za-z0-9_-]{43};/);
    const attributes = cookie.toLowerCase().split(';').map((part) => part.trim());
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
