import type { AuthClient, CallbackResult, LoginParams, LogoutParams } from '@latchkey/browser';
import { createAuthState, type AuthState } from '@latchkey/browser/state';
import type { App, InjectionKey } from 'vue';
import { snapshotRefs, type SnapshotRefs } from './snapshot-refs.js';

/** The plugin of `createLatchkey(client)`: install it with `app.use()`, hand it to `createAuthGuard()`. */
export interface LatchkeyAuth extends SnapshotRefs<AuthState> {
  readonly client: AuthClient;
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
  const state = createAuthState(client);
  const latchkey: LatchkeyAuth = Object.freeze({
    client,
    ...snapshotRefs(state),
    ready: state.ready,
    login: state.login,
    logout: state.logout,
    getAccessToken: client.getAccessToken,
    fetch: client.fetch,
    handleCallback: state.handleCallback,
    install(app: App) {
      app.provide(LATCHKEY_AUTH, latchkey);
      const disconnect = state.connect();
      // `onUnmount` arrived in Vue 3.5; with 3.4 the client keeps following until the page goes.
      if (typeof app.onUnmount === 'function') app.onUnmount(disconnect);
    },
  });
  return latchkey;
}
