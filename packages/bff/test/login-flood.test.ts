import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBff, createMemoryStore, OAuthRegistry } from '@latchkey/bff';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { startBff, TEST_KEYS, type TestBff } from './harness.js';
import { registerOAuth2Client } from './provider-clients.js';

const BOUND = 20;

/**
 * ARCHITECTURE.md, security rules: "Anonymous traffic cannot push out authenticated state: pre-login
 * data (BFF) ... bounded apart from sessions". Both memory stores are given a small bound; a flood of
 * cookieless login starts, ten times the bound, goes over HTTP while a user is logged in.
 */
describe('a flood of anonymous login starts', () => {
  let provider: TestProvider;
  let bff: TestBff;

  beforeAll(async () => {
    provider = await startTestProvider();
    bff = await startBff({
      registry: { cache: createMemoryStore({ maxEntries: BOUND }) },
      bff: { store: createMemoryStore({ maxEntries: BOUND }) },
      async register(registry, bffUrl) {
        await registerOAuth2Client(provider, registry, bffUrl, 'alpha', { clientId: 'bff-flood' });
      },
    });
  });
  afterAll(async () => {
    await bff.close();
    await provider.close();
  });

  it('does not log out a logged-in user', async () => {
    const user = bff.browser();
    await user.login('alpha');
    for (let i = 0; i < BOUND * 10; i++) {
      const response = await fetch(`${bff.url}/bff/login/alpha`, { redirect: 'manual' });
      expect(response.status).toBe(302);
    }
    expect((await user.session()).authenticated).toBe(true);
    expect((await user.fetch('/bff/api/alpha/me', { csrf: true })).status).toBe(200);
    // The flood only pushed out its own kind: a login started before it is gone, one started after completes.
    expect((await user.login('alpha', { returnTo: '/after' })).location).toBe('/after');
  });

  it('createBff refuses one memory store for both sessions and login transactions', () => {
    const shared = createMemoryStore();
    expect(() => createBff({ registry: new OAuthRegistry({ env: {}, cache: shared }), keys: TEST_KEYS, store: shared })).toThrow(
      expect.objectContaining({ code: 'configuration_error', option: 'store' }),
    );
  });
});
