import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitAuthorizeForm } from '../../../test-support/authorize-form.js';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { getMe } from './support.js';

const CLIENT = { clientId: 'legacy-spa', redirectUri: 'https://legacy.example.test/cb' };
let tp: TestProvider;
beforeAll(async () => {
  tp = await startTestProvider({
    features: { implicitGrant: true },
    clients: [
      { clientId: CLIENT.clientId, tokenEndpointAuthMethod: 'none', grantTypes: ['implicit'], redirectUris: [CLIENT.redirectUri] },
      { clientId: 'modern', tokenEndpointAuthMethod: 'none', redirectUris: [CLIENT.redirectUri] },
    ],
  });
});
afterAll(() => tp.close());

function implicitUrl(clientId: string): string {
  const url = new URL(`${tp.issuer}/oauth/authorize`);
  url.search = new URLSearchParams({ client_id: clientId, response_type: 'token', scope: 'profile', state: 'st' }).toString();
  return url.toString();
}

describe('implicit grant (features.implicitGrant)', () => {
  it('returns the access token in the fragment with state and iss, never a refresh token', async () => {
    const result = await submitAuthorizeForm(implicitUrl(CLIENT.clientId));
    const location = new URL(result.location ?? '');
    expect(location.search).toBe('');
    const fragment = new URLSearchParams(location.hash.slice(1));
    expect(fragment.get('state')).toBe('st');
    expect(fragment.get('iss')).toBe(tp.issuer);
    expect(fragment.get('refresh_token')).toBeNull();
    expect(await getMe(tp, fragment.get('access_token') ?? '')).toBe(200);
  });

  it('is refused for clients not registered for it, in the fragment', async () => {
    const response = await fetch(implicitUrl('modern'), { redirect: 'manual' });
    const fragment = new URLSearchParams(new URL(response.headers.get('location') ?? '').hash.slice(1));
    expect(fragment.get('error')).toBe('unauthorized_client');
  });
});
