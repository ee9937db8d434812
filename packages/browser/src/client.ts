import type { ClientContext } from './context.js';
import type { AuthEventMap } from './events/auth-events.js';
import { createEmitter, type Listener } from './events/emitter.js';
import { authorizedFetch } from './fetch/authorized-fetch.js';
import { handleCallback, type CallbackResult } from './flows/callback.js';
import { buildLoginUrl, type LoginParams } from './flows/login.js';
import { logout, type LogoutParams } from './flows/logout.js';
import { createTokenSource } from './flows/tokens.js';
import { defaultLock } from './lock/lock.js';
import { httpOptions } from './oauth/http.js';
import { createServerMetadata } from './server-metadata.js';
import { resolveOptions, type AuthClientOptions, type ResolvedOptions } from './options.js';
import { listenToTabs, watchWakeUps, type TabMessage } from './page/tabs.js';
import { isFresh, type User } from './session/session.js';
import { createCachedSession } from './session/cached-session.js';
import { createPendingLoginStore } from './session/pending-logins.js';
import { createIndexedDbStorage } from './storage/indexeddb-storage.js';
import { providerError } from './oauth/errors.js';

export interface AuthClient {
  /** The validated options. */
  readonly options: ResolvedOptions;
  /** The logged-in user's ID token claims, as last read from storage; `null` when logged out or before `start()`. */
  readonly user: User | null;
  /** When the access token expires (ms since the epoch), as last read from storage; `null` when unknown or logged out. */
  readonly expiresAtMs: number | null;
  /** True when the last-read session has a usable access token or a refresh token. */
  isAuthenticated(): boolean;
  /** Starts a login: stores a transaction and navigates to the provider (or returns the URL with `redirect: false`). */
  login(params?: LoginParams): Promise<string>;
  /** Completes a login on the redirect URI. Default `url`: the current location. */
  handleCallback(url?: string | URL): Promise<CallbackResult>;
  /** A valid access token, refreshed when it expires within `refreshSkewSeconds`. */
  getAccessToken(): Promise<string>;
  /** `fetch` with the access token attached for `apiOrigins`; refreshes and retries once on `invalid_token`. */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** Ends the session here and in other tabs; see `LogoutParams`. Resolves to the end-session URL, if any. */
  logout(params?: LogoutParams): Promise<string | null>;
  /** Subscribes to an event; returns the unsubscribe function. */
  on<K extends keyof AuthEventMap>(type: K, listener: Listener<AuthEventMap[K]>): () => void;
  /** Loads the stored session and starts following other tabs and page wake-ups. Idempotent. */
  start(): Promise<User | null>;
  /** Stops what `start()` started. */
  stop(): void;
}

/**
 * Creates a browser client for one OAuth 2 / OpenID Connect public client. Nothing happens here but
 * checking the options: discovery, storage and listeners wait for first use or `start()`.
 */
export function createAuthClient(input: AuthClientOptions): AuthClient {
  const options = resolveOptions(input);
  const storage = input.storage ?? createIndexedDbStorage(options.namespace);
  const lock = input.lock ?? defaultLock();
  const http = httpOptions(options.insecure);
  const ctx: ClientContext = {
    options,
    server: createServerMetadata(options, http),
    client: { client_id: options.clientId },
    http,
    lock,
    session: createCachedSession(storage, `${options.namespace}:session`),
    transactions: createPendingLoginStore(storage, `${options.namespace}:transactions`, lock, options.clock),
    events: createEmitter<AuthEventMap>(),
    dpop: input.dpop,
  };
  const tokens = createTokenSource(ctx);
  const { session, events } = ctx;
  let watching: AbortController | null = null;

  // Another tab (`type`: what it did) or a page that slept (no `type`) may have changed the session:
  // re-read it and say what changed; after a sleep, also refresh a token that fell due meanwhile (the
  // token source refreshes only then).
  async function sync(type?: TabMessage['type']): Promise<void> {
    const before = session.cached;
    const now = await session.read();
    if (before && !now) events.emit('logout', { reason: 'other_tab' });
    else if (now && type === 'login') events.emit('login', { user: now.user });
    else if (now && type === 'tokens') events.emit('tokens', { expiresAtMs: now.expiresAt, scope: now.scope ?? null });
    if (!type && now) await tokens.current();
  }
  const report = (error: unknown) => events.emit('error', providerError(error, 'refresh_failed'));

  return Object.freeze({
    options,
    get user() {
      return session.cached?.user ?? null;
    },
    get expiresAtMs() {
      return session.cached?.expiresAt ?? null;
    },
    isAuthenticated() {
      const current = session.cached;
      return !!current && (!!current.refreshToken || isFresh(current, options.clock(), 0));
    },
    async login(params: LoginParams = {}) {
      const url = await buildLoginUrl(ctx, params);
      if (params.redirect !== false) location.assign(url);
      return url;
    },
    handleCallback: (url: string | URL = location.href) => handleCallback(ctx, url),
    getAccessToken: async () => (await tokens.current()).accessToken,
    fetch: (request: RequestInfo | URL, init?: RequestInit) => authorizedFetch(ctx, tokens, request, init),
    async logout(params: LogoutParams = {}) {
      const url = await logout(ctx, params);
      if (url && params.redirect !== false) location.assign(url);
      return url;
    },
    on: events.on,
    async start() {
      if (!watching) {
        watching = new AbortController();
        listenToTabs(options.namespace, (message) => void sync(message.type).catch(report), watching.signal);
        watchWakeUps(() => void sync().catch(report), watching.signal);
      }
      return (await session.read())?.user ?? null;
    },
    stop() {
      watching?.abort();
      watching = null;
    },
  });
}
