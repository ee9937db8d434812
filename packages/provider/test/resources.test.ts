import Router from '@koa/router';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from '../../../test-support/listen.js';
import { startTestProvider, type TestProvider } from '../../../test-support/provider.js';
import { protocolErrors, type ResourceAuth } from '@latchkey/provider';
import { SERVICE, SPA, TEST_CLIENTS, obtainCode, postForm, redeemAsSpa } from './support.js';

let tp: TestProvider;
let clock = Date.now();
beforeAll(async () => {
  tp = await startTestProvider({ clients: TEST_CLIENTS, now: () => clock });
});
afterAll(() => tp.close());

async function spaAccessToken(scope = 'openid profile email'): Promise<string> {
  const { code, verifier } = await obtainCode(tp, SPA, { scope });
  return String((await redeemAsSpa(tp, code, verifier)).body.access_token);
}

async function serviceToken(scope: string): Promise<string> {
  const response = await postForm(`${tp.issuer}/oauth/token`, {
    grant_type: 'client_credentials',
    client_id: SERVICE.clientId,
    client_secret: SERVICE.clientSecret,
    scope,
  });
  return String(response.body.access_token);
}

async function call(path: string, init: RequestInit = {}) {
  const response = await fetch(`${tp.issuer}${path}`, init);
  const text = await response.text();
  return {
    status: response.status,
    challenge: response.headers.get('www-authenticate'),
    body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
  };
}

describe('bearer token errors (RFC 6750 section 3)', () => {
  it('answers a request without a token with a bare challenge', async () => {
    const response = await call('/api/me');
    expect(response.status).toBe(401);
    expect(response.challenge).toBe(`Bearer realm="${tp.issuer}"`);
    expect(response.body.error).toBe('invalid_token');
  });

  it('answers an unknown token with invalid_token', async () => {
    const response = await call('/api/me', { headers: { authorization: 'Bearer not-a-real-token' } });
    expect(response.status).toBe(401);
    expect(response.challenge).toContain('error="invalid_token"');
    expect(response.body.error).toBe('invalid_token');
  });

  it('answers a malformed Authorization header with invalid_token', async () => {
    const response = await call('/api/me', { headers: { authorization: 'Bearer two words' } });
    expect(response.status).toBe(401);
    expect(response.body.error).toBe('invalid_token');
  });

  it('answers an expired token with invalid_token', async () => {
    const token = await spaAccessToken();
    clock += 3601_000;
    try {
      expect((await call('/api/me', { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
    } finally {
      clock -= 3601_000;
    }
  });

  it('answers a token without the needed scope with 403 insufficient_scope', async () => {
    const token = await spaAccessToken('profile');
    const response = await call('/userinfo', { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(403);
    expect(response.challenge).toContain('error="insufficient_scope"');
    expect(response.challenge).toContain('scope="openid"');
    expect(response.body.error).toBe('insufficient_scope');
  });

  it('ignores a token in the query unless bearerInQuery is on', async () => {
    const token = await spaAccessToken();
    const response = await call(`/api/me?access_token=${token}`);
    expect(response.status).toBe(401);
    expect(response.challenge).toBe(`Bearer realm="${tp.issuer}"`);
  });
});

describe('/api/echo', () => {
  it('reflects method, query, body, subject and the header names that arrived', async () => {
    const token = await spaAccessToken();
    const response = await call('/api/echo?page=2', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', cookie: 'sid=abc', 'x-custom': '1' },
      body: JSON.stringify({ hello: 'world' }),
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ method: 'POST', query: { page: '2' }, body: { hello: 'world' }, sub: 'u-alice' });
    expect(response.body.headers).toEqual(expect.arrayContaining(['authorization', 'cookie', 'x-custom']));
  });

  it('answers other methods too, with a form body', async () => {
    const token = await spaAccessToken();
    const response = await call('/api/echo', {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1&b=two+words',
    });
    expect(response.body).toMatchObject({ method: 'PUT', body: { a: '1', b: 'two words' }, sub: 'u-alice' });
  });

  it('is protected', async () => {
    expect((await call('/api/echo', { method: 'POST' })).status).toBe(401);
  });
});

describe('provider.requireOAuth2 on your own routes', () => {
  it('sets ctx.state.latchkey and enforces scope', async () => {
    const router = new Router();
    router.get('/reports', protocolErrors('resource', 'reports'), tp.provider.requireOAuth2({ scope: 'reports:write' }), (ctx) => {
      const auth = ctx.state.latchkey as ResourceAuth;
      ctx.body = { clientId: auth.clientId, user: auth.user, scopes: auth.scopes };
    });
    const app = new Koa();
    app.use(router.routes());
    const server = await listen(app.callback());
    try {
      const read = await fetch(`${server.url}/reports`, { headers: { authorization: `Bearer ${await serviceToken('reports:read')}` } });
      expect(read.status).toBe(403);
      expect(read.headers.get('www-authenticate')).toContain('scope="reports:write"');
      const write = await fetch(`${server.url}/reports`, { headers: { authorization: `Bearer ${await serviceToken('reports:write')}` } });
      expect(await write.json()).toEqual({ clientId: SERVICE.clientId, user: null, scopes: ['reports:write'] });
    } finally {
      await server.close();
    }
  });

  it('lets errors from the protected handler pass through instead of turning them into 401s', async () => {
    const router = new Router();
    router.get('/boom', protocolErrors('resource', 'r'), tp.provider.requireOAuth2(), () => {
      throw new Error('downstream failure');
    });
    const app = new Koa();
    app.silent = true;
    app.use(router.routes());
    const server = await listen(app.callback());
    try {
      const response = await fetch(`${server.url}/boom`, { headers: { authorization: `Bearer ${await serviceToken('reports:read')}` } });
      expect(response.status).toBe(500);
      const body = await response.text();
      expect(JSON.parse(body)).toMatchObject({ error: 'server_error' });
      expect(body).not.toContain('downstream failure');
    } finally {
      await server.close();
    }
  });
});

describe('with bearerInQuery and bearerInBody', () => {
  it('accepts the token in the query or a form body, but never in two places', async () => {
    const other = await startTestProvider({ clients: TEST_CLIENTS, features: { bearerInQuery: true, bearerInBody: true } });
    try {
      const { code, verifier } = await obtainCode(other, SPA);
      const token = String((await redeemAsSpa(other, code, verifier)).body.access_token);
      expect((await fetch(`${other.issuer}/api/me?access_token=${token}`)).status).toBe(200);
      const inBody = await fetch(`${other.issuer}/api/echo`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ access_token: token, note: 'hi' }),
      });
      expect(inBody.status).toBe(200);
      expect(((await inBody.json()) as { body: unknown }).body).toMatchObject({ note: 'hi' });
      const twice = await fetch(`${other.issuer}/api/me?access_token=${token}`, { headers: { authorization: `Bearer ${token}` } });
      expect(twice.status).toBe(400);
      expect(((await twice.json()) as { error: string }).error).toBe('invalid_request');
    } finally {
      await other.close();
    }
  });
});

describe('CORS for browser clients', () => {
  it('answers preflights at the token endpoint and APIs, but not at the login page', async () => {
    const preflight = await fetch(`${tp.issuer}/oauth/token`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    const page = await fetch(`${tp.issuer}/oauth/authorize?client_id=nobody`, { headers: { origin: 'http://localhost:5173' } });
    expect(page.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('/api/me protocol dispatch', () => {
  it('hands OAuth 1 signed requests to the OAuth 1 verifier, not to the bearer check', async () => {
    const header =
      'OAuth oauth_consumer_key="nobody", oauth_token="t", oauth_signature_method="HMAC-SHA1", oauth_timestamp="1", oauth_nonce="n", oauth_signature="x"';
    const response = await fetch(`${tp.issuer}/api/me`, { headers: { authorization: header } });
    await response.arrayBuffer();
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    expect(response.headers.get('www-authenticate') ?? '').not.toMatch(/^Bearer/);
  });
});
