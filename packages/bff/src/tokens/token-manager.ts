import { createHash } from 'node:crypto';
import type { Context } from 'koa';
import { BffError } from '../errors.js';
import type { FetchToken, UpdateToken } from '../config/client-config.js';
import type { BffLogger } from '../logger.js';
import { sessionBridgeOf } from '../session/session-bridge.js';
import type { RefreshLock } from '../stores/refresh-lock.js';
import { isExpiring, tokenIdentity, type OAuth2Token, type OAuthToken } from './token.js';

export interface TokenManagerOptions {
  provider: string;
  refresh: ((token: OAuth2Token) => Promise<OAuth2Token>) | undefined;
  fetchToken: FetchToken | undefined;
  updateToken: UpdateToken | undefined;
  lock: RefreshLock;
  logger: BffLogger;
  /** Milliseconds since the epoch. */
  now: () => number;
  /** Refresh this many seconds before expiry. */
  skewSeconds: number;
}

export interface TokenManager {
  /**
   * A usable token: from the request's session, else `fetchToken`. Refreshes an expiring one, or
   * `rejected` (a token the API answered 401 to), under the lock; then re-reads, so concurrent callers
   * share one refresh.
   */
  get(ctx: Context | undefined, rejected?: OAuthToken): Promise<OAuthToken>;
}

const hash = (value: string) => createHash('sha256').update(value).digest('base64url').slice(0, 22);

/** The refresh lock of one provider in one session; logout and disconnect take it too. */
export const sessionLockKey = (sessionId: string, provider: string) => `session:${hash(sessionId)}:${provider}`;

export function createTokenManager(options: TokenManagerOptions): TokenManager {
  const { provider, lock, logger, now, skewSeconds } = options;
  const nowSeconds = () => Math.floor(now() / 1000);

  const load = async (ctx: Context | undefined, fresh: boolean): Promise<{ token: OAuthToken; source: 'session' | 'hook' } | undefined> => {
    const bridge = sessionBridgeOf(ctx);
    if (bridge !== undefined && ctx !== undefined) {
      const data = fresh ? await bridge.reload(ctx) : await bridge.load(ctx);
      const token = data?.connections[provider]?.token;
      if (token !== undefined) return { token, source: 'session' };
    }
    const token = await options.fetchToken?.(provider, ctx);
    return token ? { token, source: 'hook' } : undefined;
  };

  const needsRefresh = (token: OAuthToken, rejected: OAuthToken | undefined) =>
    rejected === undefined ? isExpiring(token, nowSeconds(), skewSeconds) : tokenIdentity(token) === tokenIdentity(rejected);

  return {
    async get(ctx, rejected) {
      const first = await load(ctx, false);
      if (first === undefined) throw new BffError('login_required', `Log in with ${provider} first.`);
      const { token, source } = first;
      if (token.kind === 'oauth1' || !needsRefresh(token, rejected)) return token;
      const refresh = options.refresh;
      if (refresh === undefined || token.refreshToken === undefined) {
        throw new BffError('refresh_failed', 'The session has expired; log in again.');
      }
      const bridge = sessionBridgeOf(ctx);
      const key =
        source === 'session' && ctx !== undefined && bridge?.id(ctx) !== undefined
          ? sessionLockKey(bridge.id(ctx) as string, provider)
          : `hook:${provider}:${hash(token.refreshToken)}`;
      return lock.withLock(key, async () => {
        // Another request may have refreshed while this one waited: re-read before refreshing.
        const current = (await load(ctx, true))?.token ?? token;
        if (current.kind === 'oauth1') return current;
        if (tokenIdentity(current) !== tokenIdentity(token) && !needsRefresh(current, rejected)) {
          if (source === 'session' && ctx !== undefined) bridge?.useToken(ctx, provider, current);
          return current;
        }
        const refreshed = await refresh(current);
        if (source === 'session' && ctx !== undefined) await bridge?.saveToken(ctx, provider, refreshed);
        logger.info('token refreshed', { provider });
        const previous = { accessToken: current.accessToken, ...(current.refreshToken === undefined ? {} : { refreshToken: current.refreshToken }) };
        if (options.updateToken !== undefined) await options.updateToken(provider, refreshed, previous, ctx);
        // A fetched token lives only where fetchToken reads it: without updateToken the new one is lost,
        // and a rotated refresh token used again makes the provider revoke the grant (RFC 9700 section 4.14).
        else if (source === 'hook') logger.warn('refreshed token not kept: no updateToken', { provider });
        return refreshed;
      });
    },
  };
}
