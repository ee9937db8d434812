import type { OAuth1Request } from '@latchkey/oauth1';
import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { OAuth1ProblemError } from './problem.js';

/** What the OAuth 1 code leaves on `ctx.state` for the handlers after it. */
export interface OAuth1RequestState {
  /**
   * The raw `application/x-www-form-urlencoded` body: signature verification had to read the
   * stream (RFC 5849 section 3.4.1.3.1 signs form parameters), so downstream code parses this.
   */
  rawBody?: string;
}

/** Reads a form body once, bounded; other content types are left unread for downstream code. */
export async function readFormBody(ctx: Context, maxBodyBytes: number): Promise<string | undefined> {
  const state = ctx.state as OAuth1RequestState;
  if (typeof state.rawBody === 'string') return state.rawBody;
  if (!ctx.request.is('application/x-www-form-urlencoded')) return undefined;
  try {
    const text = await getRawBody(ctx.req, {
      limit: maxBodyBytes,
      length: ctx.request.length ?? null,
      encoding: 'utf-8',
    });
    state.rawBody = text;
    return text;
  } catch (cause) {
    throw new OAuth1ProblemError('parameter_rejected', 'The form body could not be read or is too large.', { cause });
  }
}

/**
 * The path and query of the request target, for the base string URI (RFC 5849 section 3.4.1.2).
 * An origin-form target (`/oauth1/initiate?x=1`) is used as it is. An absolute-form target
 * (`http://host/oauth1/initiate`, RFC 9112 section 3.2.2) names the authority the client addressed
 * and signed: it must be the issuer's, and then only its path and query are used. Anything else
 * (a foreign authority, `*`, authority-form) is refused, never answered 500.
 */
function signedPath(target: string, issuerOrigin: string): string {
  if (target.startsWith('/')) return target;
  let url: URL | undefined;
  try {
    url = /^https?:\/\//i.test(target) ? new URL(target) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || url.origin !== issuerOrigin || url.username !== '' || url.password !== '') {
    throw new OAuth1ProblemError('parameter_rejected', 'The request target must be a path on this server, or its absolute URL.');
  }
  return `${url.pathname}${url.search}`;
}

/**
 * The request as the client signed it. The base string URI (section 3.4.1.2) is built from the
 * issuer's origin rather than the Host header, so the provider verifies against its public address
 * even behind a reverse proxy.
 */
export async function toOAuth1Request(ctx: Context, issuer: string, maxBodyBytes: number): Promise<OAuth1Request> {
  const origin = new URL(issuer).origin;
  // Checked before the body is read: a refused target costs nothing.
  const path = signedPath(ctx.originalUrl, origin);
  const body = await readFormBody(ctx, maxBodyBytes);
  const headers: Record<string, string | undefined> = {
    authorization: ctx.get('authorization') || undefined,
    'content-type': ctx.get('content-type') || undefined,
  };
  let url: string;
  try {
    // Concatenated, not resolved: a request target such as `//other.example/x` must not change the host.
    url = new URL(`${origin}${path}`).toString();
  } catch (cause) {
    throw new OAuth1ProblemError('parameter_rejected', 'The request target is not a valid URL path.', { cause });
  }
  const request: OAuth1Request = { method: ctx.method, url, headers };
  if (body !== undefined) request.body = body;
  return request;
}
