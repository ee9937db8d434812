import type { BffClient } from '@latchkey/browser';
import type { BffState, BffStateStore } from '@latchkey/browser/state';
import { useMemo } from 'react';
import { useBffStore } from './bff-context.js';
import { useSnapshot } from './use-snapshot.js';

export interface UseBffSessionResult extends BffState, Pick<BffStateStore, 'login' | 'logout' | 'disconnect' | 'fetch' | 'refresh'> {
  /** The client itself, for what the hook does not cover (`providers()`). */
  readonly client: BffClient;
}

/** The BFF session of the nearest `<BffProvider>` and what to do with it; re-renders on every change. */
export function useBffSession(): UseBffSessionResult {
  const store = useBffStore('useBffSession()');
  const actions = useMemo(
    () => ({
      client: store.client,
      login: store.login,
      logout: store.logout,
      disconnect: store.disconnect,
      fetch: store.fetch,
      refresh: store.refresh,
    }),
    [store],
  );
  return useSnapshot(store, actions);
}
