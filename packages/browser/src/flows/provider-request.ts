import type { ClientContext } from '../context.js';
import type { AuthErrorCode } from '../errors/auth-error.js';
import { providerError } from '../oauth/errors.js';
import type { OAuthHttp } from '../oauth/http.js';
import type { DPoPKey } from '../session/dpop-key.js';

/**
 * A request to the provider: `send` makes it with the client's HTTP options, which carry a DPoP proof of
 * `key` when the client has DPoP (`key` is the login's), and reads the answer. A failure rejects with an
 * `AuthError`: the provider's error, or `fallback` (see `providerError`).
 */
export function providerRequest<T>(
  ctx: ClientContext,
  key: DPoPKey | undefined,
  fallback: AuthErrorCode,
  send: (http: OAuthHttp) => Promise<T>,
): Promise<T> {
  return (ctx.dpop ? ctx.dpop.tokenRequest(key, ctx.http, send) : send(ctx.http)).catch((cause: unknown) => {
    throw providerError(cause, fallback);
  });
}
