import type { AuthClient } from '../client.js';
import type { CallbackResult } from '../flows/callback.js';
import type { LoginParams } from '../flows/login.js';
import type { LogoutParams } from '../flows/logout.js';
import type { User } from '../session/session.js';
import { createSnapshots, type Observable } from './observable.js';

/** A snapshot of one client's session; a new frozen object on every change. */
export interface AuthState {
  /** The ID token claims of the logged-in user; `null` when logged out, still loading, or without OpenID Connect. */
  readonly user: User | null;
  /** When the access token expires (ms since the epoch); `null` when unknown or logged out. */
  readonly expiresAtMs: number | null;
  /** True when the session has a usable access token or a refresh token. */
  readonly isAuthenticated: boolean;
  /** True until the stored session is loaded, and while a callback is being handled. */
  readonly isLoading: boolean;
  /**
   * The last failure of loading, a callback, a login, a logout or the client's background work; an
   * `AuthError` (check `code`) for every SDK failure. Cleared by a successful login or a new `login()`.
   */
  readonly error: Error | null;
}

/** The session of one `AuthClient` as an observable store, and the actions that change it. */
export interface AuthStateStore extends Observable<AuthState> {
  readonly client: AuthClient;
  /** Loads the stored session (`client.start()`) once; resolves when done, a failure going to `error`. */
  ready(): Promise<void>;
  /**
   * Follows the client's events (refreshes, other tabs logging in or out) and loads the session;
   * returns the function that stops. Counted: the last stop also stops the client, so a UI's
   * mount, unmount, mount (React StrictMode) is safe.
   */
  connect(): () => void;
  /** `client.handleCallback`, once per URL for the store's life: a second call gets the first one's promise. */
  handleCallback(url?: string | URL): Promise<CallbackResult>;
  /** `client.login`, clearing `error` first; a failure also goes to `error`. */
  login(params?: LoginParams): Promise<string>;
  /** A login started by a gate: while one is in flight, another call shares it. */
  loginOnce(params?: LoginParams): Promise<string>;
  /** `client.logout`; a failure also goes to `error`. */
  logout(params?: LogoutParams): Promise<string | null>;
}

/**
 * Builds the store for `client`. Nothing starts here: `connect()` (or `ready()`) loads the session.
 * Create one per client and share it, so every reader sees one state and one set of in-flight callbacks.
 */
export function createAuthState(client: AuthClient): AuthStateStore {
  let loaded = false;
  let callbacksRunning = 0;
  const snapshots = createSnapshots<AuthState>(() => ({
    user: client.user,
    expiresAtMs: client.expiresAtMs,
    isAuthenticated: client.isAuthenticated(),
    isLoading: !loaded || callbacksRunning > 0,
  }));
  const { update, setError, fail } = snapshots;

  let loading: Promise<void> | null = null;
  const ready = () =>
    (loading ??= client
      .start()
      .then(
        () => {
          loaded = true;
          update();
        },
        (cause: unknown) => {
          loaded = true;
          fail(cause);
        },
      )
      // `fail` rethrows; the failure is in `error` and the app carries on logged out.
      .catch(() => undefined));

  const follow = () => {
    const stops = [
      client.on('login', () => setError(null)),
      client.on('tokens', update),
      client.on('logout', update),
      client.on('error', setError),
    ];
    return () => {
      for (const stop of stops) stop();
      client.stop();
      // A later connect() reads the session again: it may have changed while nobody followed.
      loading = null;
    };
  };
  let connections = 0;
  let stopFollowing: (() => void) | null = null;

  const login = (params?: LoginParams) => {
    setError(null);
    return client.login(params).catch(fail);
  };
  let gateLogin: Promise<string> | null = null;
  const callbacks = new Map<string, Promise<CallbackResult>>();

  return Object.freeze({
    client,
    getSnapshot: snapshots.getSnapshot,
    subscribe: snapshots.subscribe,
    ready,
    connect() {
      connections += 1;
      if (connections === 1) stopFollowing = follow();
      void ready();
      let connected = true;
      return () => {
        if (!connected) return;
        connected = false;
        connections -= 1;
        if (connections === 0) {
          stopFollowing?.();
          stopFollowing = null;
        }
      };
    },
    handleCallback(url: string | URL = location.href) {
      const key = String(url);
      let running = callbacks.get(key);
      if (!running) {
        callbacksRunning += 1;
        update();
        running = client
          .handleCallback(url)
          .catch(fail)
          .finally(() => {
            callbacksRunning -= 1;
            update();
          });
        callbacks.set(key, running);
      }
      return running;
    },
    login,
    loginOnce(params?: LoginParams) {
      gateLogin ??= login(params).finally(() => {
        gateLogin = null;
      });
      return gateLogin;
    },
    logout: (params?: LogoutParams) => client.logout(params).catch(fail),
  });
}
