import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALICE, startTestProvider, type TestProvider } from '../../test-support/provider.js';
import { signIn } from './user-agent.js';

// openid-client's pushed authorization requests (RFC 9126) against @latchkey/provider, with a client
// that may only push, on a provider that advertises the requirement for every client.
const WEB = {
  clientId: 'oc-par-web.interop',
  clientSecret: 'oc-par-secret-._~0123456789abcdef',
  redirectUri: 'https://rp.example.test/cb',
};
const SPA = { clientId: 'oc-par-spa.interop', redirectUri: 'http://127.0.0.1/cb' };

let tp: TestProvider;
let web: client.Configuration;
let spa: client.Configuration;

/** openid-client refuses http issuers unless told (development only). */
const insecure = { execute: [client.allowInsecureRequests] };

beforeAll(async () => {
  tp = await startTestProvider({
    requirePushedAuthorizationRequests: true,
    clients: [
      { clientId: WEB.clientId, clientSecret: WEB.clientSecret, redirectUris: [WEB.redirectUri], requirePushedAuthorizationRequests: true },
      { clientId: SPA.clientId, tokenEndpointAuthMethod: 'none', redirectUris: [SPA.redirectUri] },
    ],
  });
  const issuer = new URL(tp.issuer);
  web = await client.discovery(issuer, WEB.clientId, WEB.clientSecret, client.ClientSecretBasic(WEB.clientSecret), insecure);
  spa = await client.discovery(issuer, SPA.clientId, undefined, client.None(), insecure);
});
afterAll(() => tp.close());

async function pushedLogin(config: client.Configuration, redirectUri: string) {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = await client.buildAuthorizationUrlWithPAR(config, {
    redirect_uri: redirectUri,
    scope: 'openid profile email',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  // RFC 9126 section 4: the browser carries only the client_id and the request_uri.
  expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
  const { callback } = await signIn(url);
  return client.authorizationCodeGrant(
    config,
    callback,
    { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce, idTokenExpected: true },
    { redirect_uri: redirectUri },
  );
}

describe('openid-client pushed authorization requests against @latchkey/provider', () => {
  it('discovers the endpoint and the requirement (RFC 9126 section 5)', () => {
    expect(web.serverMetadata()).toMatchObject({
      pushed_authorization_request_endpoint: `${tp.issuer}/oauth/par`,
      require_pushed_authorization_requests: true,
    });
  });

  it('pushes as a confidential client (client_secret_basic) and logs in through to a verified ID token', async () => {
    const tokens = await pushedLogin(web, WEB.redirectUri);
    expect(tokens.claims()).toMatchObject({ iss: tp.issuer, aud: WEB.clientId, sub: ALICE.sub, email: ALICE.email });
    expect(tokens.access_token).toBeDefined();
  });

  it('pushes as a public client (none) and logs in', async () => {
    const tokens = await pushedLogin(spa, SPA.redirectUri);
    expect(tokens.claims()?.aud).toBe(SPA.clientId);
  });

  it("surfaces the provider's JSON error for a push the provider refuses", async () => {
    const refused = client.buildAuthorizationUrlWithPAR(web, {
      redirect_uri: 'https://evil.example.test/cb',
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    await expect(refused).rejects.toMatchObject({ error: 'invalid_request', status: 400 });
  });
});
