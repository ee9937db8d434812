import type { ClientContext } from '../context.js';
import type { TokenSource } from '../flows/tokens.js';
import type { StoredSession } from '../session/session.js';

/**
 * A resource server that refuses an expired or revoked token answers 401 with `error="invalid_token"` in its
 * challenge, whatever the scheme: `Bearer` (RFC 6750 3.1) or `DPoP` (RFC 9449 7.1). Other 401s (no scope,
 * wrong client) are not fixed by a refresh.
 */
function isInvalidToken(response: Response): boolean {
  return response.status === 401 && /\berror\s*=\s*"?invalid_token\b/i.test(response.headers.get('www-authenticate') ?? '');
}

/** Sends `request` with the session's access token, through the DPoP binding when the client has one. */
function send(ctx: ClientContext, request: Request, session: StoredSession): Promise<Response> {
  if (ctx.dpop) return ctx.dpop.fetch(request, session);
  request.headers.set('authorization', `Bearer ${session.accessToken}`);
  return fetch(request);
}

/**
 * `fetch` with the access token attached for allow-listed origins only (a token sent to any other
 * origin would leak it). On an `invalid_token` 401 it refreshes once and retries once, when the body
 * can be sent again: a body given as a stream can be read only once, so that request is not retried.
 */
export async function authorizedFetch(
  ctx: ClientContext,
  tokens: TokenSource,
  input: RequestInfo | URL,
  init?: RequestInit,
): Promise<Response> {
  const request = new Request(input, init);
  if (!ctx.options.apiOrigins.includes(new URL(request.url).origin)) return fetch(request);
  const spare = init?.body instanceof ReadableStream ? null : request.clone();
  const session = await tokens.current();
  const response = await send(ctx, request, session);
  if (!spare || !isInvalidToken(response)) return response;
  return send(ctx, spare, await tokens.refresh(session.accessToken));
}
