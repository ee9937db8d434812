import { isLatchkeyError } from '@latchkey/common';
import type { Context, Middleware } from 'koa';
import { renderErrorPage } from '../ui/authorize-page.js';
import { PAGE_HEADERS } from '../ui/html.js';
import { DPOP_SIGNING_ALGS } from '../keys/dpop-signing-algs.js';
import { ProtocolError } from './protocol-error.js';

/** How an endpoint reports errors. */
export type ErrorKind =
  /** JSON body `{ error, error_description }` (RFC 6749 section 5.2): token, revocation, introspection, APIs. */
  | 'json'
  /** Redirect to the client with `error` (RFC 6749 section 4.1.2.1) once its redirect URI is trusted, else a page. */
  | 'authorize'
  /** `WWW-Authenticate: Bearer` (RFC 6750 section 3) plus a JSON body: protected resources. */
  | 'resource'
  /** An HTML error page: pages for people. */
  | 'page';

/**
 * Where the authorization endpoint may send an error, set on `ctx.state` once the client and its redirect
 * URI are validated. Until then errors render a page: redirecting to an unchecked URI is an open redirect.
 */
export interface AuthorizeErrorTarget {
  redirectUri: string;
  state: string | undefined;
  issuer: string;
  /** `fragment` for implicit responses (RFC 6749 section 4.2.2.1), else `query`. */
  responseMode: 'query' | 'fragment';
}

const TARGET = Symbol('latchkey.authorizeErrorTarget');

export function setAuthorizeErrorTarget(ctx: Context, target: AuthorizeErrorTarget): void {
  (ctx.state as Record<symbol, unknown>)[TARGET] = target;
}

function authorizeErrorTarget(ctx: Context): AuthorizeErrorTarget | undefined {
  return (ctx.state as Record<symbol, AuthorizeErrorTarget | undefined>)[TARGET];
}

/** Builds `redirect_uri` plus response parameters, keeping the redirect URI's own query (RFC 6749 section 3.1.2). */
export function responseRedirect(target: Omit<AuthorizeErrorTarget, 'state' | 'issuer'>, params: Record<string, string>): string {
  const url = new URL(target.redirectUri);
  if (target.responseMode === 'fragment') {
    url.hash = new URLSearchParams(params).toString();
  } else {
    for (const [name, value] of Object.entries(params)) url.searchParams.append(name, value);
  }
  return url.toString();
}

/**
 * A Bearer challenge (RFC 6750 section 3), no error attribute when no token was sent (section 3.1); or,
 * for DPoP-bound tokens and proofs, a DPoP challenge naming the accepted algorithms (RFC 9449 section 7.1).
 */
function resourceChallenge(error: ProtocolError, realm: string): string {
  const dpop = error.challenge === 'DPoP';
  const attributes = [`realm="${realm}"`];
  if (dpop) attributes.push(`algs="${DPOP_SIGNING_ALGS.join(' ')}"`);
  if (!error.bareChallenge) {
    attributes.push(`error="${error.code}"`, `error_description="${errorDescription(error)}"`);
  }
  if (error.scope !== undefined) attributes.push(`scope="${error.scope}"`);
  return `${dpop ? 'DPoP' : 'Bearer'} ${attributes.join(', ')}`;
}

function toProtocolError(error: unknown): ProtocolError {
  if (error instanceof ProtocolError) return error;
  // A store at its bound for live records (see storage/memory-store.ts): a temporary condition, not a bug.
  if (isLatchkeyError(error, 'storage_full')) return new ProtocolError('temporarily_unavailable', error.message, { cause: error });
  const status = (error as { status?: unknown }).status;
  const expose = (error as { expose?: unknown }).expose === true;
  if (typeof status === 'number' && status >= 400 && status < 500 && expose) {
    if (status === 404) return new ProtocolError('not_found', 'Not found.', { status, cause: error });
    if (status === 405) return new ProtocolError('invalid_request', 'Method not allowed.', { status, cause: error });
    return new ProtocolError('invalid_request', 'The request is invalid.', { status, cause: error });
  }
  return new ProtocolError('server_error', 'The server could not handle the request.', { cause: error });
}

/**
 * The provider's one error path: renders a `ProtocolError` (or any other error, as `server_error`)
 * for the endpoint kind. Never a stack trace: unexpected errors are reported to `app.on('error')`.
 */
export function protocolErrors(kind: ErrorKind, realm: string): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (caught) {
      const error = toProtocolError(caught);
      if (error.code === 'server_error') ctx.app.emit('error', caught, ctx);
      render(ctx, kind, error, realm);
    }
  };
}

/** RFC 6749 section 5.2: `error_description` is limited to %x20-21 / %x23-5B / %x5D-7E. */
function errorDescription(error: ProtocolError): string {
  return error.message.replace(/[^\x20-\x21\x23-\x5B\x5D-\x7E]/g, '');
}

function render(ctx: Context, kind: ErrorKind, error: ProtocolError, realm: string): void {
  const target = kind === 'authorize' ? authorizeErrorTarget(ctx) : undefined;
  if (target) {
    const params: Record<string, string> = { error: error.code, error_description: errorDescription(error) };
    if (target.state !== undefined) params.state = target.state;
    params.iss = target.issuer;
    ctx.status = 302;
    ctx.set('cache-control', 'no-store');
    ctx.redirect(responseRedirect(target, params));
    return;
  }
  if (kind === 'authorize' || kind === 'page') {
    ctx.status = error.status;
    ctx.set(PAGE_HEADERS);
    ctx.body = renderErrorPage(pageTitle(error), error.message);
    return;
  }
  ctx.status = error.status;
  ctx.set('cache-control', 'no-store');
  if (error.dpopNonce !== undefined) ctx.set('dpop-nonce', error.dpopNonce);
  if (kind === 'resource' && (error.status === 400 || error.status === 401 || error.status === 403)) {
    ctx.set('www-authenticate', resourceChallenge(error, realm));
  } else if (error.challenge === 'Basic') {
    ctx.set('www-authenticate', `Basic realm="${realm}"`);
  }
  ctx.body = { error: error.code, error_description: errorDescription(error) };
}

function pageTitle(error: ProtocolError): string {
  if (error.code === 'not_found') return 'Not found';
  if (error.code === 'server_error') return 'Something went wrong';
  return 'This request cannot be completed';
}
