import { calculatePKCECodeChallenge, generateRandomCodeVerifier, generateRandomNonce, generateRandomState } from 'oauth4webapi';
import { sameOriginPath } from '@latchkey/common';
import type { ClientContext } from '../context.js';
import { AuthError } from '../errors/auth-error.js';
import { checkExtraParams } from '../options.js';

export interface LoginParams {
  /** Same-origin path to come back to after the callback. Default: the current path. */
  returnTo?: string;
  /** Extra authorization request parameters for this login only. Default none. */
  extraParams?: Readonly<Record<string, string>>;
  /** `false` returns the authorization URL instead of navigating to it. Default true. */
  redirect?: boolean;
}

/** How long a started login may take (the transaction's lifetime). */
const LOGIN_TRANSACTION_MS = 10 * 60 * 1000;

/**
 * Builds the authorization request (RFC 6749 4.1.1) with PKCE S256 (RFC 7636 4.1-4.3), a fresh `state`
 * and, for OpenID Connect, a `nonce`; stores the transaction under its `state`; returns the URL.
 */
export async function buildLoginUrl(ctx: ClientContext, params: LoginParams): Promise<string> {
  const returnTo = sameOriginPath(params.returnTo ?? location.pathname + location.search + location.hash, location.origin);
  if (returnTo === null) throw new AuthError('invalid_return_to');
  const extra = checkExtraParams('extraParams', params.extraParams);
  const server = await ctx.server();
  const { options } = ctx;
  const codeVerifier = generateRandomCodeVerifier();
  const state = generateRandomState();
  const nonce = options.openid ? generateRandomNonce() : undefined;
  if (!server.authorization_endpoint) throw new AuthError('discovery_failed');
  const url = new URL(server.authorization_endpoint);
  const query: Record<string, string> = {
    ...options.extraParams,
    ...extra,
    client_id: options.clientId,
    redirect_uri: options.redirectUri,
    response_type: 'code',
    scope: options.scope,
    state,
    code_challenge: await calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    ...(nonce && { nonce }),
  };
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  await ctx.transactions.put(state, { codeVerifier, nonce, returnTo, expiresAt: options.clock() + LOGIN_TRANSACTION_MS });
  return url.href;
}
