import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  BFF_ERROR_HEADER,
  CSRF_HEADER,
  CSRF_HEADER_VALUE,
  LOGIN_ERROR_PARAM,
  LOGIN_ERROR_PROVIDER_PARAM,
  isLatchkeyError,
  type BffErrorBody,
  type BffErrorCode,
  type BffLogoutRequest,
  type BffLogoutResponse,
  type BffProvidersResponse,
  type BffSessionResponse,
} from '@latchkey/common';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { listen, type Listening } from '../../../test-support/listen.js';
import { createBffClient, type BffClientError } from '../src/bff.js';
import { bufferResponsesInHappyDom } from './happy-dom-fetch.js';
import { rejection, setPageUrl } from './harness.js';

bufferResponsesInHappyDom();

const SESSION: BffSessionResponse = {
  authenticated: true,
  user: { sub: 'u-alice', name: 'Alice Liddell' },
  connections: [{ provider: 'demo', protocol: 'oauth2', expiresAt: null, scopes: ['openid'] }],
};

/** A small server speaking the BFF contract of `@latchkey/common`, as the BFF does. */
function contractServer(log: { method: string; url: string; csrf: string | undefined; cookie: string | undefined; body?: string }[]) {
  const fail = (res: ServerResponse, status: number, code: BffErrorCode) => {
    const body: BffErrorBody = { error: { code, message: `failed: ${code}` } };
    res.writeHead(status, { 'content-type': 'application/json', [BFF_ERROR_HEADER]: code });
    res.end(JSON.stringify(body));
  };
  const json = (res: ServerResponse, body: unknown) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  /** `{ endSession: true }` from a signed-in browser answers with the provider's end-session URL; else 204. */
  const logout = async (req: IncomingMessage, res: ServerResponse) => {
    let text = '';
    for await (const chunk of req) text += String(chunk);
    log.at(-1)!.body = text;
    const ask = text === '' ? {} : (JSON.parse(text) as BffLogoutRequest);
    if (ask.endSession !== true || req.headers.cookie?.includes('sid=abc') !== true) return void res.writeHead(204).end();
    const body: BffLogoutResponse = { endSessionUrl: `https://op.example/logout?state=s&returnTo=${ask.returnTo}` };
    json(res, body);
  };
  return (req: IncomingMessage, res: ServerResponse) => {
    const csrf = req.headers[CSRF_HEADER] as string | undefined;
    log.push({ method: req.method!, url: req.url!, csrf, cookie: req.headers.cookie });
    const signedIn = req.headers.cookie?.includes('sid=abc') === true;
    const url = new URL(req.url!, 'http://bff.test');
    if (req.method === 'POST' && csrf !== CSRF_HEADER_VALUE) return fail(res, 403, 'csrf_rejected');
    if (url.pathname === '/bff/session') return json(res, signedIn ? SESSION : { authenticated: false, user: null, connections: [] });
    if (url.pathname === '/bff/providers') {
      const body: BffProvidersResponse = { providers: [{ name: 'demo', displayName: 'Demo', protocol: 'oauth2' }] };
      return json(res, body);
    }
    if (req.method === 'POST' && url.pathname === '/bff/logout') return logout(req, res);
    if (req.method === 'POST' && url.pathname === '/bff/disconnect/nope') return fail(res, 404, 'unknown_provider');
    if (req.method === 'POST' && url.pathname.startsWith('/bff/disconnect/')) return void res.writeHead(204).end();
    if (url.pathname.startsWith('/bff/api/demo/')) {
      if (!signedIn) return fail(res, 401, 'login_required');
      // An upstream API's own 401, passed through: no BFF error header.
      if (url.pathname.endsWith('/private')) {
        res.writeHead(401, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ error: { code: 'login_required', message: 'upstream says no' } }));
      }
      return json(res, { path: url.pathname, csrf });
    }
    res.writeHead(502, { 'content-type': 'text/html' });
    res.end('<h1>Bad gateway</h1>');
  };
}

let server: Listening;
let log: Parameters<typeof contractServer>[0];
beforeEach(async () => {
  log = [];
  server = await listen(contractServer(log));
  setPageUrl(`${server.url}/app/page?x=1`);
  document.cookie = 'sid=; max-age=0; path=/';
});
afterEach(() => server.close());

describe('createBffClient', () => {
  it('reads the session and the providers', async () => {
    document.cookie = 'sid=abc; path=/';
    const bff = createBffClient();
    expect(await bff.session()).toEqual(SESSION);
    expect((await bff.providers()).map((p) => p.name)).toEqual(['demo']);
  });

  it('login navigates to the login route with a same-origin returnTo', () => {
    const assign = vi.spyOn(window.location, 'assign').mockImplementation(() => undefined);
    try {
      const url = createBffClient({ baseUrl: '/bff/' }).login('demo', { returnTo: '/app/after?y=2' });
      expect(url).toBe(`/bff/login/demo?returnTo=${encodeURIComponent('/app/after?y=2')}`);
      expect(assign).toHaveBeenCalledWith(url);
      expect(createBffClient().login('demo', { redirect: false })).toBe(`/bff/login/demo?returnTo=${encodeURIComponent('/app/page?x=1')}`);
    } finally {
      assign.mockRestore();
    }
  });

  it('login refuses an off-site returnTo', () => {
    expect(() => createBffClient().login('demo', { returnTo: '//evil.example', redirect: false })).toThrow(
      expect.objectContaining({ code: 'invalid_return_to' }),
    );
  });

  it('fetch goes through the proxy with the CSRF header and the session cookie', async () => {
    document.cookie = 'sid=abc; path=/';
    const response = await createBffClient().fetch('demo', '/users/1?full=1', { method: 'POST', body: '{}' });
    expect(await response.json()).toEqual({ path: '/bff/api/demo/users/1', csrf: CSRF_HEADER_VALUE });
    expect(log.at(-1)?.cookie).toContain('sid=abc');
  });

  it('fetch throws the BFF own errors as BffClientError with the same code', async () => {
    const error = await rejection<BffClientError>(createBffClient().fetch('demo', 'users/1'));
    expect(error.code).toBe('login_required');
    expect(error.status).toBe(401);
  });

  it('fetch hands back an upstream error response untouched', async () => {
    document.cookie = 'sid=abc; path=/';
    const response = await createBffClient().fetch('demo', 'private');
    expect(response.status).toBe(401);
  });

  it('logout and disconnect POST with the CSRF header', async () => {
    const bff = createBffClient();
    await bff.logout();
    await bff.disconnect('demo');
    expect(log.map((entry) => [entry.method, entry.url, entry.csrf])).toEqual([
      ['POST', '/bff/logout', CSRF_HEADER_VALUE],
      ['POST', '/bff/disconnect/demo', CSRF_HEADER_VALUE],
    ]);
    const error = await rejection<BffClientError>(bff.disconnect('nope'));
    expect(error.code).toBe('unknown_provider');
  });

  it('logout({ endSession }) posts the request and navigates to the end-session URL the BFF answers with', async () => {
    const assign = vi.spyOn(window.location, 'assign').mockImplementation(() => undefined);
    try {
      document.cookie = 'sid=abc; path=/';
      const bff = createBffClient();
      await bff.logout({ endSession: true, returnTo: '/bye?x=1' });
      expect(log.at(-1)?.body).toBe(JSON.stringify({ endSession: true, returnTo: '/bye?x=1' }));
      expect(assign).toHaveBeenCalledWith('https://op.example/logout?state=s&returnTo=/bye?x=1');
      // Nothing to end at a provider: 204, no navigation.
      document.cookie = 'sid=; max-age=0; path=/';
      await bff.logout({ endSession: true });
      expect(log.at(-1)?.body).toBe(JSON.stringify({ endSession: true, returnTo: '/' }));
      expect(assign).toHaveBeenCalledTimes(1);
      // Without the option the request is as before: no body, no navigation.
      await bff.logout();
      expect(log.at(-1)?.body).toBe('');
      expect(assign).toHaveBeenCalledTimes(1);
      await expect(bff.logout({ endSession: true, returnTo: '//evil.example' })).rejects.toMatchObject({ code: 'invalid_return_to' });
    } finally {
      assign.mockRestore();
    }
  });

  it('an answer that is not the BFF (a proxy error page) is internal_error; no BFF at all is network_error', async () => {
    expect(isLatchkeyError(await rejection(createBffClient({ baseUrl: '/elsewhere' }).session()), 'internal_error')).toBe(true);
    const gone = await listen(() => undefined);
    await gone.close();
    setPageUrl(`${gone.url}/app`);
    expect(isLatchkeyError(await rejection(createBffClient().session()), 'network_error')).toBe(true);
  });

  it('takeLoginError reads the failed login from the URL and removes it from the address bar', () => {
    setPageUrl(`${server.url}/app/page?x=1&${LOGIN_ERROR_PARAM}=authorization_denied&${LOGIN_ERROR_PROVIDER_PARAM}=demo`);
    const bff = createBffClient();
    const error = bff.takeLoginError();
    expect(error?.code).toBe('authorization_denied');
    expect(error?.provider).toBe('demo');
    expect(location.href).toBe(`${server.url}/app/page?x=1`);
    expect(bff.takeLoginError()).toBeNull();
  });
});
