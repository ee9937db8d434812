import { None, processRefreshTokenResponse, refreshTokenGrantRequest } from 'oauth4webapi';
import type { ClientContext } from '../context.js';
import { AuthError } from '../errors/auth-error.js';
import { providerRequest } from './provider-request.js';
import { tellTabs } from '../page/tabs.js';
import { isFresh, sessionFromTokens, type StoredSession } from '../session/session.js';

export interface TokenSource {
  /** A session with a valid access token: the stored one, or a refreshed one when it expires within the skew. */
  current(): Promise<StoredSession>;
  /**
   * Refreshes `stale` (a token found due, or refused by a resource server), unless the stored token has
   * changed since: then another caller or tab has refreshed it, and that token is the answer.
   */
  refresh(stale: string): Promise<StoredSession>;
}

/**
 * Access tokens with one refresh at a time: callers in this page share one in-flight refresh, and
 * every refresh runs under the lock and re-reads storage first, because another tab may have rotated
 * the refresh token already and sending the old one would revoke the family (RFC 9700 4.14.2).
 */
export function createTokenSource(ctx: ClientContext): TokenSource {
  const { options, session } = ctx;
  let inFlight: Promise<StoredSession> | null = null;

  async function refreshUnderLock(stale: string): Promise<StoredSession> {
    const current = await session.read();
    if (!current) throw new AuthError('login_required');
    // Changed while this caller waited for the lock: use it, even if it already looks due (a skew longer
    // than its lifetime, or time that passed in the queue); refreshing it again is how a storm starts.
    if (current.accessToken !== stale && isFresh(current, options.clock(), 0)) return current;
    const { refreshToken } = current;
    if (!refreshToken) throw new AuthError('login_required');
    const server = await ctx.server();
    let next: StoredSession;
    try {
      // The same key as the login's: a public client's refresh token is bound to it (RFC 9449 section 5).
      const tokens = await providerRequest(ctx, current.dpop, 'refresh_failed', async (http) =>
        processRefreshTokenResponse(server, ctx.client, await refreshTokenGrantRequest(server, ctx.client, None(), refreshToken, http)),
      );
      next = sessionFromTokens(tokens, options.clock(), current);
    } catch (error) {
      if (error instanceof AuthError && error.oauthError === 'invalid_grant') {
        // The refresh token is dead (expired, revoked, or reused): the session is over (RFC 6749 5.2).
        await session.clear();
        ctx.events.emit('logout', { reason: 'session_expired' });
        tellTabs(options.namespace, { type: 'logout' });
        // The same cause and provider error, under the code that says what to do.
        throw new AuthError('login_required', error);
      }
      // A network failure or another refusal: the tokens stay until they are known dead.
      throw error;
    }
    await session.write(next);
    ctx.events.emit('tokens', { expiresAtMs: next.expiresAt, scope: next.scope ?? null });
    tellTabs(options.namespace, { type: 'tokens' });
    return next;
  }

  function refresh(stale: string): Promise<StoredSession> {
    inFlight ??= ctx.lock
      .run(`${options.namespace}:refresh`, () => refreshUnderLock(stale))
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  }

  return {
    refresh,
    async current() {
      const current = await session.read();
      if (!current) throw new AuthError('login_required');
      return isFresh(current, options.clock(), options.refreshSkewMs) ? current : refresh(current.accessToken);
    },
  };
}
