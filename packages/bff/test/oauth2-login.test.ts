import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { startBff, type TestBff } from './harness.js';

describe('OAuth 2 login through the BFF', () => {
  let provider: TestProvider;
  let bff: TestBff;

  beforeAll(async () => {
    provider = await startTestProvider();
    bff = await startBff({
      async register(registry, bffUrl) {
        for (const method of ['client_secret_basic', 'client_secret_post', 'none'] as const) {
          const name = `p-${method.replace(/_/g, '-')}`;
          const client = await provider.provider.registerClient({
            clientId: `bff-${name}`,
            redirectUris: [`${bffUrl}/bff/callback/${name}`],
            tokenEndpointAuthMethod: method,
          });
          registry.register(name, {
            clientId: client.clientId,
            ...(client.clientSecret === undefined ? {} : { clientSecret: client.clientSecret }),
            serverMetadataUrl: `${provider.url}/.well-known/openid-configuration`,
            apiBaseUrl: `${provider.url}/api/`,
            clientKwargs: { scope: 'openid profile email offline_access', tokenEndpointAuthMethod: method },
          });
        }
      },
    });
  });
  afterAll(async () => {
    await bff.close();
    await provider.close();
  });

  for (const method of ['client_secret_basic', 'client_secret_post', 'none'] as const) {
    it(`logs in with ${method} and proxies GET /api/me`, async () => {
      const name = `p-${method.replace(/_/g, '-')}`;
      const browser = bff.browser();
      const { location } = await browser.login(name, { returnTo: '/app/page?tab=1' });
      expect(location).toBe('/app/page?tab=1');
      const session = await browser.session();
      expect(session.authenticated).toBe(true);
      expect(session.user).toMatchObject({ sub: ALICE.sub, email: ALICE.email });
      expect(session.connections).toEqual([
        expect.objectContaining({ provider: name, protocol: 'oauth2', scopes: expect.arrayContaining(['openid']) }),
      ]);
      const me = await browser.fetch(`/bff/api/${name}/me`, { csrf: true });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({ sub: ALICE.sub });
    });
  }
});
