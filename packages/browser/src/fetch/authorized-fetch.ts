import type { TokenSource } from '../flows/tokens.js';

/**
 * RFC 6750 3.1: a resource server that refuses an expired or revoked token answers 401 with
 * `WWW-Authenticate: Bearer error="invalid_token"`. Other 401s (no scope, wrong client) are not
 * fixed by a refresh.
 */
function isInvalidToken(response: Response): boolean {
  const challenge = response.headers.get('www-authenticate') ?? '';
  return response.status === 401 && /\bbearer\b/i.test(challenge) && /\berror\s*=\s*"?invalid_token\b/i.test(challenge);
}

function withBearer(request: Request, token: string): Request {
  request.headers.set('authorization', `Bearer ${token}`);
  return request;
}

/**
 * `fetch` with the access token attached for allow-listed origins only (a token sent to any other
 * origin would leak it). On an `invalid_token` 401 it refreshes once and retries once, when the body
 * can be sent again: a body given as a stream can be read only once, so that request is not retried.
 */
export async function authorizedFetch(
  tokens: TokenSource,
  apiOrigins: readonly string[],
  input: RequestInfo | URL,
  init?: RequestInit,
): Promise<Response> {
  const request = new Request(input, init);
  if (!apiOrigins.includes(new URL(request.url).origin)) return fetch(request);
  const spare = init?.body instanceof ReadableStream ? null : request.clone();
  const token = await tokens.getAccessToken();
  const response = await fetch(withBearer(request, token));
  if (!spare || !isInvalidToken(response)) return response;
  const refreshed = await tokens.refresh(token);
  return fetch(withBearer(spare, refreshed.accessToken));
}
