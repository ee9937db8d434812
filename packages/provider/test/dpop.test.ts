import Router from '@koa/router';
import { createMemoryKeyValueStore, type KeyValueStore, protocolErrors, type ResourceAuth } from '@latchkey/provider';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../../../test-support/listen.js';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { type DpopKey, dpopKey, dpopProof, type ProofInput } from './dpop-support.js';
import {
  API,
  SERVICE,
  SPA,
  TEST_CLIENTS,
  WEB,
  authorize,
  authorizationUrl,
  basic,
  obtainCode,
  postForm,
  type RawResponse,
} from './support.js';

/** A machine client whose every access token must be DPoP-bound (RFC 9449 section 5.2). */
const STRICT = { clientId: 'strict', clientSecret: 'strict-secret-0123456789' } as const;

let tp: TestProvider;
let key: DpopKey;
let otherKey: DpopKey;
beforeAll(async () => {
  tp = await startTestProvider({
    clients: [...TEST_CLIENTS, { ...STRICT, grantTypes: ['client_credentials'], scopes: ['reports:read'], dpopBoundAccessTokens: true }],
  });
  [key, otherKey] = await Promise.all([dpopKey('ES256'), dpopKey('ES256')]);
});
afterAll(() => tp.close());

const tokenUrl = () => `${tp.issuer}/oauth/token`;
const proofFor = (k: DpopKey, input: Partial<ProofInput> = {}) => dpopProof(k, { htm: 'POST', htu: tokenUrl(), ...input });

/** Redeems a fresh SPA code, with a proof by `k` unless `k` is null. */
async function spaTokens(k: DpopKey | null = key, extra: Record<string, string | null> = {}): Promise<RawResponse> {
  const { code, verifier } = await obtainCode(tp, SPA, extra);
  const form = { grant_type: 'authorization_code', client_id: SPA.clientId, code, redirect_uri: SPA.redirectUri, code_verifier: verifier };
  return postForm(tokenUrl(), form, k === null ? {} : { dpop: await proofFor(k) });
}

async function webTokens(k: DpopKey): Promise<RawResponse> {
  const { code, verifier } = await obtainCode(tp, WEB);
  return postForm(
    tokenUrl(),
    { grant_type: 'authorization_code', code, redirect_uri: WEB.redirectUri, code_verifier: verifier },
    { authorization: basic(WEB.clientId, WEB.clientSecret), dpop: await proofFor(k) },
  );
}

/** A call to a protected resource, as DPoP (with a proof by `k`, or none when `k` is null) or as Bearer. */
async function callResource(
  path: string,
  token: string,
  options: { scheme?: 'DPoP' | 'Bearer'; key?: DpopKey | null; proof?: Partial<ProofInput>; method?: string } = {},
) {
  const method = options.method ?? 'GET';
  const headers: Record<string, string> = { authorization: `${options.scheme ?? 'DPoP'} ${token}` };
  const k = options.key === undefined ? key : options.key;
  if (k !== null) headers.dpop = await dpopProof(k, { htm: method, htu: `${tp.issuer}${path}`, accessToken: token, ...options.proof });
  const response = await fetch(`${tp.issuer}${path}`, { method, headers });
  const text = await response.text();
  return {
    status: response.status,
    challenge: response.headers.get('www-authenticate') ?? '',
    body: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown>,
  };
}

async function introspect(token: string) {
  return (await postForm(`${tp.issuer}/oauth/introspect`, { token }, { authorization: basic(API.clientId, API.clientSecret) })).body;
}

function refreshAsSpa(refreshToken: string, headers: Record<string, string> = {}) {
  return postForm(tokenUrl(), { grant_type: 'refresh_token', client_id: SPA.clientId, refresh_token: refreshToken }, headers);
}

const expectDpopChallenge = (challenge: string, error: string) => {
  expect(challenge).toMatch(/^DPoP /);
  expect(challenge).toContain(`error="${error}"`);
  expect(challenge).toMatch(/algs="[^"]*ES256[^"]*"/);
};

describe('DPoP (RFC 9449): the happy path with ES256', () => {
  it('binds the access token at the token endpoint, then serves /api/me and /userinfo, refreshes, and introspects with cnf.jkt', async () => {
    const tokens = await spaTokens();
    expect(tokens.status).toBe(200);
    expect(tokens.body.token_type).toBe('DPoP');
    const accessToken = String(tokens.body.access_token);

    const me = await callResource('/api/me', accessToken);
    expect(me.status).toBe(200);
    expect(me.body.client_id).toBe(SPA.clientId);
    const userinfo = await callResource('/userinfo', accessToken);
    expect(userinfo.status).toBe(200);
    expect(typeof userinfo.body.sub).toBe('string');
    expect((await callResource('/userinfo', accessToken, { method: 'POST' })).status).toBe(200);

    expect(await introspect(accessToken)).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt: key.jkt } });
    expect(await introspect(String(tokens.body.refresh_token))).toMatchObject({ active: true, cnf: { jkt: key.jkt } });

    const refreshed = await refreshAsSpa(String(tokens.body.refresh_token), { dpop: await proofFor(key) });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.token_type).toBe('DPoP');
    expect((await callResource('/api/me', String(refreshed.body.access_token))).status).toBe(200);
    // The rotated refresh token stays bound to the same key.
    expect((await refreshAsSpa(String(refreshed.body.refresh_token))).body.error).toBe('invalid_grant');
  });

  it('works with RS256, PS256 and EdDSA keys too', async () => {
    for (const alg of ['RS256', 'PS256', 'EdDSA']) {
      const k = await dpopKey(alg);
      const tokens = await spaTokens(k);
      expect(tokens.body.token_type).toBe('DPoP');
      expect((await callResource('/api/me', String(tokens.body.access_token), { key: k })).status).toBe(200);
    }
  });

  it('keeps bearer tokens working: without a proof the token is Bearer, introspected without cnf', async () => {
    const tokens = await spaTokens(null);
    expect(tokens.body.token_type).toBe('Bearer');
    const accessToken = String(tokens.body.access_token);
    expect((await callResource('/api/me', accessToken, { scheme: 'Bearer', key: null })).status).toBe(200);
    const described = await introspect(accessToken);
    expect(described.token_type).toBe('Bearer');
    expect(described).not.toHaveProperty('cnf');
    // A bearer token is not a DPoP token, even with a valid proof beside it.
    const asDpop = await callResource('/api/me', accessToken);
    expect(asDpop.status).toBe(401);
    expectDpopChallenge(asDpop.challenge, 'invalid_token');
  });

  it('binds client_credentials tokens too, and refuses a dpopBoundAccessTokens client without a proof', async () => {
    const form = { grant_type: 'client_credentials' };
    const auth = { authorization: basic(STRICT.clientId, STRICT.clientSecret) };
    const without = await postForm(tokenUrl(), form, auth);
    expect(without.status).toBe(400);
    expect(without.body.error).toBe('invalid_dpop_proof');
    const bound = await postForm(tokenUrl(), form, { ...auth, dpop: await proofFor(key) });
    expect(bound.status).toBe(200);
    expect(bound.body.token_type).toBe('DPoP');
    expect((await callResource('/api/me', String(bound.body.access_token))).status).toBe(200);
  });

  it('refuses a dpopBoundAccessTokens that is not a boolean (configuration_error naming it)', async () => {
    const error = await tp.provider
      .registerClient({ redirectUris: ['https://rp.example.test/cb'], dpopBoundAccessTokens: 'yes' as unknown as boolean })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'configuration_error', option: 'dpopBoundAccessTokens' });
  });

  it('advertises dpop_signing_alg_values_supported', async () => {
    const metadata = (await (await fetch(`${tp.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(metadata.dpop_signing_alg_values_supported).toEqual(expect.arrayContaining(['ES256', 'RS256', 'PS256', 'EdDSA']));
    expect(metadata.dpop_signing_alg_values_supported).not.toContain('HS256');
  });
});

describe('DPoP: stolen tokens', () => {
  it('refuses a DPoP-bound access token sent as Bearer, or with a proof by another key (401, DPoP challenge)', async () => {
    const accessToken = String((await spaTokens()).body.access_token);
    for (const path of ['/api/me', '/userinfo', '/api/echo']) {
      const asBearer = await callResource(path, accessToken, { scheme: 'Bearer', key: null });
      expect(asBearer.status).toBe(401);
      expectDpopChallenge(asBearer.challenge, 'invalid_token');
      const otherProof = await callResource(path, accessToken, { key: otherKey });
      expect(otherProof.status).toBe(401);
      expectDpopChallenge(otherProof.challenge, 'invalid_token');
    }
    const noProof = await callResource('/api/me', accessToken, { key: null });
    expect(noProof.status).toBe(401);
    expectDpopChallenge(noProof.challenge, 'invalid_dpop_proof');
    // The owner still gets through.
    expect((await callResource('/api/me', accessToken)).status).toBe(200);
  });

  it("refuses a public client's refresh token without a proof by its key, and leaves it usable by its owner", async () => {
    const refreshToken = String((await spaTokens()).body.refresh_token);
    const withoutProof = await refreshAsSpa(refreshToken);
    expect(withoutProof.status).toBe(400);
    expect(withoutProof.body.error).toBe('invalid_grant');
    const otherProof = await refreshAsSpa(refreshToken, { dpop: await proofFor(otherKey) });
    expect(otherProof.body.error).toBe('invalid_grant');
    // Not taken for reuse: the grant lives and the owner refreshes.
    const owner = await refreshAsSpa(refreshToken, { dpop: await proofFor(key) });
    expect(owner.status).toBe(200);
    expect(tp.events.some((event) => event.type === 'token_revoked' && event.reason === 'refresh_reuse')).toBe(false);
  });

  it("does not bind a confidential client's refresh token, but binds each new access token to the proof's key", async () => {
    const tokens = await webTokens(key);
    expect(tokens.body.token_type).toBe('DPoP');
    const auth = { authorization: basic(WEB.clientId, WEB.clientSecret) };
    const plain = await postForm(tokenUrl(), { grant_type: 'refresh_token', refresh_token: String(tokens.body.refresh_token) }, auth);
    expect(plain.status).toBe(200);
    expect(plain.body.token_type).toBe('Bearer');
    const rebound = await postForm(
      tokenUrl(),
      { grant_type: 'refresh_token', refresh_token: String(plain.body.refresh_token) },
      { ...auth, dpop: await proofFor(otherKey) },
    );
    expect(rebound.body.token_type).toBe('DPoP');
    expect(await introspect(String(rebound.body.access_token))).toMatchObject({ cnf: { jkt: otherKey.jkt } });
  });

  it('binds the code to dpop_jkt: only a proof by that key redeems it', async () => {
    const wrong = await spaTokens(otherKey, { dpop_jkt: key.jkt });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toBe('invalid_grant');
    expect((await spaTokens(null, { dpop_jkt: key.jkt })).body.error).toBe('invalid_grant');
    const right = await spaTokens(key, { dpop_jkt: key.jkt });
    expect(right.status).toBe(200);
    expect(right.body.token_type).toBe('DPoP');
  });

  it('binds the code to the key of a DPoP proof sent with a pushed authorization request (section 10.1)', async () => {
    const push = async (k: DpopKey, extra: Record<string, string> = {}) => {
      const start = await authorizationUrl(tp, SPA);
      const form = Object.fromEntries(start.url.searchParams);
      const pushed = await postForm(
        `${tp.issuer}/oauth/par`,
        { ...form, ...extra },
        { dpop: await proofFor(k, { htu: `${tp.issuer}/oauth/par` }) },
      );
      return { pushed, verifier: start.verifier };
    };
    const redeemPushed = async (requestUri: string, verifier: string, k: DpopKey) => {
      const url = new URL(`${tp.issuer}/oauth/authorize`);
      url.searchParams.set('client_id', SPA.clientId);
      url.searchParams.set('request_uri', requestUri);
      const code = (await authorize({ url, verifier, state: '', nonce: '' })).get('code') ?? '';
      const form = {
        grant_type: 'authorization_code',
        client_id: SPA.clientId,
        code,
        redirect_uri: SPA.redirectUri,
        code_verifier: verifier,
      };
      return postForm(tokenUrl(), form, { dpop: await proofFor(k) });
    };
    const first = await push(key);
    expect(first.pushed.status).toBe(201);
    expect((await redeemPushed(String(first.pushed.body.request_uri), first.verifier, otherKey)).body.error).toBe('invalid_grant');
    const second = await push(key);
    const right = await redeemPushed(String(second.pushed.body.request_uri), second.verifier, key);
    expect(right.status).toBe(200);
    expect(right.body.token_type).toBe('DPoP');

    const mismatch = await push(key, { dpop_jkt: otherKey.jkt });
    expect(mismatch.pushed.status).toBe(400);
    expect(mismatch.pushed.body.error).toBe('invalid_request');
  });

  it('refuses a malformed dpop_jkt at the authorization endpoint (invalid_request back to the client)', async () => {
    const start = await authorizationUrl(tp, SPA, { dpop_jkt: 'not-a-thumbprint' });
    const response = await fetch(start.url, { redirect: 'manual' });
    expect(response.status).toBe(302);
    expect(new URL(response.headers.get('location') ?? '').searchParams.get('error')).toBe('invalid_request');
    // And a good one goes through the login page.
    const params = await authorize(await authorizationUrl(tp, SPA, { dpop_jkt: key.jkt }));
    expect(params.get('code')).not.toBeNull();
  });
});

describe('DPoP: proof checks (invalid_dpop_proof)', () => {
  const serviceToken = (dpop: string) =>
    postForm(tokenUrl(), { grant_type: 'client_credentials', client_id: SERVICE.clientId, client_secret: SERVICE.clientSecret }, { dpop });
  const expectRefused = async (dpop: string | Promise<string>) => {
    const response = await serviceToken(await dpop);
    expect(response.status).toBe(400);
    expect(response.body.error).toBe('invalid_dpop_proof');
  };
  const now = () => Math.floor(Date.now() / 1000);

  it('refuses a replayed proof (same jti), at the token endpoint and at a resource', async () => {
    const proof = await proofFor(key);
    expect((await serviceToken(proof)).status).toBe(200);
    await expectRefused(proof);
    // The same jti in a new proof is a replay too.
    const jti = 'one-time-jti-0123456789';
    expect((await serviceToken(await proofFor(key, { jti }))).status).toBe(200);
    await expectRefused(proofFor(key, { jti }));

    const accessToken = String((await spaTokens()).body.access_token);
    const resourceProof = await dpopProof(key, { htm: 'GET', htu: `${tp.issuer}/api/me`, accessToken });
    const call = () => fetch(`${tp.issuer}/api/me`, { headers: { authorization: `DPoP ${accessToken}`, dpop: resourceProof } });
    expect((await call()).status).toBe(200);
    const replay = await call();
    expect(replay.status).toBe(401);
    expectDpopChallenge(replay.headers.get('www-authenticate') ?? '', 'invalid_dpop_proof');
  });

  it('refuses a replay when both copies are in flight at once: exactly one wins', async () => {
    const proof = await proofFor(key);
    const results = await Promise.all([serviceToken(proof), serviceToken(proof)]);
    expect(results.map((result) => result.status).sort()).toEqual([200, 400]);
  });

  it('refuses a wrong htm or htu, and accepts an htu that differs only by query or fragment', async () => {
    await expectRefused(proofFor(key, { htm: 'GET' }));
    await expectRefused(proofFor(key, { htu: `${tp.issuer}/oauth/revoke` }));
    await expectRefused(proofFor(key, { htu: tokenUrl().replace('127.0.0.1', 'localhost') }));
    await expectRefused(proofFor(key, { htu: 'not a url' }));
    expect((await serviceToken(await proofFor(key, { htu: `${tokenUrl()}?a=1#b` }))).status).toBe(200);
  });

  it('refuses an iat outside the window, either way', async () => {
    await expectRefused(proofFor(key, { iat: now() - 3600 }));
    await expectRefused(proofFor(key, { iat: now() + 3600 }));
    await expectRefused(proofFor(key, { claims: { iat: 'yesterday' } }));
  });

  it('refuses a wrong or missing ath at a resource, and an ath at the token endpoint', async () => {
    const accessToken = String((await spaTokens()).body.access_token);
    const wrong = await callResource('/api/me', accessToken, { proof: { claims: { ath: 'x'.repeat(43) } } });
    expect(wrong.status).toBe(401);
    expectDpopChallenge(wrong.challenge, 'invalid_dpop_proof');
    const missing = await callResource('/api/me', accessToken, { proof: { claims: { ath: undefined } } });
    expect(missing.status).toBe(401);
    await expectRefused(proofFor(key, { claims: { ath: 'x'.repeat(43) } }));
  });

  it('refuses a proof for another resource path or method', async () => {
    const accessToken = String((await spaTokens()).body.access_token);
    const otherPath = await callResource('/api/me', accessToken, { proof: { htu: `${tp.issuer}/userinfo` } });
    expect(otherPath.status).toBe(401);
    expectDpopChallenge(otherPath.challenge, 'invalid_dpop_proof');
    expect((await callResource('/api/me', accessToken, { proof: { htm: 'POST' } })).status).toBe(401);
  });

  it('refuses a wrong typ, a symmetric or unlisted alg, a private jwk, no jwk, a bad signature, no jti, and two proofs', async () => {
    await expectRefused(proofFor(key, { header: { typ: 'JWT' } }));
    const secret = new TextEncoder().encode('s'.repeat(32));
    await expectRefused(
      new SignJWT({ htm: 'POST', htu: tokenUrl(), jti: 'hs256-proof' })
        .setProtectedHeader({ alg: 'HS256', typ: 'dpop+jwt', jwk: key.jwk })
        .setIssuedAt()
        .sign(secret),
    );
    const es384 = await dpopKey('ES384');
    await expectRefused(proofFor(es384));
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const privateJwk = await exportJWK(privateKey);
    await expectRefused(dpopProof({ ...key, privateKey, jwk: privateJwk }, { htm: 'POST', htu: tokenUrl() }));
    await expectRefused(proofFor(key, { header: { jwk: undefined } }));
    await expectRefused(proofFor(key, { header: { jwk: otherKey.jwk } }));
    await expectRefused(proofFor(key, { claims: { jti: undefined } }));
    await expectRefused(`${await proofFor(key)}, ${await proofFor(key)}`);
    await expectRefused('not.a.jwt');
  });

  it('spends no jti for a proof sent beside an unknown token (the nonce class cannot be filled that way)', async () => {
    const writes: string[] = [];
    const inner = createMemoryKeyValueStore();
    const storage: KeyValueStore = { ...inner, add: (k, value, ttl) => (writes.push(k), inner.add(k, value, ttl)) };
    const own = await startTestProvider({ clients: TEST_CLIENTS, storage });
    try {
      const junk = 'junk-token-0123456789abcdef';
      const response = await fetch(`${own.issuer}/api/me`, {
        headers: {
          authorization: `DPoP ${junk}`,
          dpop: await dpopProof(key, { htm: 'GET', htu: `${own.issuer}/api/me`, accessToken: junk }),
        },
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
      expect(writes.filter((k) => k.startsWith('oauth2:dpop-jti:'))).toEqual([]);
      // A proof at the token endpoint is remembered, so the check above could see one.
      await postForm(
        `${own.issuer}/oauth/token`,
        { grant_type: 'client_credentials', client_id: SERVICE.clientId, client_secret: SERVICE.clientSecret },
        { dpop: await dpopProof(key, { htm: 'POST', htu: `${own.issuer}/oauth/token` }) },
      );
      expect(writes.filter((k) => k.startsWith('oauth2:dpop-jti:'))).toHaveLength(1);
    } finally {
      await own.close();
    }
  });

  it('leaves nothing issued by a refused proof', async () => {
    const before = tp.countEvents('token_issued');
    await expectRefused(proofFor(key, { htm: 'PUT' }));
    expect(tp.countEvents('token_issued')).toBe(before);
  });
});

describe('DPoP: provider.requireOAuth2 on routes of another app', () => {
  it('checks htu against publicOrigin, the origin clients call that app at', async () => {
    const app = new Koa();
    // Listening first: the origin must be known to build the middleware, and Koa composes at callback().
    let handler: ReturnType<Koa['callback']> | undefined;
    const server = await listen((req, res) => void handler?.(req, res));
    try {
      const router = new Router();
      router.get('/reports', protocolErrors('resource', 'reports'), tp.provider.requireOAuth2({ publicOrigin: server.url }), (ctx) => {
        ctx.body = { clientId: (ctx.state.latchkey as ResourceAuth).clientId };
      });
      app.use(router.routes());
      handler = app.callback();
      const accessToken = String((await spaTokens()).body.access_token);
      const call = async (htu: string) =>
        fetch(`${server.url}/reports`, {
          headers: { authorization: `DPoP ${accessToken}`, dpop: await dpopProof(key, { htm: 'GET', htu, accessToken }) },
        });
      expect((await call(`${server.url}/reports`)).status).toBe(200);
      const issuerOrigin = await call(`${tp.issuer}/reports`);
      expect(issuerOrigin.status).toBe(401);
      expect(issuerOrigin.headers.get('www-authenticate')).toContain('error="invalid_dpop_proof"');
    } finally {
      await server.close();
    }
  });

  it('refuses a publicOrigin that is not an origin (configuration_error naming it)', () => {
    expect(() => tp.provider.requireOAuth2({ publicOrigin: 'https://app.example.test/path' })).toThrow(
      expect.objectContaining({ code: 'configuration_error', option: 'publicOrigin' }),
    );
  });
});

describe('DPoP: CORS for browser clients', () => {
  it('allows the DPoP request header and exposes DPoP-Nonce and WWW-Authenticate at the token endpoint, userinfo and /api/*', async () => {
    for (const path of ['/oauth/token', '/userinfo', '/api/me', '/api/echo']) {
      const preflight = await fetch(`${tp.issuer}${path}`, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://spa.example.test',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'dpop, authorization',
        },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('dpop');
      const bare = await fetch(`${tp.issuer}${path}`, {
        method: 'OPTIONS',
        headers: { origin: 'https://spa.example.test', 'access-control-request-method': 'POST' },
      });
      expect(bare.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('dpop');
    }
    const accessToken = String((await spaTokens()).body.access_token);
    const response = await fetch(`${tp.issuer}/api/me`, {
      headers: { origin: 'https://spa.example.test', authorization: `Bearer ${accessToken}` },
    });
    await response.arrayBuffer();
    const exposed = (response.headers.get('access-control-expose-headers') ?? '').toLowerCase();
    expect(exposed).toContain('dpop-nonce');
    expect(exposed).toContain('www-authenticate');
  });
});
