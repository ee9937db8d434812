import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { API, SPA, TEST_CLIENTS, WEB, basic, getMe, obtainCode, postForm, redeemAsSpa } from './support.js';

let tp: TestProvider;
beforeAll(async () => {
  tp = await startTestProvider({ clients: TEST_CLIENTS });
});
afterAll(() => tp.close());

async function spaTokens() {
  const { code, verifier } = await obtainCode(tp, SPA);
  const body = (await redeemAsSpa(tp, code, verifier)).body;
  return { accessToken: String(body.access_token), refreshToken: String(body.refresh_token) };
}

describe('revocation (RFC 7009)', () => {
  it('does not let another client revoke a token, yet answers 200 so nothing leaks', async () => {
    const { accessToken, refreshToken } = await spaTokens();
    const auth = { authorization: basic(WEB.clientId, WEB.clientSecret) };
    expect((await postForm(`${tp.issuer}/oauth/revoke`, { token: refreshToken }, auth)).status).toBe(200);
    expect((await postForm(`${tp.issuer}/oauth/revoke`, { token: accessToken }, auth)).status).toBe(200);
    expect(await getMe(tp, accessToken)).toBe(200);
  });

  it('needs client authentication and a token', async () => {
    expect((await postForm(`${tp.issuer}/oauth/revoke`, { token: 'x' })).body.error).toBe('invalid_client');
    expect((await postForm(`${tp.issuer}/oauth/revoke`, { client_id: SPA.clientId })).body.error).toBe('invalid_request');
  });
});

describe('introspection (RFC 7662)', () => {
  it('refuses public clients and unauthenticated callers', async () => {
    const { accessToken } = await spaTokens();
    const asPublic = await postForm(`${tp.issuer}/oauth/introspect`, { token: accessToken, client_id: SPA.clientId });
    expect(asPublic.status).toBe(401);
    expect(asPublic.body.error).toBe('invalid_client');
    expect(asPublic.body).not.toHaveProperty('active');
    const anonymous = await postForm(`${tp.issuer}/oauth/introspect`, { token: accessToken });
    expect(anonymous.body.error).toBe('invalid_client');
  });

  it("tells a client that is not a resource server nothing about another client's tokens (section 2.2)", async () => {
    const { accessToken, refreshToken } = await spaTokens();
    const asWeb = { authorization: basic(WEB.clientId, WEB.clientSecret) };
    for (const [token, hint] of [
      [accessToken, 'access_token'],
      [refreshToken, 'refresh_token'],
      [refreshToken, 'access_token'],
    ]) {
      const answer = await postForm(`${tp.issuer}/oauth/introspect`, { token: token ?? '', token_type_hint: hint ?? '' }, asWeb);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({ active: false });
    }
    // The resource server sees the same token live.
    const asApi = { authorization: basic(API.clientId, API.clientSecret) };
    expect((await postForm(`${tp.issuer}/oauth/introspect`, { token: accessToken }, asApi)).body).toMatchObject({
      active: true,
      client_id: SPA.clientId,
    });
  });

  it("describes a confidential client's own tokens to it", async () => {
    const { code, verifier } = await obtainCode(tp, WEB);
    const auth = { authorization: basic(WEB.clientId, WEB.clientSecret) };
    const tokens = await postForm(
      `${tp.issuer}/oauth/token`,
      { grant_type: 'authorization_code', code, redirect_uri: WEB.redirectUri, code_verifier: verifier },
      auth,
    );
    const own = await postForm(`${tp.issuer}/oauth/introspect`, { token: String(tokens.body.access_token) }, auth);
    expect(own.body).toMatchObject({ active: true, client_id: WEB.clientId, sub: 'u-alice', token_type: 'Bearer' });
  });

  it('refuses a public client as a resource server', async () => {
    await expect(tp.provider.registerClient({ tokenEndpointAuthMethod: 'none', resourceServer: true })).rejects.toMatchObject({
      code: 'configuration_error',
      option: 'resourceServer',
    });
  });

  it('reports refresh tokens to a resource server, and revoked ones as inactive', async () => {
    const { refreshToken } = await spaTokens();
    const auth = { authorization: basic(API.clientId, API.clientSecret) };
    const live = await postForm(`${tp.issuer}/oauth/introspect`, { token: refreshToken, token_type_hint: 'refresh_token' }, auth);
    expect(live.body).toMatchObject({ active: true, token_type: 'refresh_token', sub: 'u-alice', client_id: SPA.clientId });
    await postForm(`${tp.issuer}/oauth/revoke`, { token: refreshToken, client_id: SPA.clientId });
    const revoked = await postForm(`${tp.issuer}/oauth/introspect`, { token: refreshToken }, auth);
    expect(revoked.body).toEqual({ active: false });
  });
});
