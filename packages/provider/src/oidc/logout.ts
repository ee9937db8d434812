import { compactVerify, createLocalJWKSet, decodeJwt } from 'jose';
import type { Middleware } from 'koa';
import { ProtocolError } from '../errors/protocol-error.js';
import { readQuery } from '../http/body.js';
import type { ProviderRuntime } from '../runtime.js';
import { renderErrorPage } from '../ui/authorize-page.js';
import { html, layout, PAGE_HEADERS } from '../ui/html.js';

/** The client an `id_token_hint` was issued to; an expired hint is still fine (RP-Initiated Logout section 2). */
async function hintAudience(runtime: ProviderRuntime, hint: string): Promise<string> {
  try {
    await compactVerify(hint, createLocalJWKSet(runtime.keys.jwks), { algorithms: ['RS256'] });
    const claims = decodeJwt(hint);
    const aud = Array.isArray(claims.aud) ? claims.aud[0] : claims.aud;
    if (claims.iss !== runtime.context.issuer || typeof aud !== 'string') throw new Error('foreign id_token');
    return aud;
  } catch (cause) {
    throw new ProtocolError('invalid_request', 'id_token_hint is not an ID token of this provider.', { cause });
  }
}

/**
 * GET /oauth/logout (OpenID Connect RP-Initiated Logout 1.0). The provider keeps no login session, so
 * logging out only means going back: to a `post_logout_redirect_uri` registered for the client (exact
 * match), or else to a page saying so.
 */
export function logoutEndpoint(runtime: ProviderRuntime): Middleware {
  return async (ctx) => {
    const params = readQuery(ctx);
    const redirectUri = params.get('post_logout_redirect_uri');
    const hint = params.get('id_token_hint');
    let clientId = params.get('client_id');
    if (hint !== undefined) {
      const audience = await hintAudience(runtime, hint);
      if (clientId !== undefined && clientId !== audience) {
        throw new ProtocolError('invalid_request', 'client_id does not match id_token_hint.');
      }
      clientId = audience;
    }
    if (redirectUri !== undefined) {
      const client = clientId === undefined ? undefined : await runtime.context.clients.get(clientId);
      if (!client || !(client.postLogoutRedirectUris ?? []).includes(redirectUri)) {
        ctx.status = 400;
        ctx.set(PAGE_HEADERS);
        ctx.body = renderErrorPage('You are signed out', 'The application\'s return address is not registered, so you stay here.');
        return;
      }
      const target = new URL(redirectUri);
      const state = params.get('state');
      if (state !== undefined) target.searchParams.append('state', state);
      ctx.set('cache-control', 'no-store');
      ctx.redirect(target.toString());
      return;
    }
    ctx.set(PAGE_HEADERS);
    ctx.body = layout('Signed out', html`<h1>You are signed out</h1><p>You can close this window.</p>`);
  };
}
