import { randomBytes } from 'node:crypto';
import type { Context, Next } from 'koa';
import { BffError } from '../errors.js';
import type { BffLogger } from '../logger.js';
import { errorFields, toBffError } from '../http/respond.js';
import { requestCookie } from '../http/request-cookie.js';
import type { RefreshLock } from '../stores/refresh-lock.js';
import { sessionLockKey } from '../tokens/token-manager.js';
import type { OAuthToken } from '../tokens/token.js';
import type { SessionBridge } from '../tokens/session-bridge.js';
import { emptySessionData, type BffSessionData } from '../tokens/session-data.js';
import { createSessionBridge, MAX_WRITE_ATTEMPTS } from './create-session-bridge.js';
import type { LoginIndex } from './login-index.js';
import { bindLogin, clearLoginBinding, currentBinding, isBoundHere } from './login-binding.js';
import { renewal } from './renew-session.js';
import { createRequestSessions, modeOf } from './request-session.js';
import { clearSessionCookie, cookieModeOf, writeSessionCookie, type CookieMode, type ResolvedCookie } from './session-cookie.js';
import { loginsOfLinked, type ProviderLogin, type SessionRecord, type SessionRecords, type SessionSnapshot } from './session-record.js';

export interface SessionLayer {
  readonly bridge: SessionBridge;
  /** Records the request's cookie mode; `isRoute` for the BFF's own routes (not the proxy). */
  begin(ctx: Context, isRoute: boolean): CookieMode | null;
  /** Runs a BFF route, then renews the idle lifetime of a session it read once half of it has passed. */
  run(ctx: Context, next: Next): Promise<void>;
  /** The session's current data, from one store read per request. */
  current(ctx: Context): Promise<BffSessionData | undefined>;
  /**
   * Keeps (or makes) this browser's login-binding cookie for another `loginTimeoutMs`; returns the binding a
   * transaction records. `renew` makes a new value, so nothing pending under the old one completes (logout).
   */
  bindLogin(ctx: Context, renew?: boolean): string;
  /** True when `binding` was made from this browser's login-binding cookie. */
  isBoundHere(ctx: Context, binding: string): boolean;
  /** This browser's binding, if it has a login-binding cookie (nothing is made or extended). */
  currentBinding(ctx: Context): string | undefined;
  /**
   * Runs `task` holding the refresh locks of `providers` in this request's session (every linked
   * provider for `'linked'`), with the session as stored once they are held: a refresh in flight has
   * finished and saved its token, and none starts until `task` is done. Locks are taken in name order,
   * so two tasks never wait on each other.
   */
  withLocks<T>(ctx: Context, providers: readonly string[] | 'linked', task: (fresh: SessionSnapshot | undefined) => Promise<T>): Promise<T>;
  /**
   * Completes a login: the data `update` makes of the stored session (or an empty one) moves to a new
   * session id (against fixation), the old id is destroyed, and the cookie names the new one. `linked`
   * is the provider just logged in with and its provider login, which the logout index learns; a login
   * the provider ended meanwhile fails with `login_failed`, leaving the old session as it was. Call it
   * inside `withLocks(ctx, 'linked', ...)`.
   */
  rotate(
    ctx: Context,
    fresh: SessionSnapshot | undefined,
    update: (existing: BffSessionData) => BffSessionData,
    linked: { provider: string; login: ProviderLogin | undefined },
  ): Promise<void>;
  /**
   * Changes the stored session with `update` (compare-and-set, read again and retried when another write
   * came first); `undefined` leaves it as it is. Resolves false when there is no session.
   */
  update(ctx: Context, update: (existing: Readonly<SessionRecord>) => BffSessionData | undefined): Promise<boolean>;
  /** Destroys the session in the store and clears its cookie, and the login-binding cookie (pending logins end too). */
  destroy(ctx: Context): Promise<void>;
}

export interface SessionLayerOptions {
  /** The registry's refresh lock: logout, disconnect and login completion take it too. */
  lock: RefreshLock;
  /** Milliseconds since the epoch. */
  now: () => number;
  /** How long a started login stays valid: the login-binding cookie's lifetime. */
  loginTimeoutMs: number;
  /**
   * A refreshed token whose session ended (or whose provider was disconnected) while it was being
   * refreshed: revoke it, so nothing keeps the grant alive at the provider.
   */
  orphanedToken: (provider: string, token: OAuthToken) => Promise<void>;
  /** Which sessions came from which provider login, for back-channel logout. */
  logoutIndex: LoginIndex;
  logger: BffLogger;
}

const genid = () => randomBytes(32).toString('base64url');

/**
 * Server-side sessions by our own small layer over the store: the cookie carries a random id, the store
 * a sealed record under a keyed hash of it. Every write is a compare-and-set against what was read,
 * and routes that change a linked provider do so under its refresh lock, so a logout or disconnect
 * stays done (no refresh in flight writes the session back or keeps a grant alive).
 */
export function createSessionLayer(records: SessionRecords, cookie: ResolvedCookie, options: SessionLayerOptions): SessionLayer {
  const { lock, now, logoutIndex } = options;
  // The session is already gone or changed: an index entry left behind points at nothing and expires.
  const unlink = async (key: string, logins: Readonly<Record<string, ProviderLogin>>) => {
    if (Object.keys(logins).length === 0) return;
    try {
      await logoutIndex.unlink(key, logins);
    } catch (error) {
      options.logger.warn('logout index not updated', errorFields(toBffError(error)));
    }
  };
  const requests = createRequestSessions(records);
  const bridge = createSessionBridge(records, requests, options.orphanedToken);
  const renew = renewal({ records, cookie, now, logger: options.logger });
  const load = requests.load;
  const stateOf = requests.of;

  const layer: SessionLayer = {
    bridge,

    begin(ctx, isRoute) {
      const mode = cookieModeOf(ctx, cookie);
      requests.begin(ctx, { mode, isRoute });
      return mode;
    },

    async run(ctx, next) {
      const state = stateOf(ctx);
      await next();
      if (state.isRoute) await renew(ctx, state);
    },

    async current(ctx) {
      return bridge.load(ctx);
    },

    bindLogin(ctx, renew = false) {
      return bindLogin(ctx, modeOf(stateOf(ctx)), options.loginTimeoutMs, renew);
    },

    isBoundHere(ctx, binding) {
      return isBoundHere(ctx, modeOf(stateOf(ctx)), binding);
    },

    currentBinding(ctx) {
      return currentBinding(ctx, modeOf(stateOf(ctx)));
    },

    async withLocks<T>(
      ctx: Context,
      providers: readonly string[] | 'linked',
      task: (fresh: SessionSnapshot | undefined) => Promise<T>,
    ): Promise<T> {
      const state = stateOf(ctx);
      const { id, snapshot } = await load(state, ctx);
      if (id === undefined || snapshot === undefined) return task(undefined);
      const names = [...new Set(providers === 'linked' ? Object.keys(snapshot.record.connections) : providers)].sort();
      const locked = async (index: number): Promise<T> => {
        const name = names[index];
        if (name === undefined) return task(await records.read(id));
        return lock.withLock(sessionLockKey(id, name), () => locked(index + 1));
      };
      return locked(0);
    },

    async rotate(ctx, fresh, update, linked) {
      const state = stateOf(ctx);
      const mode = modeOf(state);
      const data = update(fresh?.record ?? emptySessionData());
      const at = now();
      // A new session's absolute lifetime starts now; linking another provider does not extend it.
      const absoluteExpiresAt = fresh?.record.absoluteExpiresAt ?? at + cookie.absoluteMaxAgeMs;
      const { [linked.provider]: _previous, ...others } = loginsOfLinked(fresh?.record.providerLogins, data.connections);
      const providerLogins = linked.login === undefined ? others : { ...others, [linked.provider]: linked.login };
      const record: SessionRecord = {
        user: data.user,
        connections: data.connections,
        idleExpiresAt: Math.min(at + cookie.maxAgeMs, absoluteExpiresAt),
        absoluteExpiresAt,
        ...(Object.keys(providerLogins).length === 0 ? {} : { providerLogins }),
      };
      const id = genid();
      if (!(await records.create(id, record))) throw new BffError('internal_error', 'A new session id was already taken.');
      // Indexed once stored: a logout token arriving before finds nothing, but leaves a mark that refuses
      // this login here (its ID token is no newer); one arriving after finds the session.
      if (record.providerLogins !== undefined) {
        try {
          await logoutIndex.link(records.keyOf(id), record.providerLogins, absoluteExpiresAt);
        } catch (error) {
          await records.destroy(id);
          throw error;
        }
      }
      const oldId = state.loaded?.id;
      if (oldId !== undefined) await records.destroy(oldId);
      if (fresh !== undefined) await unlink(fresh.key, fresh.record.providerLogins ?? {});
      writeSessionCookie(ctx, mode, id, records.lifeLeftMs(record));
      state.written = true;
      delete state.overrides;
    },

    async update(ctx, change) {
      const state = stateOf(ctx);
      const id = (await load(state, ctx)).id;
      if (id === undefined) return false;
      for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS; attempt++) {
        const fresh = await records.read(id);
        if (fresh === undefined) return false;
        const data = change(fresh.record);
        if (data === undefined) return true;
        const providerLogins = loginsOfLinked(fresh.record.providerLogins, data.connections);
        const { providerLogins: _stored, ...rest } = fresh.record;
        const record: SessionRecord = {
          ...rest,
          user: data.user,
          connections: data.connections,
          ...(Object.keys(providerLogins).length === 0 ? {} : { providerLogins }),
        };
        if (await records.update(id, fresh, record)) {
          state.written = true;
          delete state.overrides;
          // A provider unlinked here: its logout tokens no longer end this session.
          const { providerLogins: before = {} } = fresh.record;
          await unlink(
            fresh.key,
            Object.fromEntries(Object.entries(before).filter(([provider]) => !Object.hasOwn(providerLogins, provider))),
          );
          return true;
        }
      }
      throw new BffError('internal_error', 'The session changed under every attempt to write it.');
    },

    async destroy(ctx) {
      const state = stateOf(ctx);
      const mode = modeOf(state);
      const { id, snapshot } = await load(state, ctx);
      if (id !== undefined) await records.destroy(id);
      if (snapshot !== undefined) await unlink(snapshot.key, snapshot.record.providerLogins ?? {});
      if (id !== undefined || requestCookie(ctx.req.headers, mode.name) !== undefined) clearSessionCookie(ctx, mode);
      clearLoginBinding(ctx, mode);
      state.written = true;
    },
  };
  return layer;
}
