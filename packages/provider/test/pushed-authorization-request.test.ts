import * as oauth from 'oauth4webapi';
import { createMemoryKeyValueStore } from '@latchkey/provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { SPA, TEST_CLIENTS, WEB, authorize, basic, postForm, redeemAsSpa, type RawResponse } from './support.js';

// RFC 9126: pushed authorization requests.
const STRICT = { clientId: 'strict', clientSecret: 'strict-secret-0123456789', redirectUri: 'https://strict.example.test/cb' } as const;
const ADMIN_TOKEN = 'admin-token-0123456789abcdef';

let tp: TestProvider;
let clock = Date.now();
beforeAll(async () => {
  tp = await startTestProvider({
    clients: [...TEST_CLIENTS, { ...STRICT, redirectUris: [STRICT.redirectUri], requirePushedAuthorizationRequests: true }],
    now: () => clock,
    adminToken: ADMIN_TOKEN,
  });
});
afterAll(() => tp.close());

const parUrl = () => `${tp.issuer}/oauth/par`;

/** A code request's parameters with PKCE S256, as pushed. */
async function codeRequest(client: { clientId: string; redirectUri: string }, extra: Record<string, string> = {}) {
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const form: Record<string, string> = {
    client_id: client.clientId,
    redirect_uri: client.redirectUri,
    response_type: 'code',
    scope: 'openid profile',
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...extra,
  };
  return { form, verifier, state };
}

function pushAsWeb(form: Record<string, string>): Promise<RawResponse> {
  return postForm(parUrl(), form, { authorization: basic(WEB.clientId, WEB.clientSecret) });
}

/** The pushed request's `request_uri`, after checking the 201 answer (RFC 9126 section 2.2). */
function requestUriOf(response: RawResponse): string {
  expect(response.status).toBe(201);
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(response.body.expires_in).toBe(60);
  const requestUri = String(response.body.request_uri);
  expect(requestUri).toMatch(/^urn:ietf:params:oauth:request_uri:[A-Za-z0-9_-]{43}$/);
  return requestUri;
}

function authorizeUrl(clientId: string, requestUri: string, extra: Record<string, string> = {}): URL {
  const url = new URL(`${tp.issuer}/oauth/authorize`);
  url.search = new URLSearchParams({ client_id: clientId, request_uri: requestUri, ...extra }).toString();
  return url;
}

async function get(url: URL) {
  const response = await fetch(url, { redirect: 'manual' });
  return { status: response.status, location: response.headers.get('location'), body: await response.text() };
}

function expectJsonError(response: RawResponse, code: string, status = 400): void {
  expect(response.body.error).toBe(code);
  expect(response.status).toBe(status);
  expect(response.headers.get('cache-control')).toBe('no-store');
  expect(response.body).not.toHaveProperty('request_uri');
}

/** An error page: no redirect to an untrusted redirect URI and no login form. */
function expectErrorPage(response: { status: number; location: string | null; body: string }): void {
  expect(response.status).toBe(400);
  expect(response.location).toBeNull();
  expect(response.body).not.toContain('<form');
}

describe('discovery (RFC 9126 section 5)', () => {
  it('advertises the endpoint in both documents, and no provider-wide requirement', async () => {
    for (const path of ['/.well-known/openid-configuration', '/.well-known/oauth-authorization-server']) {
      const metadata = (await (await fetch(`${tp.issuer}${path}`)).json()) as Record<string, unknown>;
      expect(metadata.pushed_authorization_request_endpoint).toBe(parUrl());
      expect(metadata).not.toHaveProperty('require_pushed_authorization_requests');
    }
  });
});

describe('a pushed request through consent to the code exchange', () => {
  it('works for a confidential client, and the front channel adds nothing to the pushed parameters', async () => {
    const { form, verifier, state } = await codeRequest(WEB);
    const requestUri = requestUriOf(await pushAsWeb(form));
    // Section 4: only client_id and request_uri count; these must be ignored.
    const callback = await authorize({
      url: authorizeUrl(WEB.clientId, requestUri, { state: 'front-channel', scope: 'openid email', redirect_uri: 'https://evil.test/cb' }),
      verifier,
      state,
      nonce: '',
    });
    expect(callback.get('state')).toBe(state);
    expect(callback.get('iss')).toBe(tp.issuer);
    const code = callback.get('code');
    expect(code).not.toBeNull();
    const token = await postForm(
      `${tp.issuer}/oauth/token`,
      { grant_type: 'authorization_code', code: code ?? '', redirect_uri: WEB.redirectUri, code_verifier: verifier },
      { authorization: basic(WEB.clientId, WEB.clientSecret) },
    );
    expect(token.status).toBe(200);
    expect(token.body.scope).toBe('openid profile');
    expect(typeof token.body.id_token).toBe('string');
  });

  it('works for a public client, which authenticates with client_id alone (method none)', async () => {
    const { form, verifier } = await codeRequest(SPA);
    const requestUri = requestUriOf(await postForm(parUrl(), form));
    const callback = await authorize({ url: authorizeUrl(SPA.clientId, requestUri), verifier, state: '', nonce: '' });
    const response = await redeemAsSpa(tp, callback.get('code') ?? '', verifier);
    expect(response.status).toBe(200);
  });

  it('accepts client_secret_basic without client_id in the body', async () => {
    const { form } = await codeRequest(WEB);
    const { client_id: _omitted, ...withoutClientId } = form;
    requestUriOf(await pushAsWeb(withoutClientId));
  });
});

describe('the request_uri at the authorization endpoint (RFC 9126 section 4)', () => {
  it('is single use', async () => {
    const { form } = await codeRequest(WEB);
    const url = authorizeUrl(WEB.clientId, requestUriOf(await pushAsWeb(form)));
    expect((await get(url)).status).toBe(200);
    expectErrorPage(await get(url));
  });

  it('expires after expires_in seconds', async () => {
    const { form } = await codeRequest(WEB);
    const url = authorizeUrl(WEB.clientId, requestUriOf(await pushAsWeb(form)));
    clock += 61_000;
    expectErrorPage(await get(url));
  });

  it('is bound to the client that pushed it, and a wrong client uses it up', async () => {
    const { form } = await codeRequest(WEB);
    const requestUri = requestUriOf(await pushAsWeb(form));
    expectErrorPage(await get(authorizeUrl(SPA.clientId, requestUri)));
    expectErrorPage(await get(authorizeUrl(WEB.clientId, requestUri)));
  });

  it('refuses an unknown one, one without client_id, and a request_uri not made here', async () => {
    expectErrorPage(await get(authorizeUrl(WEB.clientId, 'urn:ietf:params:oauth:request_uri:nothing-pushed-here')));
    const { form } = await codeRequest(WEB);
    const requestUri = requestUriOf(await pushAsWeb(form));
    const withoutClientId = new URL(`${tp.issuer}/oauth/authorize`);
    withoutClientId.searchParams.set('request_uri', requestUri);
    expectErrorPage(await get(withoutClientId));
    expectErrorPage(await get(authorizeUrl(WEB.clientId, 'https://app.example.test/request.jwt')));
  });
});

describe('the pushed authorization request endpoint (RFC 9126 section 2)', () => {
  it('authenticates the client as the token endpoint does', async () => {
    const { form } = await codeRequest(WEB);
    const wrongSecret = await postForm(parUrl(), form, { authorization: basic(WEB.clientId, 'wrong-secret-0123456789') });
    expectJsonError(wrongSecret, 'invalid_client', 401);
    expect(wrongSecret.headers.get('www-authenticate')).toMatch(/^Basic /);
    // A confidential client without its secret, and with the wrong method.
    expectJsonError(await postForm(parUrl(), form), 'invalid_client', 401);
    expectJsonError(await postForm(parUrl(), { ...form, client_secret: WEB.clientSecret }), 'invalid_client', 401);
    // Basic naming another client than the body's client_id.
    const spaForm = (await codeRequest(SPA)).form;
    expectJsonError(await pushAsWeb(spaForm), 'invalid_client', 401);
    // No client at all.
    const { client_id: _omitted, ...anonymous } = form;
    expectJsonError(await postForm(parUrl(), anonymous), 'invalid_client', 401);
  });

  it('validates the parameters as the authorization endpoint does, answering JSON instead of redirecting', async () => {
    expectJsonError(await pushAsWeb((await codeRequest(WEB, { redirect_uri: 'https://evil.test/cb' })).form), 'invalid_request');
    expectJsonError(await pushAsWeb((await codeRequest(WEB, { scope: 'openid admin' })).form), 'invalid_scope');
    expectJsonError(await pushAsWeb((await codeRequest(WEB, { response_type: 'token' })).form), 'unsupported_response_type');
    const { code_challenge: _challenge, code_challenge_method: _method, ...withoutPkce } = (await codeRequest(SPA)).form;
    expectJsonError(await postForm(parUrl(), withoutPkce), 'invalid_request');
  });

  it('refuses a request_uri inside a pushed request (section 2.1)', async () => {
    const { form } = await codeRequest(WEB);
    const requestUri = requestUriOf(await pushAsWeb(form));
    expectJsonError(await pushAsWeb({ ...form, request_uri: requestUri }), 'invalid_request');
  });

  it('refuses a body that is not a form', async () => {
    const response = await fetch(parUrl(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: basic(WEB.clientId, WEB.clientSecret) },
      body: '{}',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toBe('invalid_request');
  });
});

describe('requirePushedAuthorizationRequests (RFC 9126 sections 5 and 6)', () => {
  it("refuses such a client's plain authorization request, and accepts its pushed one", async () => {
    const { form, verifier } = await codeRequest(STRICT);
    const plain = new URL(`${tp.issuer}/oauth/authorize`);
    plain.search = new URLSearchParams(form).toString();
    expectErrorPage(await get(plain));
    const pushed = await postForm(parUrl(), form, { authorization: basic(STRICT.clientId, STRICT.clientSecret) });
    const callback = await authorize({ url: authorizeUrl(STRICT.clientId, requestUriOf(pushed)), verifier, state: '', nonce: '' });
    expect(callback.get('code')).not.toBeNull();
  });

  it('is a field of the registration API, checked as a boolean', async () => {
    const register = (body: Record<string, unknown>) =>
      postForm(`${tp.issuer}/clients`, JSON.stringify(body), {
        'content-type': 'application/json',
        authorization: `Bearer ${ADMIN_TOKEN}`,
      });
    const created = await register({ redirectUris: ['https://new.example.test/cb'], requirePushedAuthorizationRequests: true });
    expect(created.status).toBe(201);
    expect(created.body.requirePushedAuthorizationRequests).toBe(true);
    expectJsonError(
      await register({ redirectUris: ['https://new.example.test/cb'], requirePushedAuthorizationRequests: 'yes' }),
      'invalid_request',
    );
  });

  it('applies to every client when the provider requires it, and discovery says so', async () => {
    const strict = await startTestProvider({ clients: TEST_CLIENTS, requirePushedAuthorizationRequests: true });
    try {
      const metadata = (await (await fetch(`${strict.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
      expect(metadata.require_pushed_authorization_requests).toBe(true);
      const { form } = await codeRequest(SPA);
      const plain = new URL(`${strict.issuer}/oauth/authorize`);
      plain.search = new URLSearchParams(form).toString();
      expectErrorPage(await get(plain));
      const pushed = await postForm(`${strict.issuer}/oauth/par`, form);
      expect(pushed.status).toBe(201);
      expect(
        (
          await get(
            new URL(
              `${strict.issuer}/oauth/authorize?${new URLSearchParams({ client_id: SPA.clientId, request_uri: String(pushed.body.request_uri) })}`,
            ),
          )
        ).status,
      ).toBe(200);
    } finally {
      await strict.close();
    }
  });
});

describe('storage (pending class)', () => {
  it('keeps pushed requests in the pending class: a flood of pushes evicts the oldest and never fills the durable bound', async () => {
    const storage = createMemoryKeyValueStore({ maxEntries: 20, maxPendingEntries: 2 });
    const bounded = await startTestProvider({ clients: TEST_CLIENTS, storage });
    try {
      const uris: string[] = [];
      for (let i = 0; i < 25; i += 1) {
        const pushed = await postForm(`${bounded.issuer}/oauth/par`, (await codeRequest(SPA)).form);
        expect(pushed.status).toBe(201);
        uris.push(String(pushed.body.request_uri));
      }
      const at = (requestUri: string) =>
        new URL(`${bounded.issuer}/oauth/authorize?${new URLSearchParams({ client_id: SPA.clientId, request_uri: requestUri })}`);
      expectErrorPage(await get(at(uris[0] ?? '')));
      expect((await get(at(uris[24] ?? ''))).status).toBe(200);
    } finally {
      await bounded.close();
    }
  });
});
