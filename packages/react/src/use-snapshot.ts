import type { Observable } from '@latchkey/browser/state';
import { useMemo, useSyncExternalStore } from 'react';

/**
 * The store's snapshot with `extras` (the store's functions, made once per store) spread over it: a
 * new object when the snapshot changes, so the component re-renders then and only then.
 */
export function useSnapshot<T extends object, E extends object>(store: Observable<T>, extras: E): T & E {
  const state = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);
  return useMemo(() => ({ ...state, ...extras }), [state, extras]);
}
