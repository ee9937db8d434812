import { isLatchkeyError } from '@latchkey/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuthClient, AuthError } from '@latchkey/browser';
import { createDPoP, type DPoPKey } from '@latchkey/browser/dpop';
import { listen } from '../../../test-support/listen.js';
import { authorize, logIn, rejection, startHarness, type Harness } from './harness.js';

let h: Harness;
afterEach(() => h.close());

const HOUR = 3600 * 1000;
const RESOURCE_SERVER = { id: 'dpop-rs', secret: 'dpop-rs-secret-0123456789' };

interface DPoPSession {
  accessToken: string;
  tokenType: string;
  refreshToken?: string;
  dpop?: DPoPKey;
}
const stored = (client: AuthClient) => h.storage.get<DPoPSession>(`${client.options.namespace}:session`);

/** Records the path and status of every request the page makes, until `stop()`. */
function recordRequests() {
  const seen: string[] = [];
  const original = globalThis.fetch;
  globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const response = await original(input, init);
    const url = new URL(input instanceof Request ? input.url : String(input));
    seen.push(`${url.pathname} ${response.status}`);
    return response;
  };
  return { seen, stop: () => void (globalThis.fetch = original) };
}

/**
 * A stand-in for the token endpoint that forwards to the provider's, with the `DPoP` header replaced by
 * `proof(header)` (or dropped for `null`): what a broken proof or a provider ignoring DPoP looks like.
 */
async function tokenEndpointProxy(proof: (header: string) => string | null) {
  return listen(async (req, res) => {
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-allow-headers', 'content-type, dpop');
    res.setHeader('access-control-expose-headers', 'dpop-nonce');
    if (req.method === 'OPTIONS') return void res.end();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const sent = proof(String(req.headers.dpop));
    const answer = await fetch(`${h.provider.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': String(req.headers['content-type']), ...(sent === null ? {} : { dpop: sent }) },
      body: Buffer.concat(chunks),
    });
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
    res.end(await answer.text());
  });
}

/** A provider that wants a DPoP nonce in every proof when `requireNonce`, plus a client allowed to introspect. */
async function start(requireNonce = false): Promise<void> {
  h = await startHarness({ dpop: { requireNonce } });
  await h.provider.provider.registerClient({
    clientId: RESOURCE_SERVER.id,
    clientSecret: RESOURCE_SERVER.secret,
    tokenEndpointAuthMethod: 'client_secret_basic',
    redirectUris: [],
    resourceServer: true,
  });
}

/** RFC 7662 at the provider, as the resource server would ask: is the token active, and bound to which key? */
async function introspect(token: string): Promise<{ active: boolean; token_type?: string; cnf?: { jkt: string } }> {
  const response = await fetch(`${h.provider.url}/oauth/introspect`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${btoa(`${RESOURCE_SERVER.id}:${RESOURCE_SERVER.secret}`)}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ token }),
  });
  return response.json();
}

describe('DPoP (RFC 9449) against the real provider', () => {
  it('logs in with a non-extractable ES256 key: the tokens are DPoP tokens bound to it, and /api/me takes them with a proof', async () => {
    await start();
    const client = h.client({ dpop: createDPoP() });
    await logIn(client);
    const session = (await stored(client))!;
    expect(session.tokenType).toBe('dpop');
    const key = session.dpop!;
    expect(key.keyPair.privateKey.extractable).toBe(false);
    expect(key.keyPair.privateKey.algorithm).toMatchObject({ name: 'ECDSA', namedCurve: 'P-256' });
    expect(await introspect(session.accessToken)).toMatchObject({ active: true, token_type: 'DPoP', cnf: { jkt: key.jkt } });
    expect(await introspect(session.refreshToken!)).toMatchObject({ active: true, cnf: { jkt: key.jkt } });

    const response = await client.fetch('/api/echo');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ sub: 'u-alice', headers: expect.arrayContaining(['authorization', 'dpop']) });
  });

  it('refreshes with the same key, and the refreshed token works with its proofs', async () => {
    await start();
    const client = h.client({ dpop: createDPoP() });
    await logIn(client);
    const before = (await stored(client))!;
    h.clock.advance(HOUR);
    const token = await client.getAccessToken();
    const after = (await stored(client))!;
    expect(token).not.toBe(before.accessToken);
    expect(after.dpop?.jkt).toBe(before.dpop?.jkt);
    expect(await introspect(after.accessToken)).toMatchObject({ active: true, cnf: { jkt: before.dpop?.jkt } });
    expect(h.provider.countEvents('token_issued', 'refresh_token')).toBe(1);
    expect((await client.fetch('/api/me')).status).toBe(200);
  });

  it('a provider that requires nonces: the first proof is refused once and sent again with the nonce, at the token endpoint and the resource', async () => {
    await start(true);
    const client = h.client({ dpop: createDPoP() });
    const login = recordRequests();
    await logIn(client).finally(login.stop);
    // The pushed request carries the first proof (it binds the code to the key): refused once for its
    // missing nonce, then sent again with it; the code exchange then has the nonce from the start.
    expect(login.seen.filter((request) => /^\/oauth\/(par|token) /.test(request))).toEqual([
      '/oauth/par 400',
      '/oauth/par 201',
      '/oauth/token 200',
    ]);
    expect(h.provider.countEvents('token_issued', 'authorization_code')).toBe(1);
    expect((await client.fetch('/api/me')).status).toBe(200);

    h.clock.advance(HOUR);
    await client.getAccessToken();
    // The handle kept the token endpoint's nonce: the refresh needed no retry.
    expect(h.provider.countEvents('token_request', 'refresh_token')).toBe(1);

    // A new nonce at the provider: the resource answers 401 use_dpop_nonce, fetch() retries once with it.
    h.provider.provider.rotateDpopNonce();
    h.provider.provider.rotateDpopNonce();
    const requests = recordRequests();
    const response = await client
      .fetch('/api/echo', { method: 'POST', body: '{"hello":"world"}', headers: { 'content-type': 'application/json' } })
      .finally(requests.stop);
    expect(requests.seen).toEqual(['/api/echo 401', '/api/echo 200']);
    expect(response.status).toBe(200);
    // The body went out again on the retry.
    expect(await response.json()).toMatchObject({ method: 'POST', body: { hello: 'world' }, sub: 'u-alice' });

    // Without pushed requests, the code exchange carries the first proof of a new login's key.
    const unpushed = h.client({ dpop: createDPoP(), pushedAuthorizationRequests: false });
    await logIn(unpushed);
    expect(h.provider.countEvents('token_request', 'authorization_code')).toBe(3);
    expect(h.provider.countEvents('token_issued', 'authorization_code')).toBe(2);
  });

  it('a stolen access token is refused without the key: as Bearer, as DPoP without a proof, and with a proof of another key', async () => {
    await start();
    const client = h.client({ dpop: createDPoP() });
    await logIn(client);
    const stolen = (await stored(client))!;
    expect((await client.fetch('/api/me')).status).toBe(200);

    const asBearer = await fetch(`${h.provider.url}/api/me`, { headers: { authorization: `Bearer ${stolen.accessToken}` } });
    expect(asBearer.status).toBe(401);
    const withoutProof = await fetch(`${h.provider.url}/api/me`, { headers: { authorization: `DPoP ${stolen.accessToken}` } });
    expect(withoutProof.status).toBe(401);
    // The thief's own key, with every proof oauth4webapi makes.
    const thief = createDPoP();
    const otherKey = await thief.createKey();
    const request = new Request(`${h.provider.url}/api/me`);
    const withOtherKey = await thief.fetch(request, { ...stolen, user: null, expiresAt: null, dpop: otherKey });
    expect(withOtherKey.status).toBe(401);
    expect(withOtherKey.headers.get('www-authenticate')).toMatch(/^DPoP /);
  });

  it('a refresh token used with another key is refused, and the session ends (invalid_grant)', async () => {
    await start();
    const client = h.client({ dpop: createDPoP() });
    await logIn(client);
    const session = (await stored(client))!;
    const otherKey = await createDPoP().createKey();
    await h.storage.set(`${client.options.namespace}:session`, { ...session, dpop: otherKey });
    h.clock.advance(HOUR);
    const error = await rejection<AuthError>(client.getAccessToken());
    expect(isLatchkeyError(error, 'login_required')).toBe(true);
    expect(error.oauthError).toBe('invalid_grant');
    expect(await stored(client)).toBeUndefined();
  });

  it('each login gets a new key; logout removes it', async () => {
    await start();
    const client = h.client({ dpop: createDPoP() });
    await logIn(client);
    const first = (await stored(client))!.dpop!.jkt;
    await client.logout({ revoke: false });
    expect(await stored(client)).toBeUndefined();
    await logIn(client);
    const second = (await stored(client))!.dpop!.jkt;
    expect(second).not.toBe(first);
  });

  it('two instances sharing a storage (two tabs) share the key and one refresh', async () => {
    await start(true);
    const first = h.client({ dpop: createDPoP() });
    const second = h.client({ dpop: createDPoP() });
    await logIn(first);
    const jkt = (await stored(first))!.dpop!.jkt;
    h.clock.advance(HOUR);
    const tokens = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? first : second).getAccessToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(h.provider.countEvents('token_issued', 'refresh_token')).toBe(1);
    expect(await introspect(tokens[0]!)).toMatchObject({ active: true, cnf: { jkt } });
    const responses = await Promise.all([first.fetch('/api/me'), second.fetch('/api/me')]);
    expect(responses.map((response) => response.status)).toEqual([200, 200]);
  });

  it('a proof the token endpoint refuses is dpop_rejected with its OAuth error, and no session is stored', async () => {
    await start();
    // Every proof arrives with its signature broken.
    const proxy = await tokenEndpointProxy((proof) => `${proof.slice(0, -4)}AAAA`);
    try {
      const client = h.client({ dpop: createDPoP(), endpoints: { authorization: `${h.provider.url}/oauth/authorize`, token: proxy.url } });
      const error = await rejection<AuthError>(client.handleCallback(await authorize(client)));
      expect(isLatchkeyError(error, 'dpop_rejected')).toBe(true);
      expect(error.oauthError).toBe('invalid_dpop_proof');
      expect(await stored(client)).toBeUndefined();
      expect(h.provider.countEvents('token_issued')).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  it('a Bearer answer to a request with a proof is dpop_unbound, and no session is stored', async () => {
    await start();
    // The proof never arrives, so the provider issues an unbound Bearer token.
    const proxy = await tokenEndpointProxy(() => null);
    try {
      const client = h.client({ dpop: createDPoP(), endpoints: { authorization: `${h.provider.url}/oauth/authorize`, token: proxy.url } });
      const error = await rejection<AuthError>(client.handleCallback(await authorize(client)));
      expect(isLatchkeyError(error, 'dpop_unbound')).toBe(true);
      expect(h.provider.countEvents('token_issued', 'authorization_code')).toBe(1);
      expect(await stored(client)).toBeUndefined();
    } finally {
      await proxy.close();
    }
  });

  it('a browser that cannot make an ES256 key: login() is dpop_unsupported and stores no transaction', async () => {
    await start();
    const client = h.client({ dpop: createDPoP() });
    // What a WebCrypto without P-256 answers (a DOMException NotSupportedError).
    const generateKey = vi.spyOn(crypto.subtle, 'generateKey').mockRejectedValue(new DOMException('unsupported', 'NotSupportedError'));
    try {
      const error = await rejection<AuthError>(client.login({ redirect: false }));
      expect(isLatchkeyError(error, 'dpop_unsupported')).toBe(true);
      expect(error.cause).toBeInstanceOf(DOMException);
    } finally {
      generateKey.mockRestore();
    }
    expect(await h.storage.get(`${client.options.namespace}:transactions`)).toBeUndefined();
  });

  it('without the option the same provider issues Bearer tokens and the session has no key', async () => {
    await start();
    const client = h.client();
    await logIn(client);
    const session = (await stored(client))!;
    expect(session.tokenType).toBe('bearer');
    expect(session.dpop).toBeUndefined();
    expect((await client.fetch('/api/me')).status).toBe(200);
  });
});
