import type { Context } from 'koa';
import { BffError } from '../errors.js';
import type { BackchannelLogout } from '../logout/backchannel-logout.js';
import { LogoutTokenError } from '../logout/logout-token-error.js';
import { readBoundedBody } from '../proxy/read-body.js';
import type { OAuth2RegisteredProvider } from '../registry/registry.js';
import type { BffRuntime } from '../bff/bff-runtime.js';

/** A logout request is one signed JWT of a few claims (section 2.5): anything larger is not one. */
const MAX_LOGOUT_TOKEN_BODY_BYTES = 16_384;

/** An OpenID provider: OAuth 2 with discovery (a static configuration has no issuer to check `iss` against). */
function openIdProvider(bff: BffRuntime, provider: string): OAuth2RegisteredProvider {
  const runtime = bff.registry.has(provider) ? bff.registry.runtime(provider) : undefined;
  if (runtime?.protocol !== 'oauth2' || runtime.config.serverMetadataUrl === undefined) {
    throw new BffError('unknown_provider', 'No such OpenID Connect provider.');
  }
  return runtime;
}

/** Section 2.5: a form-serialized body with exactly one `logout_token`. */
async function readLogoutToken(bff: BffRuntime, ctx: Context): Promise<string> {
  if (!ctx.is('application/x-www-form-urlencoded')) {
    throw new LogoutTokenError('logout_token_missing', 'The logout request must be form-encoded.');
  }
  const raw = await readBoundedBody(ctx, MAX_LOGOUT_TOKEN_BODY_BYTES, bff.bodyTimeoutMs);
  const tokens = new URLSearchParams(raw?.toString('utf8') ?? '').getAll('logout_token');
  const [token] = tokens;
  if (tokens.length !== 1 || token === undefined || token === '') {
    throw new LogoutTokenError('logout_token_missing', 'The logout request must carry one logout_token.');
  }
  return token;
}

/**
 * `POST /backchannel-logout/:provider`, the `backchannel_logout_uri` of OpenID Connect Back-Channel
 * Logout 1.0: the provider, server to server (no cookie, so no CSRF header or Origin to check; the
 * signed token is the proof), says a login session ended. Every BFF session that came from it ends
 * (by `sid`, or without one every session of `sub`); tokens are not revoked, since the provider ended
 * them itself. Answers 200, or 400 `invalid_request` for a token refused (section 2.8), ending nothing.
 */
export function backchannelLogoutRoute(bff: BffRuntime, parts: BackchannelLogout) {
  return async (ctx: Context, provider: string): Promise<void> => {
    const runtime = openIdProvider(bff, provider);
    ctx.set('cache-control', 'no-store');
    try {
      const claims = await parts.verify(runtime, await readLogoutToken(bff, ctx));
      // Spent last, once every other check passed, so a refused token cannot burn a good token's jti.
      if (!(await parts.seen.add(provider, claims.jti, parts.replayWindowMs))) {
        throw new LogoutTokenError('logout_token_replayed', 'This logout token was already received.');
      }
      let ended: number;
      try {
        // The mark refuses a login the provider ended while it was completing (its ID token no newer than this).
        ended = await parts.index.end(provider, claims.claim, claims.value, { endedAt: claims.iat, markMs: parts.replayWindowMs });
      } catch (error) {
        // Not done: the provider may send the token again (section 2.8 lets it retry on an error).
        await parts.seen.forget(provider, claims.jti).catch(() => undefined);
        throw error;
      }
      bff.logger.info('backchannel logout', { provider, by: claims.claim, sessions: ended });
      ctx.status = 200;
    } catch (error) {
      if (!(error instanceof LogoutTokenError)) throw error;
      bff.logger.warn('logout token refused', { provider, code: error.code });
      ctx.status = 400;
      ctx.body = { error: 'invalid_request', error_description: error.message };
    }
  };
}
