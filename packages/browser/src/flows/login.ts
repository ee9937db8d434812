import {
  None,
  calculatePKCECodeChallenge,
  generateRandomCodeVerifier,
  generateRandomNonce,
  generateRandomState,
  processPushedAuthorizationResponse,
  pushedAuthorizationRequest,
} from 'oauth4webapi';
import { sameOriginPath } from '@latchkey/common';
import type { ClientContext } from '../context.js';
import { AuthError } from '../errors/auth-error.js';
import { providerRequest } from './provider-request.js';
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
 * and, for OpenID Connect, a `nonce`; pushes it to the provider when it offers that (RFC 9126), so the URL
 * carries only `client_id` and `request_uri`; stores the transaction (and the login's DPoP key) under its
 * `state`; returns the URL.
 */
export async function buildLoginUrl(ctx: ClientContext, params: LoginParams): Promise<string> {
  const returnTo = sameOriginPath(params.returnTo ?? location.pathname + location.search + location.hash, location.origin);
  if (returnTo === null) throw new AuthError('invalid_return_to');
  const extra = checkExtraParams(params.extraParams);
  const server = await ctx.server();
  const { options } = ctx;
  const codeVerifier = generateRandomCodeVerifier();
  const state = generateRandomState();
  const nonce = options.openid ? generateRandomNonce() : undefined;
  const dpop = await ctx.dpop?.createKey();
  if (!server.authorization_endpoint) throw new AuthError('discovery_failed');
  const url = new URL(server.authorization_endpoint);
  let query: Record<string, string> = {
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
  if (server.pushed_authorization_request_endpoint && options.pushedAuthorizationRequests) {
    // With DPoP, the proof binds the authorization code to the login's key (RFC 9449 section 10.1).
    const { request_uri } = await providerRequest(ctx, dpop, 'authorization_failed', async (http) =>
      processPushedAuthorizationResponse(server, ctx.client, await pushedAuthorizationRequest(server, ctx.client, None(), query, http)),
    );
    query = { client_id: options.clientId, request_uri };
  }
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  await ctx.transactions.put(state, { codeVerifier, nonce, dpop, returnTo, expiresAt: options.clock() + LOGIN_TRANSACTION_MS });
  return url.href;
}
