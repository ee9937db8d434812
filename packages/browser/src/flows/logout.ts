import { None, processRevocationResponse, revocationRequest } from 'oauth4webapi';
import { sameOriginPath } from '@latchkey/common';
import type { ClientContext } from '../context.js';
import { AuthError } from '../errors/auth-error.js';
import { providerError } from '../oauth/errors.js';
import { tellTabs } from '../page/tabs.js';

export interface LogoutParams {
  /** Revoke the refresh and access tokens at the provider (RFC 7009) when it has a revocation endpoint. Default true. */
  revoke?: boolean;
  /** Also end the provider's session (OpenID Connect RP-Initiated Logout). Default false. */
  endSession?: boolean;
  /** Same-origin path the provider sends the user back to after `endSession` (`post_logout_redirect_uri`). Default none. */
  returnTo?: string;
  /** `false` returns the end-session URL instead of navigating to it. Default true. */
  redirect?: boolean;
}

/**
 * Ends the session here and in the other tabs first (that always succeeds), then revokes the tokens,
 * reporting a failed revocation as an `error` event, then builds the end-session URL when asked.
 * Returns that URL, or `null` when the provider's session is left alone.
 */
export async function logout(ctx: ClientContext, params: LogoutParams): Promise<string | null> {
  const postLogout = params.returnTo === undefined ? undefined : sameOriginPath(params.returnTo, location.origin);
  if (postLogout === null) throw new AuthError('invalid_return_to');
  const ended = await ctx.session.read();
  await ctx.session.clear();
  tellTabs(ctx.options.namespace, { type: 'logout' });
  if (ended) ctx.events.emit('logout', { reason: 'user' });
  if (ended && params.revoke !== false) await revoke(ctx, [ended.refreshToken, ended.accessToken]);
  if (!params.endSession) return null;
  const server = await ctx.server();
  if (!server.end_session_endpoint) throw new AuthError('end_session_unsupported');
  const url = new URL(server.end_session_endpoint);
  url.searchParams.set('client_id', ctx.options.clientId);
  if (ended?.idToken) url.searchParams.set('id_token_hint', ended.idToken);
  if (postLogout !== undefined) url.searchParams.set('post_logout_redirect_uri', location.origin + postLogout);
  return url.href;
}

// The refresh token first: revoking it may revoke its access tokens too (RFC 7009 2.1).
async function revoke(ctx: ClientContext, tokens: (string | undefined)[]): Promise<void> {
  try {
    const server = await ctx.server();
    if (!server.revocation_endpoint) return;
    for (const token of tokens) {
      if (!token) continue;
      const response = await revocationRequest(server, ctx.client, None(), token, ctx.http);
      await processRevocationResponse(response);
    }
  } catch (cause) {
    ctx.events.emit('error', providerError(cause, 'revocation_failed'));
  }
}
