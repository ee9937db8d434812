import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Context } from 'koa';
import { isLatchkeyError } from '@latchkey/common';
import { BffError } from '../errors.js';
import type { FetchToken, PreviousToken, UpdateToken } from './token-hooks.js';
import type { BffLogger } from '../logger.js';
import { sessionBridgeOf } from './session-bridge.js';
import type { RefreshLock } from '../stores/refresh-lock.js';
import { isExpired, isExpiring, tokenIdentity, type OAuth2Token, type OAuthToken } from './token.js';
import { createUnsavedTokens, type UnsavedToken } from './unsaved-tokens.js';

export interface TokenManagerOptions {
  provider: string;
  refresh: ((token: OAuth2Token) => Promise<OAuth2Token>) | undefined;
  fetchToken: FetchToken | undefined;
  updateToken: UpdateToken | undefined;
  lock: RefreshLock;
  logger: BffLogger;
  /** Milliseconds since the epoch. */
  now: () => number;
  /** Refresh this many seconds before expiry (at most half a token's lifetime). */
  skewSeconds: number;
  /** Pauses before writing a refreshed token again when the store fails, under the lock. Default 100 and 400 ms. */
  saveRetryDelaysMs?: readonly number[];
  /** Refreshed tokens kept in memory while the store refuses them, at most. Default 10000. */
  unsavedLimit?: number;
}

export interface TokenManager {
  /**
   * A usable token: from the request's session, else `fetchToken`. Refreshes a token due for refresh,
   * or `rejected` (a token the API answered 401 to), under the lock; then re-reads, so concurrent
   * callers share one refresh. A `rejected` token that a 401 already renewed is returned as it is: the
   * API's 401 then stands, and the caller does not retry.
   */
  get(ctx: Context | undefined, rejected?: OAuthToken): Promise<OAuthToken>;
  /** A refreshed token of this session that the store has not taken yet (logout revokes it too). */
  unsavedToken(sessionId: string): OAuth2Token | undefined;
}

const hash = (value: string) => createHash('sha256').update(value).digest('base64url').slice(0, 22);

/** The refresh lock of one provider in one session; logout and disconnect take it too. */
export const sessionLockKey = (sessionId: string, provider: string) => `session:${hash(sessionId)}:${provider}`;

/** A failing store (a raw client error or `store_unavailable`), as opposed to a typed refusal such as a session gone. */
const isStoreFailure = (error: unknown) => !isLatchkeyError(error) || isLatchkeyError(error, 'store_unavailable');

type Source = 'session' | 'hook';

export function createTokenManager(options: TokenManagerOptions): TokenManager {
  const { provider, lock, logger, now, skewSeconds } = options;
  const retryDelays = options.saveRetryDelaysMs ?? [100, 400];
  const nowSeconds = () => now() / 1000;
  const unsaved = createUnsavedTokens(options.unsavedLimit ?? 10_000, () =>
    logger.warn('unsaved refreshed token dropped: too many kept', { provider }),
  );

  const load = async (ctx: Context | undefined, fresh: boolean): Promise<{ token: OAuthToken; source: Source } | undefined> => {
    const bridge = sessionBridgeOf(ctx);
    if (bridge !== undefined && ctx !== undefined) {
      const data = fresh ? await bridge.reload(ctx) : await bridge.load(ctx);
      const token = data?.connections[provider]?.token;
      if (token !== undefined) return { token, source: 'session' };
    }
    const token = await options.fetchToken?.(provider, ctx);
    return token ? { token, source: 'hook' } : undefined;
  };

  /** One lock per session and provider, or per fetched refresh token; `undefined` when nothing can refresh. */
  const keyOf = (ctx: Context | undefined, source: Source, token: OAuth2Token): string | undefined => {
    const id = source === 'session' && ctx !== undefined ? sessionBridgeOf(ctx)?.id(ctx) : undefined;
    if (id !== undefined) return sessionLockKey(id, provider);
    return token.refreshToken === undefined ? undefined : `hook:${provider}:${hash(token.refreshToken)}`;
  };

  /** Writes a refreshed token where its predecessor came from: the session, or `updateToken` for a fetched one. */
  const write = async (ctx: Context | undefined, source: Source, entry: UnsavedToken): Promise<void> => {
    if (source === 'session' && ctx !== undefined) return sessionBridgeOf(ctx)?.saveToken(ctx, provider, entry.token);
    if (options.updateToken !== undefined) return options.updateToken(provider, entry.token, entry.previous, ctx);
    // A fetched token lives only where fetchToken reads it: without updateToken the new one is lost,
    // and a rotated refresh token used again makes the provider revoke the grant (RFC 9700 section 4.14).
    logger.warn('refreshed token not kept: no updateToken', { provider });
  };

  /**
   * Stores a refreshed token, trying again after short pauses while the store fails (the lock is held, so
   * no other call refreshes meanwhile). If it still fails, the token is kept in memory and stored by the
   * next call of the session; this call goes on with it.
   */
  const store = async (key: string, ctx: Context | undefined, source: Source, entry: UnsavedToken): Promise<void> => {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await write(ctx, source, entry);
        unsaved.delete(key);
        return;
      } catch (error) {
        if (!isStoreFailure(error)) {
          unsaved.delete(key);
          throw error;
        }
        const pause = retryDelays[attempt];
        if (pause === undefined) {
          unsaved.set(key, entry);
          if (source === 'session' && ctx !== undefined) sessionBridgeOf(ctx)?.useToken(ctx, provider, entry.token);
          logger.warn('refreshed token kept in memory: the store did not take it', { provider, attempts: attempt + 1 });
          return;
        }
        await sleep(pause);
      }
    }
  };

  /** True when a kept token replaced `token`, which the store still holds. */
  const hasUnsaved = (ctx: Context | undefined, source: Source, token: OAuth2Token) => {
    const key = keyOf(ctx, source, token);
    return key !== undefined && unsaved.get(key)?.replaces === tokenIdentity(token);
  };

  return {
    unsavedToken: (sessionId) => unsaved.get(sessionLockKey(sessionId, provider))?.token,

    async get(ctx, rejected) {
      const first = await load(ctx, false);
      if (first === undefined) throw new BffError('login_required', `Log in with ${provider} first.`);
      const { token, source } = first;
      if (token.kind === 'oauth1') return token;
      if (unsaved.size === 0 || !hasUnsaved(ctx, source, token)) {
        if (rejected === undefined ? !isExpiring(token, nowSeconds(), skewSeconds) : tokenIdentity(token) !== tokenIdentity(rejected)) {
          return token;
        }
        // RFC 6750 section 3.1: a 401 may mean a revoked token, worth one refresh; a 401 to the token that
        // refresh gave is the API's answer (a missing scope, an API that refuses everyone), not another refresh.
        if (rejected !== undefined && token.refreshedOn401 === true) return token;
      }
      const key = keyOf(ctx, source, token);
      if (options.refresh === undefined || token.refreshToken === undefined || key === undefined) {
        throw new BffError('refresh_failed', 'The session has expired; log in again.');
      }
      const refresh = options.refresh;
      return lock.withLock(key, async () => {
        // Another request may have refreshed while this one waited: re-read before refreshing.
        const current = (await load(ctx, true))?.token ?? token;
        if (current.kind === 'oauth1') return current;
        const kept = unsaved.get(key);
        if (kept !== undefined) {
          if (kept.replaces === tokenIdentity(current)) {
            await store(key, ctx, source, kept);
            return kept.token;
          }
          // The store holds another token now (a new login): the kept one is outdated.
          unsaved.delete(key);
        }
        // A token that changed while this call waited is the answer, even when it already looks due
        // (a skew longer than its lifetime): refreshing it again is how 20 calls made 20 refreshes.
        if (tokenIdentity(current) !== tokenIdentity(token) && !isExpired(current, nowSeconds())) {
          if (source === 'session' && ctx !== undefined) sessionBridgeOf(ctx)?.useToken(ctx, provider, current);
          return current;
        }
        if (rejected === undefined ? !isExpiring(current, nowSeconds(), skewSeconds) : current.refreshedOn401 === true) return current;
        if (current.refreshToken === undefined) throw new BffError('refresh_failed', 'The session has expired; log in again.');

        const renewed = await refresh(current);
        const refreshed: OAuth2Token = rejected === undefined ? renewed : { ...renewed, refreshedOn401: true };
        logger.info('token refreshed', { provider, ...(rejected === undefined ? {} : { after: 401 }) });
        const previous: PreviousToken = {
          accessToken: current.accessToken,
          ...(current.refreshToken === undefined ? {} : { refreshToken: current.refreshToken }),
        };
        await store(key, ctx, source, { replaces: tokenIdentity(current), token: refreshed, previous });
        if (source === 'session' && options.updateToken !== undefined) await options.updateToken(provider, refreshed, previous, ctx);
        return refreshed;
      });
    },
  };
}
