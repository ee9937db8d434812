import { createHash, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { expect } from 'vitest';
import type { ClientConfig } from '@latchkey/bff';
import { listen } from '../../../../test-support/listen.js';
import type { Browser } from '../harness.js';

/**
 * A local stand-in for a well-known provider: an authorization endpoint that approves at once, a
 * token endpoint that checks what the real one checks (client authentication as the provider wants
 * it, single-use codes, redirect URI, PKCE) and answers in the provider's documented shape, and API
 * routes answering the documented JSON. Paths are the provider's own, so a preset pointed at the
 * stand-in (`pointAt`) exercises its real paths.
 */

/** One HTTP answer: a JSON value, or a raw body with its content type. */
export type Answer =
  | { status?: number; json: unknown; headers?: Record<string, string> }
  | { status?: number; body: string; contentType: string };

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  form: URLSearchParams;
}

export interface StandInOptions {
  clientId: string;
  clientSecret: string;
  authorizePath: string;
  tokenPath: string;
  /** How the token endpoint wants client credentials. `either` takes Basic or the form body. */
  clientAuth: 'client_secret_basic' | 'client_secret_post' | 'either';
  /**
   * How the token endpoint reads Basic credentials: `form` decodes them (RFC 6749 section 2.3.1),
   * `none` compares them as sent, as Reddit and X do. Default `form`.
   */
  basicDecoding?: 'form' | 'none';
  /** Refuse a code exchange without a correct PKCE `code_verifier`. Default false (ignored when absent). */
  requirePkce?: boolean;
  /** The documented token answer (code exchange and refresh). */
  token: (request: RecordedRequest) => Answer;
  /** How the provider refuses a bad code or refresh token (e.g. GitHub's HTTP 200 error). */
  refuse: (reason: 'invalid_grant' | 'invalid_client') => Answer;
  /** The access token the API accepts (the one in `token`'s answer). */
  accessToken: string;
  /** API routes, keyed `GET /user`. */
  api: Record<string, (request: RecordedRequest) => Answer>;
  /** A check the provider makes on API calls (e.g. a required User-Agent): the refusal, or undefined to pass. */
  checkApiRequest?: (request: RecordedRequest) => Answer | undefined;
}

export interface StandIn {
  url: string;
  requests: RecordedRequest[];
  /** Token endpoint requests by grant type. */
  tokenRequests(grantType?: string): RecordedRequest[];
  /** Make the next authorization codes unusable (the provider will refuse them). */
  spoilCodes(spoil: boolean): void;
  /** Forget every refresh token issued so far (the provider will refuse them). */
  forgetRefreshTokens(): void;
  close(): Promise<void>;
}

interface PendingCode {
  redirectUri: string;
  challenge: string | undefined;
}

const readBody = (request: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });

/** RFC 6749 section 2.3.1: Basic credentials are form-encoded before base64; some servers skip the decoding. */
function basicCredentials(header: string | undefined, decoding: 'form' | 'none'): { id: string; secret: string } | undefined {
  if (header === undefined || !/^basic /i.test(header)) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  const formDecode = (value: string) => (decoding === 'none' ? value : decodeURIComponent(value.replace(/\+/g, ' ')));
  return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
}

export async function startStandIn(options: StandInOptions): Promise<StandIn> {
  const requests: RecordedRequest[] = [];
  const codes = new Map<string, PendingCode>();
  const refreshTokens = new Set<string>();
  let spoiled = false;

  const server = await listen(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://stand-in.invalid');
    const raw = await readBody(req);
    const isForm = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      form: new URLSearchParams(isForm ? raw : ''),
    };
    requests.push(request);

    const send = (answer: Answer) => {
      res.statusCode = answer.status ?? 200;
      if ('json' in answer) {
        for (const [name, value] of Object.entries(answer.headers ?? {})) res.setHeader(name, value);
        res.setHeader('content-type', 'application/json; charset=utf-8');
        res.end(JSON.stringify(answer.json));
      } else {
        res.setHeader('content-type', answer.contentType);
        res.end(answer.body);
      }
    };

    if (request.method === 'GET' && url.pathname === options.authorizePath) {
      const redirectUri = url.searchParams.get('redirect_uri');
      if (url.searchParams.get('client_id') !== options.clientId || redirectUri === null) {
        return send({ status: 400, body: 'unknown client', contentType: 'text/plain' });
      }
      const code = randomBytes(12).toString('base64url');
      if (!spoiled) codes.set(code, { redirectUri, challenge: url.searchParams.get('code_challenge') ?? undefined });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      const state = url.searchParams.get('state');
      if (state !== null) back.searchParams.set('state', state);
      res.statusCode = 302;
      res.setHeader('location', back.href);
      return res.end();
    }

    if (request.method === 'POST' && url.pathname === options.tokenPath) {
      const basic = basicCredentials(req.headers.authorization, options.basicDecoding ?? 'form');
      const posted = request.form.get('client_secret');
      const allowedBasic = options.clientAuth !== 'client_secret_post';
      const allowedPost = options.clientAuth !== 'client_secret_basic';
      const authenticated =
        (allowedBasic && basic?.id === options.clientId && basic.secret === options.clientSecret && posted === null) ||
        (allowedPost && basic === undefined && request.form.get('client_id') === options.clientId && posted === options.clientSecret);
      if (!authenticated) return send(options.refuse('invalid_client'));

      const grant = request.form.get('grant_type');
      if (grant === 'authorization_code') {
        const code = request.form.get('code') ?? '';
        const pending = codes.get(code);
        codes.delete(code);
        if (pending === undefined || pending.redirectUri !== request.form.get('redirect_uri')) return send(options.refuse('invalid_grant'));
        const verifier = request.form.get('code_verifier');
        if (pending.challenge !== undefined || options.requirePkce === true) {
          const expected = verifier === null ? undefined : createHash('sha256').update(verifier).digest('base64url');
          if (expected === undefined || expected !== pending.challenge) return send(options.refuse('invalid_grant'));
        }
      } else if (grant === 'refresh_token') {
        if (!refreshTokens.has(request.form.get('refresh_token') ?? '')) return send(options.refuse('invalid_grant'));
      } else {
        return send(options.refuse('invalid_grant'));
      }
      const answer = options.token(request);
      if ('json' in answer && typeof answer.json === 'object' && answer.json !== null) {
        const refresh = (answer.json as { refresh_token?: unknown }).refresh_token;
        if (typeof refresh === 'string') refreshTokens.add(refresh);
      }
      if ('body' in answer) {
        const refresh = new URLSearchParams(answer.body).get('refresh_token');
        if (refresh !== null) refreshTokens.add(refresh);
      }
      return send(answer);
    }

    const route = options.api[`${request.method} ${url.pathname}`];
    if (route !== undefined) {
      if (req.headers.authorization !== `Bearer ${options.accessToken}`) {
        return send({ status: 401, json: { message: 'Bad credentials' } });
      }
      const refused = options.checkApiRequest?.(request);
      if (refused !== undefined) return send(refused);
      return send(route(request));
    }
    send({ status: 404, json: { message: 'Not Found' } });
  });

  return {
    url: server.url,
    requests,
    tokenRequests: (grantType) =>
      requests.filter(
        (request) => request.path === options.tokenPath && (grantType === undefined || request.form.get('grant_type') === grantType),
      ),
    spoilCodes: (spoil) => {
      spoiled = spoil;
    },
    forgetRefreshTokens: () => refreshTokens.clear(),
    close: () => server.close(),
  };
}

const URL_KEYS = [
  'requestTokenUrl',
  'authorizeUrl',
  'accessTokenUrl',
  'refreshTokenUrl',
  'revokeTokenUrl',
  'userInfoUrl',
  'apiBaseUrl',
  'serverMetadataUrl',
] as const;

/** The preset's configuration with every URL moved to `origin`, paths kept (so the preset's paths are tested). */
export function pointAt(config: ClientConfig, origin: string): ClientConfig {
  const moved: ClientConfig = { ...config };
  for (const key of URL_KEYS) {
    const value = config[key];
    if (value === undefined) continue;
    const url = new URL(value);
    moved[key] = `${origin}${url.pathname === '/' ? '' : url.pathname}${url.search}`;
  }
  return moved;
}

/**
 * A login through the BFF at a stand-in, which approves at once: the BFF's login route, the stand-in's
 * redirect back, the BFF's callback. Returns the authorization request the browser was sent to and where
 * the callback sent it (`/`, or the SPA with a login error).
 */
export async function loginAtStandIn(browser: Browser, name: string): Promise<{ authorizeUrl: URL; location: string | null }> {
  const authorizeUrl = new URL(await browser.startLogin(name));
  const approved = await fetch(authorizeUrl, { redirect: 'manual' });
  expect(approved.status).toBe(302);
  const callback = await browser.fetch(approved.headers.get('location') as string);
  return { authorizeUrl, location: callback.headers.get('location') };
}
