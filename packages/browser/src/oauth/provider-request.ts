import type { ClientContext } from '../context.js';
import type { DPoPKey } from '../dpop/binding.js';
import type { OAuthHttp } from './http.js';

/**
 * A request to the provider with the client's HTTP options, which carry a DPoP proof of `key` when the
 * client has DPoP (`key` is then the login's).
 */
export function withDPoP<T>(ctx: ClientContext, key: DPoPKey | undefined, send: (http: OAuthHttp) => Promise<T>): Promise<T> {
  return ctx.dpop ? ctx.dpop.tokenRequest(key, ctx.http, send) : send(ctx.http);
}
