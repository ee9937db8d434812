import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submitAuthorizeForm } from '../../../test-support/authorize-form.js';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { authorize, authorizationUrl, redeemAsSpa, type AuthorizationStart } from './support.js';

// RFC 8252 section 7.3 and RFC 9700 section 4.1.3: a native app's loopback listener gets its port at run
// time, so a registered loopback redirect URI matches any port; everything else still matches exactly.
const NATIVE = {
  clientId: 'native',
  tokenEndpointAuthMethod: 'none' as const,
  redirectUris: ['http://127.0.0.1/cb', 'http://[::1]:8080/cb', 'http://localhost/cb?app=1', 'https://app.example.test:8443/cb'],
};

let tp: TestProvider;
beforeAll(async () => {
  tp = await startTestProvider({ clients: [NATIVE] });
});
afterAll(() => tp.close());

const start = (redirectUri: string): Promise<AuthorizationStart> => authorizationUrl(tp, { clientId: NATIVE.clientId, redirectUri });

describe('loopback redirect URIs (RFC 8252 section 7.3)', () => {
  it.each([
    ['127.0.0.1 registered without a port', 'http://127.0.0.1:51234/cb'],
    ['[::1] registered with another port', 'http://[::1]:49152/cb'],
    ['[::1] with its registered port', 'http://[::1]:8080/cb'],
    ['[::1] with no port at all', 'http://[::1]/cb'],
    ['localhost with its query', 'http://localhost:3000/cb?app=1'],
  ])('accepts %s at any port, redirects to the port asked for, and the code redeems', async (_name, redirectUri) => {
    const begun = await start(redirectUri);
    const callback = await authorize(begun);
    const code = callback.get('code') ?? '';
    expect(code).not.toBe('');
    const tokens = await redeemAsSpa(tp, code, begun.verifier, { client_id: NATIVE.clientId, redirect_uri: redirectUri });
    expect(tokens.status).toBe(200);
  });

  it('sends the code to the port of the request', async () => {
    const begun = await start('http://127.0.0.1:61000/cb');
    const result = await submitAuthorizeForm(begun.url.toString());
    expect(result.location?.startsWith('http://127.0.0.1:61000/cb?code=')).toBe(true);
  });

  it('refuses a code redeemed with another port than the one it was sent to', async () => {
    const begun = await start('http://127.0.0.1:51234/cb');
    const code = (await authorize(begun)).get('code') ?? '';
    const tokens = await redeemAsSpa(tp, code, begun.verifier, { client_id: NATIVE.clientId, redirect_uri: 'http://127.0.0.1:51235/cb' });
    expect(tokens.body.error).toBe('invalid_grant');
  });

  it.each([
    ['another path', 'http://127.0.0.1:5000/cb/more'],
    ['a trailing slash', 'http://127.0.0.1:5000/cb/'],
    ['an added query', 'http://127.0.0.1:5000/cb?x=1'],
    ['a missing query', 'http://localhost:5000/cb'],
    ['another query', 'http://localhost:5000/cb?app=2'],
    ['https instead of http', 'https://127.0.0.1:5000/cb'],
    ['another loopback address', 'http://127.0.0.2:5000/cb'],
    ['another host spelled for 127.0.0.1', 'http://127.1:5000/cb'],
    ['a host that starts like the loopback address', 'http://127.0.0.1.evil.example:5000/cb'],
    ['user information', 'http://evil@127.0.0.1:5000/cb'],
    ['port 0', 'http://127.0.0.1:0/cb'],
    ['a port past 65535', 'http://127.0.0.1:70000/cb'],
    ['an empty port', 'http://127.0.0.1:/cb'],
    ['a fragment', 'http://127.0.0.1:5000/cb#x'],
    ['a host of another case', 'http://LOCALHOST:5000/cb?app=1'],
    ['another port of a non-loopback URI', 'https://app.example.test:8444/cb'],
  ])('refuses %s with an error page, never a redirect', async (_name, redirectUri) => {
    const response = await fetch((await start(redirectUri)).url, { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect(await response.text()).not.toContain('<form');
  });
});
