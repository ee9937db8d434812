import type { Context, Middleware } from 'koa';
import { allClaims } from '../oidc/claims.js';
import { isOAuth1Request, requireOAuth1 } from '../oauth1/index.js';
import { MAX_BODY_BYTES, readRawBody } from '../http/body.js';
import { Params } from '../http/params.js';
import type { ProviderRuntime } from '../runtime.js';
import type { ResourceAuth } from '../provider-context.js';
import { requireOAuth2 } from './require-oauth2.js';

/** Protects a resource with either protocol: OAuth 1 signed requests, else OAuth 2 bearer tokens. */
export function requireEither(runtime: ProviderRuntime, scope?: string): Middleware {
  const oauth1 = requireOAuth1(runtime.context, runtime.oauth1);
  const oauth2 = requireOAuth2(runtime, {
    ...(scope === undefined ? {} : { scope }),
    bearerInQuery: runtime.features.bearerInQuery,
    bearerInBody: runtime.features.bearerInBody,
  });
  // Signed in the header, the query or a form body (RFC 5849 section 3.5).
  return async (ctx, next) => ((await isOAuth1Request(ctx, MAX_BODY_BYTES)) ? oauth1(ctx, next) : oauth2(ctx, next));
}

function auth(ctx: Context): ResourceAuth {
  return ctx.state.latchkey as ResourceAuth;
}

/** GET /api/me: the user's claims (and who is asking), for either protocol. */
export const apiMe: Middleware = (ctx) => {
  const { user, clientId, protocol, scopes } = auth(ctx);
  ctx.set('cache-control', 'no-store');
  ctx.body = { ...(user ? allClaims(user) : { sub: null }), client_id: clientId, protocol, scope: scopes.join(' ') };
};

async function readEchoBody(ctx: Context): Promise<unknown> {
  if (ctx.method === 'GET' || ctx.method === 'HEAD') return null;
  const text = (await readRawBody(ctx)).toString('utf8');
  if (ctx.request.is('application/json')) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  if (ctx.request.is('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
  return text === '' ? null : text;
}

/**
 * /api/echo (any method): reflects what arrived (method, query, body, header names, subject) so proxy tests
 * can check what a backend-for-frontend forwarded, e.g. that no `cookie` header reached the provider.
 */
export const apiEcho: Middleware = async (ctx) => {
  const { user, clientId, protocol } = auth(ctx);
  const body = await readEchoBody(ctx);
  ctx.set('cache-control', 'no-store');
  ctx.body = {
    method: ctx.method,
    query: Params.parse(ctx.querystring).toObject(),
    body,
    sub: user?.sub ?? null,
    client_id: clientId,
    protocol,
    headers: Object.keys(ctx.headers).sort(),
    content_type: ctx.get('content-type') || null,
  };
};
