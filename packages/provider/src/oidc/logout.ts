import { compactVerify, createLocalJWKSet, decodeJwt } from 'jose';
import type { Context, Middleware } from 'koa';
import { ProtocolError } from '../errors/protocol-error.js';
import { readForm, readQuery } from '../http/body.js';
import type { Params } from '../http/params.js';
import type { ProviderRuntime } from '../runtime.js';
import { renderErrorPage } from '../ui/authorize-page.js';
import { html, layout, PAGE_HEADERS } from '../ui/html.js';
import { ENDPOINT_PATHS } from './discovery.js';

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

/** A request from another site (Fetch Metadata); such a POST carries no `SameSite=Lax` cookie. */
function crossSite(ctx: Context): boolean {
  const site = ctx.get('sec-fetch-site');
  return site === 'cross-site' || site === 'same-site';
}

const LOGOUT_FIELDS = ['id_token_hint', 'client_id', 'post_logout_redirect_uri', 'state', 'logout_hint', 'ui_locales'] as const;

/**
 * A logout POSTed from the application's site arrives without the login session cookie, so the user is
 * asked to confirm (section 2 suggests asking anyway): the confirmation posts the same parameters from
 * the provider's own page, which carries the cookie.
 */
function confirmPage(ctx: Context, runtime: ProviderRuntime, params: Params): void {
  const fields = LOGOUT_FIELDS.flatMap((name) => {
    const value = params.get(name);
    return value === undefined ? [] : [html`<input type="hidden" name="${name}" value="${value}">`];
  });
  ctx.set(PAGE_HEADERS);
  ctx.body = layout(
    'Sign out',
    html`<h1>Sign out?</h1><p>The application asks to sign you out of Latchkey ID.</p>
<form method="post" action="${runtime.basePath}${ENDPOINT_PATHS.endSession}">${fields}
  <div class="actions"><button type="submit" class="primary">Sign out</button></div>
</form>`,
  );
}

/**
 * GET and POST /oauth/logout (OpenID Connect RP-Initiated Logout 1.0 section 2): ends the provider's
 * login session, then goes back to a `post_logout_redirect_uri` registered for the client (exact
 * match), or else shows a page saying so. The parameters come from the query of a GET or the form of
 * a POST. A forged `id_token_hint` ends nothing.
 */
export function logoutEndpoint(runtime: ProviderRuntime): Middleware {
  return async (ctx) => {
    const params = ctx.method === 'POST' ? await readForm(ctx) : readQuery(ctx);
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
    if (ctx.method === 'POST' && !runtime.loginSessions.hasCookie(ctx) && crossSite(ctx)) {
      confirmPage(ctx, runtime, params);
      return;
    }
    if (redirectUri !== undefined) {
      const client = clientId === undefined ? undefined : await runtime.context.clients.get(clientId);
      if (!client || !(client.postLogoutRedirectUris ?? []).includes(redirectUri)) {
        await runtime.loginSessions.end(ctx);
        ctx.status = 400;
        ctx.set(PAGE_HEADERS);
        ctx.body = renderErrorPage('You are signed out', "The application's return address is not registered, so you stay here.");
        return;
      }
      const target = new URL(redirectUri);
      const state = params.get('state');
      if (state !== undefined) target.searchParams.append('state', state);
      await runtime.loginSessions.end(ctx);
      ctx.set('cache-control', 'no-store');
      ctx.redirect(target.toString());
      return;
    }
    await runtime.loginSessions.end(ctx);
    ctx.set(PAGE_HEADERS);
    ctx.body = layout('Signed out', html`<h1>You are signed out</h1><p>You can close this window.</p>`);
  };
}
