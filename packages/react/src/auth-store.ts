import type { AuthClient, CallbackResult, LoginParams, LogoutParams, User } from '@latchkey/browser';
import { createExternalStore, type ExternalStore } from './external-store.js';

/** What `useAuth()` reads; a new object on every change. */
export interface AuthState {
  /** The ID token claims of the logged-in user; `null` when logged out, still loading, or without OpenID Connect. */
  readonly user: User | null;
  /** When the access token expires (ms since the epoch); `null` when unknown or logged out. */
  readonly expiresAt: number | null;
  /** True when the session has a usable access token or a refresh token. */
  readonly isAuthenticated: boolean;
  /** True until the stored session is loaded, and while a callback is being handled. */
  readonly isLoading: boolean;
  /**
   * The last failure of loading, a callback, a login or the client's background work; an `AuthError`
   * (check `code`) for every SDK failure. Cleared by a successful login or a new `login()`.
   */
  readonly error: Error | null;
}

/** The bridge between one `AuthClient` and every component that uses it. */
export interface AuthStore {
  readonly client: AuthClient;
  readonly state: ExternalStore<AuthState>;
  /** Follows the client's events and loads the session; returns the function that stops. Counted, so StrictMode's mount, unmount, mount is safe. */
  connect(): () => void;
  /** `client.handleCallback`, once per URL for the store's life: a second call gets the first one's result. */
  handleCallback(url?: string | URL): Promise<CallbackResult>;
  login(params?: LoginParams): Promise<string>;
  /** A login started by a gate: while one is in flight, another call shares it. */
  loginOnce(params?: LoginParams): Promise<string>;
  logout(params?: LogoutParams): Promise<string | null>;
  getAccessToken(): Promise<string>;
}

// One store per client, so every provider, hook and StrictMode remount of one client shares one state
// and one set of in-flight callbacks.
const stores = new WeakMap<AuthClient, AuthStore>();

export function authStoreFor(client: AuthClient): AuthStore {
  let store = stores.get(client);
  if (!store) {
    store = createAuthStore(client);
    stores.set(client, store);
  }
  return store;
}

function createAuthStore(client: AuthClient): AuthStore {
  let loaded = false;
  let callbacksRunning = 0;
  let error: Error | null = null;
  const read = (): AuthState =>
    Object.freeze({
      user: client.user,
      expiresAt: client.expiresAt,
      isAuthenticated: client.isAuthenticated(),
      isLoading: !loaded || callbacksRunning > 0,
      error,
    });
  const state = createExternalStore(read());
  const update = () => state.set(read());
  const fail = (cause: unknown): never => {
    error = cause instanceof Error ? cause : new Error(String(cause));
    update();
    throw cause;
  };

  let connections = 0;
  let disconnect: (() => void) | null = null;
  const callbacks = new Map<string, Promise<CallbackResult>>();
  let gateLogin: Promise<string> | null = null;

  const login = (params?: LoginParams) => {
    if (error) {
      error = null;
      update();
    }
    return client.login(params).catch(fail);
  };

  return {
    client,
    state,
    connect() {
      connections += 1;
      if (connections === 1) {
        const stops = [
          client.on('login', () => {
            error = null;
            update();
          }),
          client.on('tokens', update),
          client.on('logout', update),
          client.on('error', (failure) => {
            error = failure;
            update();
          }),
        ];
        client.start().then(
          () => {
            loaded = true;
            update();
          },
          (cause: unknown) => {
            loaded = true;
            try {
              fail(cause);
            } catch {
              // Recorded in `error`; nobody awaits this load.
            }
          },
        );
        disconnect = () => {
          for (const stop of stops) stop();
          client.stop();
        };
      }
      let connected = true;
      return () => {
        if (!connected) return;
        connected = false;
        connections -= 1;
        if (connections === 0) {
          disconnect?.();
          disconnect = null;
        }
      };
    },
    handleCallback(url = location.href) {
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
    loginOnce(params) {
      gateLogin ??= login(params).finally(() => {
        gateLogin = null;
      });
      return gateLogin;
    },
    logout: (params) => client.logout(params).catch(fail),
    getAccessToken: () => client.getAccessToken(),
  };
}
