import type { BffClient } from '@latchkey/browser';
import { createBffState, type BffSession, type BffState, type BffStateStore } from '@latchkey/browser/state';
import type { App, InjectionKey } from 'vue';
import { keepOutOfRouterQuery, removedQueryParams } from './router-address-bar.js';
import { snapshotRefs, type SnapshotRefs } from './snapshot-refs.js';

export type { BffSession };

/** The plugin of `createLatchkeyBff(client)`: install it with `app.use()`, hand it to `createBffGuard()`. */
export interface LatchkeyBff extends SnapshotRefs<BffState>, Pick<BffStateStore, 'refresh' | 'login' | 'logout' | 'disconnect' | 'fetch'> {
  readonly client: BffClient;
  /** The first session read; `app.use()` starts it, route guards wait for it. */
  ready(): Promise<void>;
  install(app: App): void;
}

export const LATCHKEY_BFF: InjectionKey<LatchkeyBff> = Symbol('latchkey.bff');

/**
 * BFF mode: `app.use(createLatchkeyBff(createBffClient()))`. Installing it picks up a failed login the
 * BFF redirected back with (removing it from the address bar, and from the route of a vue-router
 * installed in the same `app.use()` chain) and reads the session.
 */
export function createLatchkeyBff(client: BffClient): LatchkeyBff {
  const state = createBffState(client);
  const latchkey: LatchkeyBff = Object.freeze({
    client,
    ...snapshotRefs(state),
    ready: state.ready,
    refresh: state.refresh,
    login: state.login,
    logout: state.logout,
    disconnect: state.disconnect,
    fetch: state.fetch,
    install(app: App) {
      app.provide(LATCHKEY_BFF, latchkey);
      const removed = removedQueryParams(() => state.start());
      // With vue-router, its first navigation would write them back.
      if (removed.length > 0) keepOutOfRouterQuery(app, removed);
    },
  });
  return latchkey;
}
