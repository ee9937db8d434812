import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestProvider, ALICE, type TestProvider } from '../../test-support/provider.js';
import { signIn, signedInRedirect } from './user-agent.js';

// panva's openid-client (OpenID Certified RP) against @latchkey/provider. Ids hold '-' and '.', and the
// secret every unreserved punctuation mark, as real ones do.
const WEB = {
  clientId: 'oc-web.interop',
  clientSecret: 'oc-secret-._~0123456789abcdef',
  redirectUri: 'https://rp.example.test/cb',
  postLogoutRedirectUri: 'https://rp.example.test/bye',
};
const SPA = { clientId: 'oc-spa.interop', redirectUri: 'http://127.0.0.1/cb' };
const API = { clientId: 'oc-api.interop', clientSecret: 'oc-api-secret-0123456789abcdef' };

let tp: TestProvider;
let web: client.Configuration;
let spa: client.Configuration;
let api: client.Configuration;

/** openid-client refuses http issuers unless told (development only). */
const insecure = { execute: [client.allowInsecureRequests] };

beforeAll(async () => {
  tp = await startTestProvider({
    clients: [
      {
        clientId: WEB.clientId,
        clientSecret: WEB.clientSecret,
        name: 'openid-client RP',
        redirectUris: [WEB.redirectUri],
        postLogoutRedirectUris: [WEB.postLogoutRedirectUri],
      },
      // A native app's loopback redirect URI, registered without a port (RFC 8252 section 7.3).
      { clientId: SPA.clientId, tokenEndpointAuthMethod: 'none', redirectUris: [SPA.redirectUri] },
      {
        clientId: API.clientId,
        clientSecret: API.clientSecret,
        tokenEndpointAuthMethod: 'client_secret_post',
        grantTypes: ['client_credentials'],
        scopes: [],
        resourceServer: true,
      },
    ],
  });
  const issuer = new URL(tp.issuer);
  web = await client.discovery(issuer, WEB.clientId, WEB.clientSecret, client.ClientSecretBasic(WEB.clientSecret), insecure);
  spa = await client.discovery(issuer, SPA.clientId, undefined, client.None(), insecure);
  api = await client.discovery(issuer, API.clientId, API.clientSecret, client.ClientSecretPost(API.clientSecret), insecure);
});
afterAll(() => tp.close());

interface Started {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

/** An authorization URL built by openid-client: code, PKCE S256, state and nonce. */
async function start(config: client.Configuration, redirectUri: string, extra: Record<string, string> = {}): Promise<Started> {
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const nonce = client.randomNonce();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: 'openid profile email offline_access',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  return { url, verifier, state, nonce };
}

/** openid-client's checks of the callback, the code exchange and the ID token. */
function exchange(config: client.Configuration, begun: Started, callback: URL, checks: Partial<client.AuthorizationCodeGrantChecks> = {}) {
  return client.authorizationCodeGrant(config, callback, {
    pkceCodeVerifier: begun.verifier,
    expectedState: begun.state,
    expectedNonce: begun.nonce,
    idTokenExpected: true,
    ...checks,
  });
}

/** A whole login of the confidential client; returns the tokens and the login session cookie. */
async function webLogin(extra: Record<string, string> = {}) {
  const begun = await start(web, WEB.redirectUri, extra);
  const { callback, cookie } = await signIn(begun.url);
  return { begun, cookie, tokens: await exchange(web, begun, callback) };
}

describe('openid-client against @latchkey/provider', () => {
  it('discovers the provider (OpenID Connect Discovery 1.0, RFC 8414)', () => {
    const metadata = web.serverMetadata();
    expect(metadata.issuer).toBe(tp.issuer);
    expect(metadata.supportsPKCE()).toBe(true);
    expect(metadata).toMatchObject({
      authorization_endpoint: `${tp.issuer}/oauth/authorize`,
      token_endpoint: `${tp.issuer}/oauth/token`,
      userinfo_endpoint: `${tp.issuer}/userinfo`,
      jwks_uri: `${tp.issuer}/jwks`,
      introspection_endpoint: `${tp.issuer}/oauth/introspect`,
      revocation_endpoint: `${tp.issuer}/oauth/revoke`,
      end_session_endpoint: `${tp.issuer}/oauth/logout`,
      authorization_response_iss_parameter_supported: true,
    });
  });

  it('logs in with code + PKCE (client_secret_basic): openid-client checks state, iss, the ID token signature, nonce and claims', async () => {
    const { begun, tokens } = await webLogin();
    const claims = tokens.claims();
    expect(claims).toMatchObject({ iss: tp.issuer, aud: WEB.clientId, sub: ALICE.sub, nonce: begun.nonce, email: ALICE.email });
    expect(typeof claims?.auth_time).toBe('number');
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
    expect(tokens.refresh_token).toBeDefined();
  });

  it('logs in as a public client (none) on a loopback redirect URI at a port chosen at run time', async () => {
    const redirectUri = 'http://127.0.0.1:49731/cb';
    const begun = await start(spa, redirectUri);
    const { callback } = await signIn(begun.url);
    expect(callback.origin).toBe('http://127.0.0.1:49731');
    const tokens = await client.authorizationCodeGrant(
      spa,
      callback,
      { pkceCodeVerifier: begun.verifier, expectedState: begun.state, expectedNonce: begun.nonce, idTokenExpected: true },
      { redirect_uri: redirectUri },
    );
    expect(tokens.claims()?.aud).toBe(SPA.clientId);
  });

  it('verifies the ID token signature against /jwks when asked to, and refuses a tampered one', async () => {
    // Over TLS a client may skip the signature of an ID token from the token endpoint (OpenID Connect
    // Core section 3.1.3.7), and openid-client does unless its non-repudiation checks are on.
    let tamper = false;
    const tampering: client.CustomFetch = async (url, options) => {
      // A copy of a byte body, for DOM typings that want an ArrayBuffer-backed one.
      const { body: sent, ...init } = options;
      const copy = sent instanceof Uint8Array ? new Uint8Array(sent) : sent;
      const response = await fetch(url, { ...init, ...(copy === undefined ? {} : { body: copy }) });
      if (!tamper || !url.endsWith('/oauth/token')) return response;
      const body = (await response.json()) as Record<string, string>;
      const [header, payload, signature = ''] = (body.id_token ?? '').split('.');
      const flipped = `${signature.slice(0, -2)}${signature.endsWith('AA') ? 'BB' : 'AA'}`;
      return Response.json(
        { ...body, id_token: `${header}.${payload}.${flipped}` },
        { status: response.status, headers: response.headers },
      );
    };
    const strict = await client.discovery(new URL(tp.issuer), WEB.clientId, WEB.clientSecret, client.ClientSecretBasic(WEB.clientSecret), {
      ...insecure,
      [client.customFetch]: tampering,
    });
    client.enableNonRepudiationChecks(strict);
    const genuine = await start(strict, WEB.redirectUri);
    expect((await exchange(strict, genuine, (await signIn(genuine.url)).callback)).claims()?.sub).toBe(ALICE.sub);
    tamper = true;
    const tampered = await start(strict, WEB.redirectUri);
    const refused = await exchange(strict, tampered, (await signIn(tampered.url)).callback).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toMatchObject({ code: 'OAUTH_INVALID_RESPONSE', cause: { message: 'JWT signature verification failed' } });
  });

  it('checks auth_time against max_age (OpenID Connect Core section 3.1.2.1)', async () => {
    const begun = await start(web, WEB.redirectUri, { max_age: '300' });
    const { callback } = await signIn(begun.url);
    // With maxAge, openid-client requires auth_time and refuses one older than max_age.
    const tokens = await exchange(web, begun, callback, { maxAge: 300 });
    expect(tokens.claims()?.auth_time).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
  });

  it("reads userinfo for the ID token's subject", async () => {
    const { tokens } = await webLogin();
    const userinfo = await client.fetchUserInfo(web, tokens.access_token, tokens.claims()?.sub ?? '');
    expect(userinfo).toMatchObject({ sub: ALICE.sub, name: ALICE.name, email: ALICE.email, preferred_username: ALICE.username });
  });

  it('refreshes with rotation: the new ID token is checked against the first, the old refresh token is refused', async () => {
    const { tokens } = await webLogin();
    const refreshed = await client.refreshTokenGrant(web, tokens.refresh_token ?? '');
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(refreshed.claims()?.sub).toBe(ALICE.sub);
    expect(refreshed.claims()?.auth_time).toBe(tokens.claims()?.auth_time);
    await expect(client.refreshTokenGrant(web, tokens.refresh_token ?? '')).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('introspects: a client its own token, a resource server any token, another client nothing (RFC 7662)', async () => {
    const { tokens } = await webLogin();
    expect(await client.tokenIntrospection(web, tokens.access_token)).toMatchObject({
      active: true,
      client_id: WEB.clientId,
      sub: ALICE.sub,
    });
    expect(await client.tokenIntrospection(api, tokens.access_token)).toMatchObject({
      active: true,
      client_id: WEB.clientId,
      token_type: 'Bearer',
    });
    expect(await client.tokenIntrospection(api, tokens.refresh_token ?? '', { token_type_hint: 'refresh_token' })).toMatchObject({
      active: true,
      token_type: 'refresh_token',
    });
    const begun = await start(spa, SPA.redirectUri);
    const { callback } = await signIn(begun.url);
    const spaTokens = await client.authorizationCodeGrant(spa, callback, {
      pkceCodeVerifier: begun.verifier,
      expectedState: begun.state,
      expectedNonce: begun.nonce,
    });
    expect(await client.tokenIntrospection(web, spaTokens.access_token)).toEqual({ active: false });
  });

  it('revokes the refresh token, and with it the grant (RFC 7009)', async () => {
    const { tokens } = await webLogin();
    await client.tokenRevocation(web, tokens.refresh_token ?? '', { token_type_hint: 'refresh_token' });
    expect(await client.tokenIntrospection(api, tokens.access_token)).toEqual({ active: false });
    await expect(client.refreshTokenGrant(web, tokens.refresh_token ?? '')).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(client.fetchUserInfo(web, tokens.access_token, ALICE.sub)).rejects.toThrow();
  });

  it('answers prompt=none from the login session, and login_required once end-session has ended it', async () => {
    const { cookie, tokens } = await webLogin();
    const silent = await start(web, WEB.redirectUri, { prompt: 'none' });
    const again = await exchange(web, silent, await signedInRedirect(silent.url, cookie));
    expect(again.claims()?.sub).toBe(ALICE.sub);

    // RP-Initiated Logout: the URL openid-client builds, followed by the user's browser.
    const endSession = client.buildEndSessionUrl(web, {
      id_token_hint: tokens.id_token ?? '',
      post_logout_redirect_uri: WEB.postLogoutRedirectUri,
      state: 'after-logout',
    });
    const followed = await fetch(endSession, { redirect: 'manual', headers: { cookie } });
    expect(followed.status).toBe(302);
    expect(followed.headers.get('location')).toBe(`${WEB.postLogoutRedirectUri}?state=after-logout`);

    const afterLogout = await start(web, WEB.redirectUri, { prompt: 'none' });
    await expect(exchange(web, afterLogout, await signedInRedirect(afterLogout.url, cookie))).rejects.toMatchObject({
      error: 'login_required',
    });
  });
});
