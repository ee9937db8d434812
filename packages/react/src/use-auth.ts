import type { AuthClient, CallbackResult, LoginParams, LogoutParams } from '@latchkey/browser';
import type { AuthState } from '@latchkey/browser/state';
import { useMemo } from 'react';
import { useAuthStore } from './auth-context.js';
import { useSnapshot } from './use-snapshot.js';

export interface UseAuthResult extends AuthState {
  /** The client itself, for what the hook does not cover (`on`, `options`). */
  readonly client: AuthClient;
  /** Navigates to the provider; `returnTo` defaults to the current path. Clears `error` first. */
  login(params?: LoginParams): Promise<string>;
  /** Ends the session here and in other tabs (revoking the tokens by default). */
  logout(params?: LogoutParams): Promise<string | null>;
  /** A valid access token, refreshed when needed; rejects with `login_required` when logged out. */
  getAccessToken(): Promise<string>;
  /** Completes a login on the redirect URI, once per URL however often it is called. `<AuthCallback>` calls it for you. */
  handleCallback(url?: string | URL): Promise<CallbackResult>;
}

/** The session of the nearest `<AuthProvider>` and what to do with it; re-renders on every change. */
export function useAuth(): UseAuthResult {
  const store = useAuthStore('useAuth()');
  const actions = useMemo(
    () => ({
      client: store.client,
      login: store.login,
      logout: store.logout,
      getAccessToken: store.client.getAccessToken,
      handleCallback: store.handleCallback,
    }),
    [store],
  );
  return useSnapshot(store, actions);
}
