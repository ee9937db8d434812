import type { BffClient, BffLoginOptions } from '@latchkey/browser';
import type { BffSession, BffState } from '@latchkey/browser/state';
import { useMemo, useSyncExternalStore } from 'react';
import { useBffStore } from './bff-context.js';

export interface UseBffSessionResult extends BffState {
  /** The client itself, for what the hook does not cover (`providers()`). */
  readonly client: BffClient;
  /** Navigates to the BFF's login route for `provider`; `returnTo` defaults to the current path. Clears `error`. */
  login(provider: string, options?: BffLoginOptions): string;
  /** Ends the BFF session, then reads the session again. */
  logout(): Promise<void>;
  /** Unlinks one provider (the BFF revokes its tokens), then reads the session again. */
  disconnect(provider: string): Promise<void>;
  /** Calls `provider`'s API through the BFF proxy; a `login_required` refusal also re-reads the session. */
  fetch(provider: string, path: string, init?: RequestInit): Promise<Response>;
  /** Reads the session again (after a login in another tab, say). */
  refresh(): Promise<BffSession>;
}

/** The BFF session of the nearest `<BffProvider>` and what to do with it; re-renders on every change. */
export function useBffSession(): UseBffSessionResult {
  const store = useBffStore('useBffSession()');
  const state = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
  return useMemo(
    () => ({
      ...state,
      client: store.client,
      login: store.login,
      logout: store.logout,
      disconnect: store.disconnect,
      fetch: store.fetch,
      refresh: store.refresh,
    }),
    [state, store],
  );
}
