import { createLocalJWKSet, jwtVerify } from 'jose';
import * as oauth from 'oauth4webapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { API, SERVICE, SPA, TEST_CLIENTS, WEB, authorize, authorizationUrl, discover, getMe, insecure } from './support.js';

let tp: TestProvider;
let as: oauth.AuthorizationServer;
const spa: oauth.Client = { client_id: SPA.clientId };
const web: oauth.Client = { client_id: WEB.clientId };

beforeAll(async () => {
  tp = await startTestProvider({ clients: TEST_CLIENTS });
  as = await discover(tp);
});
afterAll(() => tp.close());

/** The whole browser-style login as oauth4webapi runs it. */
async function login(scope = 'openid profile email offline_access') {
  const start = await authorizationUrl(tp, SPA, { scope });
  const callback = await authorize(start);
  const params = oauth.validateAuthResponse(as, spa, callback, start.state);
  const response = await oauth.authorizationCodeGrantRequest(as, spa, oauth.None(), params, SPA.redirectUri, start.verifier, insecure);
  const tokens = await oauth.processAuthorizationCodeResponse(as, spa, response, { expectedNonce: start.nonce, requireIdToken: true });
  return { tokens, start };
}

describe('discovery', () => {
  it('publishes OpenID and RFC 8414 metadata with the issuer identification and S256 only', async () => {
    expect(as.issuer).toBe(tp.issuer);
    expect(as.authorization_response_iss_parameter_supported).toBe(true);
    expect(as.code_challenge_methods_supported).toEqual(['S256']);
    expect(as.revocation_endpoint).toBe(`${tp.issuer}/oauth/revoke`);
    expect(as.introspection_endpoint).toBe(`${tp.issuer}/oauth/introspect`);
    expect(as.end_session_endpoint).toBe(`${tp.issuer}/oauth/logout`);
    const issuer = new URL(tp.issuer);
    const rfc8414 = await oauth.processDiscoveryResponse(
      issuer,
      await oauth.discoveryRequest(issuer, { ...insecure, algorithm: 'oauth2' }),
    );
    expect(rfc8414.token_endpoint).toBe(as.token_endpoint);
  });

  it('serves the JWKS with public RS256 keys only', async () => {
    const jwks = (await (await fetch(as.jwks_uri ?? '')).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });
});

describe('authorization code with PKCE', () => {
  it('logs in, returns iss and state on the callback, and issues a validated id_token bound to the nonce', async () => {
    const start = await authorizationUrl(tp, SPA);
    const callback = await authorize(start);
    expect(callback.get('iss')).toBe(tp.issuer);
    expect(callback.get('state')).toBe(start.state);
    const params = oauth.validateAuthResponse(as, spa, callback, start.state);
    const response = await oauth.authorizationCodeGrantRequest(as, spa, oauth.None(), params, SPA.redirectUri, start.verifier, insecure);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const tokens = await oauth.processAuthorizationCodeResponse(as, spa, response, { expectedNonce: start.nonce, requireIdToken: true });
    const claims = oauth.getValidatedIdTokenClaims(tokens);
    expect(claims).toMatchObject({ iss: tp.issuer, sub: 'u-alice', aud: SPA.clientId, nonce: start.nonce, name: 'Alice Liddell' });
    expect(typeof claims?.auth_time).toBe('number');
    expect(typeof claims?.at_hash).toBe('string');
    expect(tokens.scope).toBe('openid profile email');
    expect(tokens.refresh_token).toEqual(expect.any(String));

    // The signature checks out against the published keys, independently of oauth4webapi.
    const jwks = createLocalJWKSet((await (await fetch(as.jwks_uri ?? '')).json()) as { keys: [] });
    await expect(jwtVerify(tokens.id_token ?? '', jwks, { issuer: tp.issuer, audience: SPA.clientId })).resolves.toBeTruthy();
  });

  it('rejects an id_token whose nonce is not the one sent (oauth4webapi sees the mismatch)', async () => {
    const start = await authorizationUrl(tp, SPA);
    const params = oauth.validateAuthResponse(as, spa, await authorize(start), start.state);
    const response = await oauth.authorizationCodeGrantRequest(as, spa, oauth.None(), params, SPA.redirectUri, start.verifier, insecure);
    await expect(
      oauth.processAuthorizationCodeResponse(as, spa, response, { expectedNonce: oauth.generateRandomNonce() }),
    ).rejects.toMatchObject({ code: oauth.JWT_CLAIM_COMPARISON });
  });

  it('lets a confidential client redeem with client_secret_basic', async () => {
    const start = await authorizationUrl(tp, WEB);
    const params = oauth.validateAuthResponse(as, web, await authorize(start), start.state);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      web,
      oauth.ClientSecretBasic(WEB.clientSecret),
      params,
      WEB.redirectUri,
      start.verifier,
      insecure,
    );
    const tokens = await oauth.processAuthorizationCodeResponse(as, web, response, { expectedNonce: start.nonce });
    expect(await getMe(tp, tokens.access_token)).toBe(200);
  });
});

describe('userinfo and /api/me', () => {
  it('releases claims by scope at /userinfo', async () => {
    const { tokens } = await login('openid email');
    const response = await oauth.userInfoRequest(as, spa, tokens.access_token, insecure);
    const claims = await oauth.processUserInfoResponse(as, spa, 'u-alice', response);
    expect(claims).toEqual({ sub: 'u-alice', email: 'alice@example.test', email_verified: true });
  });

  it('answers /api/me with the user claims', async () => {
    const { tokens } = await login();
    const response = await fetch(`${tp.issuer}/api/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(await response.json()).toMatchObject({
      sub: 'u-alice',
      name: 'Alice Liddell',
      email: 'alice@example.test',
      client_id: 'spa',
      protocol: 'oauth2',
    });
  });
});

describe('refresh token rotation', () => {
  it('issues a new refresh token on every use, counted by token events', async () => {
    const { tokens } = await login();
    const before = tp.countEvents('token_request', 'refresh_token');
    const first = await oauth.processRefreshTokenResponse(
      as,
      spa,
      await oauth.refreshTokenGrantRequest(as, spa, oauth.None(), tokens.refresh_token ?? '', insecure),
    );
    expect(first.refresh_token).toEqual(expect.any(String));
    expect(first.refresh_token).not.toBe(tokens.refresh_token);
    const second = await oauth.processRefreshTokenResponse(
      as,
      spa,
      await oauth.refreshTokenGrantRequest(as, spa, oauth.None(), first.refresh_token ?? '', insecure),
    );
    expect(second.access_token).not.toBe(first.access_token);
    expect(await getMe(tp, second.access_token)).toBe(200);
    expect(tp.countEvents('token_request', 'refresh_token') - before).toBe(2);
  });

  it('narrows the scope of the access token on request', async () => {
    const { tokens } = await login();
    const response = await oauth.refreshTokenGrantRequest(as, spa, oauth.None(), tokens.refresh_token ?? '', {
      ...insecure,
      additionalParameters: { scope: 'openid email' },
    });
    const narrowed = await oauth.processRefreshTokenResponse(as, spa, response);
    expect(narrowed.scope).toBe('openid email');
    const claims = await oauth.processUserInfoResponse(
      as,
      spa,
      'u-alice',
      await oauth.userInfoRequest(as, spa, narrowed.access_token, insecure),
    );
    expect(claims).not.toHaveProperty('name');
  });
});

describe('client credentials', () => {
  it('issues a token without a user and without a refresh token', async () => {
    const client: oauth.Client = { client_id: SERVICE.clientId };
    const response = await oauth.clientCredentialsGrantRequest(
      as,
      client,
      oauth.ClientSecretPost(SERVICE.clientSecret),
      { scope: 'reports:read' },
      insecure,
    );
    const tokens = await oauth.processClientCredentialsResponse(as, client, response);
    expect(tokens.scope).toBe('reports:read');
    expect(tokens.refresh_token).toBeUndefined();
    const me = await fetch(`${tp.issuer}/api/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(await me.json()).toMatchObject({ sub: null, client_id: SERVICE.clientId });
  });
});

describe('revocation and introspection', () => {
  it('introspects a live token for a resource server and reports anything else inactive', async () => {
    const { tokens } = await login();
    const auth = oauth.ClientSecretBasic(API.clientSecret);
    const api = { client_id: API.clientId };
    const live = await oauth.processIntrospectionResponse(
      as,
      api,
      await oauth.introspectionRequest(as, api, auth, tokens.access_token, insecure),
    );
    expect(live).toMatchObject({
      active: true,
      client_id: SPA.clientId,
      sub: 'u-alice',
      token_type: 'Bearer',
      scope: 'openid profile email offline_access',
    });
    const unknown = await oauth.processIntrospectionResponse(
      as,
      api,
      await oauth.introspectionRequest(as, api, auth, 'not-a-token', insecure),
    );
    expect(unknown).toEqual({ active: false });
  });

  it('revoking the refresh token kills its access tokens too, and unknown tokens still get 200', async () => {
    const { tokens } = await login();
    const revoke = await oauth.revocationRequest(as, spa, oauth.None(), tokens.refresh_token ?? '', insecure);
    await oauth.processRevocationResponse(revoke);
    expect(await getMe(tp, tokens.access_token)).toBe(401);
    const refresh = await oauth.refreshTokenGrantRequest(as, spa, oauth.None(), tokens.refresh_token ?? '', insecure);
    await expect(oauth.processRefreshTokenResponse(as, spa, refresh)).rejects.toMatchObject({ error: 'invalid_grant' });
    await oauth.processRevocationResponse(await oauth.revocationRequest(as, spa, oauth.None(), 'never-issued', insecure));
  });

  it('revokes a single access token and leaves the refresh token working', async () => {
    const { tokens } = await login();
    await oauth.processRevocationResponse(
      await oauth.revocationRequest(as, spa, oauth.None(), tokens.access_token, {
        ...insecure,
        additionalParameters: { token_type_hint: 'access_token' },
      }),
    );
    expect(await getMe(tp, tokens.access_token)).toBe(401);
    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      spa,
      await oauth.refreshTokenGrantRequest(as, spa, oauth.None(), tokens.refresh_token ?? '', insecure),
    );
    expect(await getMe(tp, refreshed.access_token)).toBe(200);
  });
});
