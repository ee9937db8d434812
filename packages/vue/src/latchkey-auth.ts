import type { AuthClient, CallbackResult, LoginParams, LogoutParams, User } from '@latchkey/browser';
import { computed, shallowRef, type App, type ComputedRef, type InjectionKey } from 'vue';

/** The plugin of `createLatchkey(client)`: install it with `app.use()`, hand it to `createAuthGuard()`. */
export interface LatchkeyAuth {
  readonly client: AuthClient;
  /** The ID token claims of the logged-in user; `null` when logged out, still loading, or without OpenID Connect. */
  readonly user: ComputedRef<User | null>;
  /** When the access token expires (ms since the epoch); `null` when unknown or logged out. */
  readonly expiresAt: ComputedRef<number | null>;
  /** True when the session has a usable access token or a refresh token. */
  readonly isAuthenticated: ComputedRef<boolean>;
  /** True until the stored session is loaded, and while a callback is being handled. */
  readonly isLoading: ComputedRef<boolean>;
  /**
   * The last failure of loading, a callback, a login, a logout or the client's background work; an
   * `AuthError` (check `code`) for every SDK failure. Cleared by a successful login or a new `login()`.
   */
  readonly error: ComputedRef<Error | null>;
  /** Loads the stored session (once); `app.use()` starts it, route guards wait for it. */
  ready(): Promise<void>;
  /** Navigates to the provider; `returnTo` defaults to the current path. Clears `error` first. */
  login(params?: LoginParams): Promise<string>;
  /** Ends the session here and in other tabs (revoking the tokens by default). */
  logout(params?: LogoutParams): Promise<string | null>;
  /** A valid access token, refreshed when needed; rejects with `login_required` when logged out. */
  getAccessToken(): Promise<string>;
  /** `fetch` with the access token for the client's `apiOrigins`; one refresh and retry on `invalid_token`. */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** Completes a login on the redirect URI, once per URL however often it is called. */
  handleCallback(url?: string | URL): Promise<CallbackResult>;
  install(app: App): void;
}

export const LATCHKEY_AUTH: InjectionKey<LatchkeyAuth> = Symbol('latchkey.auth');

/**
 * The Vue plugin for one `AuthClient`: `app.use(createLatchkey(client))`. Installing it loads the
 * stored session and follows the client's events (refreshes, other tabs logging in or out) until the
 * app unmounts. Nothing happens before `app.use()` or `ready()`.
 */
export function createLatchkey(client: AuthClient): LatchkeyAuth {
  const user = shallowRef(client.user);
  const expiresAt = shallowRef(client.expiresAt);
  const isAuthenticated = shallowRef(client.isAuthenticated());
  const isLoading = shallowRef(true);
  const error = shallowRef<Error | null>(null);
  let loaded = false;
  let callbacksRunning = 0;
  const sync = () => {
    user.value = client.user;
    expiresAt.value = client.expiresAt;
    isAuthenticated.value = client.isAuthenticated();
    isLoading.value = !loaded || callbacksRunning > 0;
  };
  const fail = (cause: unknown): never => {
    error.value = cause instanceof Error ? cause : new Error(String(cause));
    sync();
    throw cause;
  };

  let loading: Promise<void> | null = null;
  const ready = () =>
    (loading ??= client.start().then(
      () => {
        loaded = true;
        sync();
      },
      (cause: unknown) => {
        loaded = true;
        try {
          fail(cause);
        } catch {
          // Recorded in `error`; the app carries on logged out.
        }
      },
    ));

  let apps = 0;
  let stopFollowing: (() => void) | null = null;
  const follow = () => {
    const stops = [
      client.on('login', () => {
        error.value = null;
        sync();
      }),
      client.on('tokens', sync),
      client.on('logout', sync),
      client.on('error', (failure) => {
        error.value = failure;
      }),
    ];
    return () => {
      for (const stop of stops) stop();
      client.stop();
      loading = null;
    };
  };

  const callbacks = new Map<string, Promise<CallbackResult>>();
  const latchkey: LatchkeyAuth = Object.freeze({
    client,
    user: computed(() => user.value),
    expiresAt: computed(() => expiresAt.value),
    isAuthenticated: computed(() => isAuthenticated.value),
    isLoading: computed(() => isLoading.value),
    error: computed(() => error.value),
    ready,
    login(params?: LoginParams) {
      error.value = null;
      return client.login(params).catch(fail);
    },
    logout: (params?: LogoutParams) => client.logout(params).catch(fail),
    getAccessToken: () => client.getAccessToken(),
    fetch: client.fetch,
    handleCallback(url: string | URL = location.href) {
      const key = String(url);
      let running = callbacks.get(key);
      if (!running) {
        callbacksRunning += 1;
        sync();
        running = client
          .handleCallback(url)
          .catch(fail)
          .finally(() => {
            callbacksRunning -= 1;
            sync();
          });
        callbacks.set(key, running);
      }
      return running;
    },
    install(app: App) {
      app.provide(LATCHKEY_AUTH, latchkey);
      apps += 1;
      if (apps === 1) stopFollowing = follow();
      void ready();
      // `onUnmount` arrived in Vue 3.5; with 3.4 the client keeps following until the page goes.
      if (typeof app.onUnmount === 'function') {
        app.onUnmount(() => {
          apps -= 1;
          if (apps === 0) {
            stopFollowing?.();
            stopFollowing = null;
          }
        });
      }
    },
  });
  return latchkey;
}
