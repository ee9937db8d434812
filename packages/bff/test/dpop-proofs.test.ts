import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { calculateJwkThumbprint, EmbeddedJWK, exportJWK, generateKeyPair, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError } from '@latchkey/common';
import { OAuthRegistry, type OAuth2Token } from '@latchkey/bff';
import { listen } from '../../../test-support/listen.js';
import { startBff, type TestBff } from './harness.js';

/** What the resource server saw of one request. */
interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  body: string;
  /** Why the proof was refused, or `ok`. */
  verdict: string;
  jti?: string;
}

/**
 * A DPoP resource server (RFC 9449 section 7): it verifies every proof with jose against the token's
 * `cnf.jkt` and demands its current nonce (section 9), answering `use_dpop_nonce` with a new one.
 */
async function startResourceServer(expected: { accessToken: string; jkt: string }) {
  const seen: Seen[] = [];
  const jtis = new Set<string>();
  let nonce = randomBytes(16).toString('base64url');
  const read = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
  const check = async (req: IncomingMessage, url: URL): Promise<{ verdict: string; jti?: string }> => {
    const [scheme, token] = (req.headers.authorization ?? '').split(' ');
    if (scheme !== 'DPoP' || token !== expected.accessToken) return { verdict: 'authorization' };
    const proof = req.headers.dpop;
    if (typeof proof !== 'string') return { verdict: 'no proof' };
    try {
      const { payload, protectedHeader } = await jwtVerify(proof, EmbeddedJWK, { typ: 'dpop+jwt', algorithms: ['ES256'], maxTokenAge: 60 });
      const jwk = protectedHeader.jwk ?? {};
      if ('d' in jwk) return { verdict: 'private key in header' };
      if ((await calculateJwkThumbprint(jwk)) !== expected.jkt) return { verdict: 'jkt' };
      if (payload.htm !== req.method) return { verdict: 'htm' };
      if (payload.htu !== `${url.origin}${url.pathname}`) return { verdict: 'htu' };
      if (payload.ath !== createHash('sha256').update(token).digest('base64url')) return { verdict: 'ath' };
      if (typeof payload.jti !== 'string' || jtis.has(payload.jti)) return { verdict: 'jti' };
      jtis.add(payload.jti);
      return { verdict: payload.nonce === nonce ? 'ok' : 'nonce', jti: payload.jti };
    } catch (error) {
      return { verdict: `invalid: ${(error as Error).message}` };
    }
  };
  const server = await listen((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      url.host = req.headers.host ?? '';
      const body = await read(req);
      const { verdict, jti } = await check(req, url);
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        body,
        verdict,
        ...(jti ? { jti } : {}),
      });
      res.setHeader('content-type', 'application/json');
      if (verdict === 'nonce') {
        res.statusCode = 401;
        res.setHeader('www-authenticate', 'DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"');
        res.setHeader('dpop-nonce', nonce);
        return void res.end('{"error":"use_dpop_nonce"}');
      }
      res.statusCode = verdict === 'ok' ? 200 : 401;
      res.end(JSON.stringify({ verdict, method: req.method, body }));
    })();
  });
  return {
    url: server.url,
    seen,
    /** The server moves to a new nonce, as servers do from time to time. */
    rotateNonce: () => void (nonce = randomBytes(16).toString('base64url')),
    close: () => server.close(),
  };
}

describe('DPoP proofs on API calls (RFC 9449 section 7 and 9)', () => {
  let resource: Awaited<ReturnType<typeof startResourceServer>>;
  let bff: TestBff;
  let token: OAuth2Token;

  beforeAll(async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const { x = '', y = '', d = '' } = await exportJWK(privateKey);
    const dpopKey = { kty: 'EC', crv: 'P-256', x, y, d } as const;
    token = { kind: 'oauth2', accessToken: randomBytes(24).toString('base64url'), tokenType: 'dpop', scopes: [], dpopKey };
    resource = await startResourceServer({
      accessToken: token.accessToken,
      jkt: await calculateJwkThumbprint({ kty: 'EC', crv: 'P-256', x, y }),
    });
    bff = await startBff({
      // The app's own store of tokens, DPoP key included, read for calls without a BFF session.
      registry: { fetchToken: async () => token },
      register(registry) {
        registry.register('api', {
          clientId: 'app',
          clientSecret: 'secret',
          authorizeUrl: `${resource.url}/authorize`,
          accessTokenUrl: `${resource.url}/token`,
          apiBaseUrl: `${resource.url}/v1/`,
          clientKwargs: { dpop: true },
        });
      },
    });
  });
  afterAll(async () => {
    await bff?.close();
    await resource?.close();
  });

  it('signs each call for its method and URL (no query), learns the nonce from one use_dpop_nonce answer, and replays the body', async () => {
    const browser = bff.browser();
    const from = resource.seen.length;
    const first = await browser.fetch('/bff/api/api/items?page=2', { csrf: true });
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ verdict: 'ok' });
    // One refusal for the missing nonce, then the same call with it.
    expect(resource.seen.slice(from).map((request) => [request.url, request.verdict])).toEqual([
      ['/v1/items?page=2', 'nonce'],
      ['/v1/items?page=2', 'ok'],
    ]);
    expect(resource.seen.at(-1)?.authorization).toBe(`DPoP ${token.accessToken}`);

    // The nonce is remembered for the origin: the next calls go through at once, a POST body included.
    const posted = await browser.fetch('/bff/api/api/items', {
      method: 'POST',
      csrf: true,
      headers: { 'content-type': 'application/json' },
      body: '{"name":"a"}',
    });
    expect(posted.status).toBe(200);
    expect(await posted.json()).toEqual({ verdict: 'ok', method: 'POST', body: '{"name":"a"}' });
    const own = await bff.registry.client('api').delete('items/1');
    expect(own.status).toBe(200);
    await own.body.dump();
    expect(resource.seen.slice(from + 2).map((request) => request.verdict)).toEqual(['ok', 'ok']);
  });

  it('sends a body again with the new nonce when the server moves to one', async () => {
    resource.rotateNonce();
    const from = resource.seen.length;
    const response = await bff.browser().fetch('/bff/api/api/items', {
      method: 'PUT',
      csrf: true,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=b',
    });
    expect(response.status).toBe(200);
    const requests = resource.seen.slice(from);
    expect(requests.map((request) => [request.method, request.body, request.verdict])).toEqual([
      ['PUT', 'name=b', 'nonce'],
      ['PUT', 'name=b', 'ok'],
    ]);
    // A fresh proof for the retry, not the first one again.
    expect(requests[0]?.jti).not.toBe(requests[1]?.jti);
  });

  it('passes on a second use_dpop_nonce answer instead of asking a third time', async () => {
    // A server that moves to a new nonce at every request: each proof carries a stale one.
    let calls = 0;
    const server = await listen((req, res) => {
      calls += 1;
      req.resume();
      res.statusCode = 401;
      res.setHeader('www-authenticate', 'DPoP error="use_dpop_nonce"');
      res.setHeader('dpop-nonce', randomBytes(8).toString('hex'));
      res.end();
    });
    const registry = new OAuthRegistry({ env: {}, dangerouslyAllowInsecureHttp: true, fetchToken: async () => token });
    registry.register('always', {
      clientId: 'app',
      clientSecret: 'secret',
      authorizeUrl: `${server.url}/authorize`,
      accessTokenUrl: `${server.url}/token`,
      apiBaseUrl: `${server.url}/`,
      clientKwargs: { dpop: true },
    });
    try {
      const answer = await registry.client('always').get('x', { token });
      expect(answer.status).toBe(401);
      await answer.body.dump();
      expect(calls).toBe(2);
    } finally {
      await registry.close();
      await server.close();
    }
  });
});

describe('DPoP configuration', () => {
  const base = { clientId: 'app', clientSecret: 'secret', authorizeUrl: 'https://idp.example/a', accessTokenUrl: 'https://idp.example/t' };
  const option = (register: () => void) => {
    try {
      register();
    } catch (error) {
      return error instanceof ConfigurationError ? error.option : 'not a ConfigurationError';
    }
    return undefined;
  };

  it('refuses dpop with a token outside the Authorization header, for OAuth 1, and as a non-boolean; reads it from the environment', () => {
    const registry = new OAuthRegistry({ env: { ENV_CLIENT_KWARGS: '{"dpop":true,"tokenPlacement":"query"}' } });
    expect(option(() => registry.register('q', { ...base, clientKwargs: { dpop: true, tokenPlacement: 'query' } }))).toBe(
      'clientKwargs.tokenPlacement',
    );
    expect(option(() => registry.register('o', { ...base, requestTokenUrl: 'https://idp.example/r', clientKwargs: { dpop: true } }))).toBe(
      'clientKwargs.dpop',
    );
    expect(option(() => registry.register('s', { ...base, clientKwargs: { dpop: 'yes' as unknown as boolean } }))).toBe(
      'clientKwargs.dpop',
    );
    expect(option(() => registry.register('env', base))).toBe('clientKwargs.tokenPlacement');
    expect(option(() => registry.register('header', { ...base, clientKwargs: { dpop: true, tokenPlacement: 'header' } }))).toBeUndefined();
  });
});
