import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { SPA, TEST_CLIENTS, WEB, basic, getMe, obtainCode, postForm, redeemAsSpa } from './support.js';

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

  it('reports refresh tokens, and revoked ones as inactive', async () => {
    const { refreshToken } = await spaTokens();
    const auth = { authorization: basic(WEB.clientId, WEB.clientSecret) };
    const live = await postForm(`${tp.issuer}/oauth/introspect`, { token: refreshToken, token_type_hint: 'refresh_token' }, auth);
    expect(live.body).toMatchObject({ active: true, token_type: 'refresh_token', sub: 'u-alice', client_id: SPA.clientId });
    await postForm(`${tp.issuer}/oauth/revoke`, { token: refreshToken, client_id: SPA.clientId });
    const revoked = await postForm(`${tp.issuer}/oauth/introspect`, { token: refreshToken }, auth);
    expect(revoked.body).toEqual({ active: false });
  });
});
