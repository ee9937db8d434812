import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { SERVICE, SPA, TEST_CLIENTS, WEB, basic, getMe, obtainCode, postForm, redeemAsSpa, type RawResponse } from './support.js';

let tp: TestProvider;
let clock = Date.now();
beforeAll(async () => {
  tp = await startTestProvider({ clients: TEST_CLIENTS, now: () => clock });
});
afterAll(() => tp.close());

const tokenUrl = () => `${tp.issuer}/oauth/token`;

function expectError(response: RawResponse, code: string, status = 400): void {
  expect(response.body.error).toBe(code);
  expect(response.status).toBe(status);
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(response.body).not.toHaveProperty('access_token');
}

/** A fresh SPA login: its access and refresh tokens. */
async function spaTokens(): Promise<{ accessToken: string; refreshToken: string }> {
  const { code, verifier } = await obtainCode(tp, SPA);
  const response = await redeemAsSpa(tp, code, verifier);
  expect(response.status).toBe(200);
  return { accessToken: String(response.body.access_token), refreshToken: String(response.body.refresh_token) };
}

function refreshAsSpa(refreshToken: string, extra: Record<string, string> = {}): Promise<RawResponse> {
  return postForm(tokenUrl(), { grant_type: 'refresh_token', client_id: SPA.clientId, refresh_token: refreshToken, ...extra });
}

describe('authorization_code: PKCE, binding and single use', () => {
  it('refuses a wrong verifier and uses the code up, issuing nothing', async () => {
    const { code, verifier } = await obtainCode(tp, SPA);
    const issued = tp.countEvents('token_issued');
    expectError(await redeemAsSpa(tp, code, 'x'.repeat(43)), 'invalid_grant');
    expectError(await redeemAsSpa(tp, code, verifier), 'invalid_grant');
    expect(tp.countEvents('token_issued')).toBe(issued);
  });

  it('refuses a missing verifier', async () => {
    const { code } = await obtainCode(tp, SPA);
    const response = await postForm(tokenUrl(), {
      grant_type: 'authorization_code',
      client_id: SPA.clientId,
      code,
      redirect_uri: SPA.redirectUri,
    });
    expectError(response, 'invalid_grant');
  });

  it('refuses a verifier when the authorization request had no challenge (PKCE downgrade)', async () => {
    const { code } = await obtainCode(tp, WEB, { code_challenge: null, code_challenge_method: null });
    const response = await postForm(
      tokenUrl(),
      { grant_type: 'authorization_code', code, redirect_uri: WEB.redirectUri, code_verifier: 'v'.repeat(43) },
      { authorization: basic(WEB.clientId, WEB.clientSecret) },
    );
    expectError(response, 'invalid_grant');
  });

  it('refuses a redirect_uri other than the one of the authorization request', async () => {
    const { code, verifier } = await obtainCode(tp, WEB);
    const response = await postForm(
      tokenUrl(),
      { grant_type: 'authorization_code', code, redirect_uri: 'https://app.example.test/other', code_verifier: verifier },
      { authorization: basic(WEB.clientId, WEB.clientSecret) },
    );
    expectError(response, 'invalid_grant');
  });

  it('refuses a code issued to another client', async () => {
    const { code, verifier } = await obtainCode(tp, SPA);
    const response = await postForm(
      tokenUrl(),
      { grant_type: 'authorization_code', code, redirect_uri: SPA.redirectUri, code_verifier: verifier },
      { authorization: basic(WEB.clientId, WEB.clientSecret) },
    );
    expectError(response, 'invalid_grant');
  });

  it('revokes every token a replayed code issued (RFC 6749 section 4.1.2)', async () => {
    const { code, verifier } = await obtainCode(tp, SPA);
    const first = await redeemAsSpa(tp, code, verifier);
    expect(first.status).toBe(200);
    expect(await getMe(tp, String(first.body.access_token))).toBe(200);
    const revoked = tp.countEvents('token_revoked');

    expectError(await redeemAsSpa(tp, code, verifier), 'invalid_grant');
    expect(await getMe(tp, String(first.body.access_token))).toBe(401);
    expectError(await refreshAsSpa(String(first.body.refresh_token)), 'invalid_grant');
    expect(tp.events.slice(-4)).toContainEqual({ type: 'token_revoked', clientId: SPA.clientId, reason: 'code_replay' });
    expect(tp.countEvents('token_revoked')).toBeGreaterThan(revoked);
  });

  it('lets exactly one of two simultaneous redemptions win, and revokes what it got (regression: replay race)', async () => {
    const { code, verifier } = await obtainCode(tp, SPA);
    const results = await Promise.all([redeemAsSpa(tp, code, verifier), redeemAsSpa(tp, code, verifier)]);
    const winners = results.filter((result) => result.status === 200);
    expect(winners).toHaveLength(1);
    expect(results.find((result) => result.status !== 200)?.body.error).toBe('invalid_grant');
    expect(await getMe(tp, String(winners[0]?.body.access_token))).toBe(401);
  });

  it('refuses an expired code (regression: the lifetime is enforced by the injected clock)', async () => {
    const { code, verifier } = await obtainCode(tp, SPA);
    clock += 61_000;
    try {
      expectError(await redeemAsSpa(tp, code, verifier), 'invalid_grant');
    } finally {
      clock -= 61_000;
    }
  });

  it('treats an unknown code as invalid_grant', async () => {
    expectError(await redeemAsSpa(tp, 'made-up', 'v'.repeat(43)), 'invalid_grant');
  });
});

describe('refresh_token: rotation and reuse detection', () => {
  it('revokes the whole family when a rotated refresh token comes back', async () => {
    const { refreshToken } = await spaTokens();
    const rotated = await refreshAsSpa(refreshToken);
    expect(rotated.status).toBe(200);
    const newAccess = String(rotated.body.access_token);
    const newRefresh = String(rotated.body.refresh_token);
    expect(await getMe(tp, newAccess)).toBe(200);

    expectError(await refreshAsSpa(refreshToken), 'invalid_grant');
    expect(tp.events.at(-1)).toEqual({ type: 'token_revoked', clientId: SPA.clientId, reason: 'refresh_reuse' });
    expect(await getMe(tp, newAccess)).toBe(401);
    expectError(await refreshAsSpa(newRefresh), 'invalid_grant');
  });

  it('refuses scope escalation and leaves the refresh token usable', async () => {
    const { refreshToken } = await spaTokens();
    expectError(await refreshAsSpa(refreshToken, { scope: 'openid profile email admin' }), 'invalid_scope');
    expectError(await refreshAsSpa(refreshToken, { scope: 'openid offline_access' }), 'invalid_scope');
    expect((await refreshAsSpa(refreshToken)).status).toBe(200);
  });

  it('refuses a refresh token shown by another client and leaves it with its owner', async () => {
    const { refreshToken } = await spaTokens();
    const stolen = await postForm(
      tokenUrl(),
      { grant_type: 'refresh_token', refresh_token: refreshToken },
      { authorization: basic(WEB.clientId, WEB.clientSecret) },
    );
    expectError(stolen, 'invalid_grant');
    expect((await refreshAsSpa(refreshToken)).status).toBe(200);
  });

  it('refuses an expired refresh token', async () => {
    const { refreshToken } = await spaTokens();
    clock += 15 * 24 * 3600 * 1000;
    try {
      expectError(await refreshAsSpa(refreshToken), 'invalid_grant');
    } finally {
      clock -= 15 * 24 * 3600 * 1000;
    }
  });
});

describe('client authentication (RFC 6749 section 2.3)', () => {
  it('refuses a public client posing as confidential', async () => {
    const { code, verifier } = await obtainCode(tp, SPA);
    expectError(await redeemAsSpa(tp, code, verifier, { client_secret: 'anything' }), 'invalid_client', 401);
    const viaBasic = await postForm(
      tokenUrl(),
      { grant_type: 'authorization_code', code, redirect_uri: SPA.redirectUri, code_verifier: verifier },
      { authorization: basic(SPA.clientId, 'anything') },
    );
    expectError(viaBasic, 'invalid_client', 401);
    expect(viaBasic.headers.get('www-authenticate')).toMatch(/^Basic /);
    // The code was never reached: the real client can still redeem it.
    expect((await redeemAsSpa(tp, code, verifier)).status).toBe(200);
  });

  it('refuses a confidential client that sends no secret', async () => {
    const { code, verifier } = await obtainCode(tp, WEB);
    const response = await postForm(tokenUrl(), {
      grant_type: 'authorization_code',
      client_id: WEB.clientId,
      code,
      redirect_uri: WEB.redirectUri,
      code_verifier: verifier,
    });
    expectError(response, 'invalid_client', 401);
  });

  it('answers a wrong Basic secret with 401 and a Basic challenge', async () => {
    const response = await postForm(
      tokenUrl(),
      { grant_type: 'client_credentials' },
      { authorization: basic(WEB.clientId, `${WEB.clientSecret}x`) },
    );
    expectError(response, 'invalid_client', 401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
  });

  it('answers a wrong client_secret_post secret with 401 and no Basic challenge', async () => {
    const response = await postForm(tokenUrl(), { grant_type: 'client_credentials', client_id: SERVICE.clientId, client_secret: 'wrong' });
    expectError(response, 'invalid_client', 401);
    expect(response.headers.get('www-authenticate')).toBeNull();
  });

  it('requires the registered method (client_secret_post client using Basic)', async () => {
    const response = await postForm(
      tokenUrl(),
      { grant_type: 'client_credentials' },
      { authorization: basic(SERVICE.clientId, SERVICE.clientSecret) },
    );
    expectError(response, 'invalid_client', 401);
  });

  it('refuses two authentication methods in one request', async () => {
    const response = await postForm(
      tokenUrl(),
      { grant_type: 'client_credentials', client_secret: WEB.clientSecret },
      { authorization: basic(WEB.clientId, WEB.clientSecret) },
    );
    expectError(response, 'invalid_request');
  });

  it('form-url-decodes Basic credentials after base64 (regression: ids and secrets with reserved characters)', async () => {
    const secret = 'a b+c:d%e/f';
    const client = await tp.provider.registerClient({
      clientId: 'odd:id',
      clientSecret: secret,
      grantTypes: ['client_credentials'],
      scopes: ['x'],
    });
    const response = await postForm(tokenUrl(), { grant_type: 'client_credentials' }, { authorization: basic(client.clientId, secret) });
    expect(response.status).toBe(200);
    expect(response.body.scope).toBe('x');
  });

  it('refuses an unknown client', async () => {
    const response = await postForm(tokenUrl(), { grant_type: 'client_credentials' }, { authorization: basic('ghost', 'secret') });
    expectError(response, 'invalid_client', 401);
  });
});

describe('request shape', () => {
  it('refuses duplicated parameters', async () => {
    const body = `grant_type=client_credentials&client_id=${SERVICE.clientId}&client_secret=${SERVICE.clientSecret}&scope=reports:read&scope=reports:write`;
    expectError(await postForm(tokenUrl(), body), 'invalid_request');
  });

  it('refuses oversized parameters and bodies', async () => {
    const form = { grant_type: 'client_credentials', client_id: SERVICE.clientId, client_secret: SERVICE.clientSecret };
    expectError(await postForm(tokenUrl(), { ...form, scope: 'a'.repeat(3000) }), 'invalid_request');
    expectError(await postForm(tokenUrl(), { ...form, padding: 'a'.repeat(20_000) }), 'invalid_request', 413);
  });

  it('accepts only form-encoded bodies', async () => {
    const response = await fetch(tokenUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: SERVICE.clientId, client_secret: SERVICE.clientSecret }),
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
  });

  it('answers an unknown grant type with unsupported_grant_type', async () => {
    const response = await postForm(tokenUrl(), {
      grant_type: 'urn:example:magic',
      client_id: SERVICE.clientId,
      client_secret: SERVICE.clientSecret,
    });
    expectError(response, 'unsupported_grant_type');
  });

  it('keeps the password grant off unless enabled', async () => {
    const response = await postForm(
      tokenUrl(),
      { grant_type: 'password', username: 'alice', password: 'wonderland' },
      { authorization: basic(WEB.clientId, WEB.clientSecret) },
    );
    expectError(response, 'unsupported_grant_type');
  });

  it('refuses a grant type the client is not registered for', async () => {
    expectError(await postForm(tokenUrl(), { grant_type: 'client_credentials', client_id: SPA.clientId }), 'unauthorized_client');
  });

  it('refuses client_credentials scopes the client lacks, and user scopes', async () => {
    const form = { grant_type: 'client_credentials', client_id: SERVICE.clientId, client_secret: SERVICE.clientSecret };
    expectError(await postForm(tokenUrl(), { ...form, scope: 'reports:delete' }), 'invalid_scope');
    expectError(await postForm(tokenUrl(), { ...form, scope: 'openid' }), 'invalid_scope');
  });

  it('does not answer GET', async () => {
    const response = await fetch(`${tokenUrl()}?grant_type=client_credentials`);
    expect(response.status).toBe(405);
  });

  it('emits token_request for every call, failed ones included', async () => {
    const before = tp.countEvents('token_request');
    await postForm(tokenUrl(), { grant_type: 'client_credentials', client_id: 'ghost' });
    await postForm(tokenUrl(), { grant_type: 'client_credentials', client_id: SERVICE.clientId, client_secret: SERVICE.clientSecret });
    expect(tp.countEvents('token_request') - before).toBe(2);
    expect(tp.countEvents('token_request', 'client_credentials')).toBeGreaterThanOrEqual(2);
  });
});

describe('with features.passwordGrant', () => {
  it('issues tokens for the right password to a client registered for it', async () => {
    const other = await startTestProvider({
      features: { passwordGrant: true },
      clients: [{ clientId: 'legacy', clientSecret: 'legacy-secret', grantTypes: ['password', 'refresh_token'] }],
    });
    try {
      const auth = { authorization: basic('legacy', 'legacy-secret') };
      const ok = await postForm(
        `${other.issuer}/oauth/token`,
        { grant_type: 'password', username: 'alice', password: 'wonderland', scope: 'openid' },
        auth,
      );
      expect(ok.status).toBe(200);
      expect(ok.body.refresh_token).toEqual(expect.any(String));
      const wrong = await postForm(`${other.issuer}/oauth/token`, { grant_type: 'password', username: 'alice', password: 'nope' }, auth);
      expect(wrong.body.error).toBe('invalid_grant');
    } finally {
      await other.close();
    }
  });
});
