import { isLatchkeyError, type BffSessionResponse } from '@latchkey/common';
import type { BffClient, BffLoginOptions } from '../bff/bff-client.js';
import { createSnapshots, type Observable } from './observable.js';

/** The BFF's `GET /session` answer: the user and the linked providers, never a token. */
export type BffSession = BffSessionResponse;

/** A snapshot of the BFF session; a new frozen object on every change. */
export interface BffState {
  /** The last session read from the BFF; `null` before the first answer. */
  readonly session: BffSession | null;
  /** `session.user`, or `null`. */
  readonly user: BffSession['user'];
  /** True when the BFF says someone is logged in. */
  readonly isAuthenticated: boolean;
  /** True until the first session answer (or failure). */
  readonly isLoading: boolean;
  /**
   * The last failure: a login the BFF redirected back with, or a failed session read, logout or
   * disconnect; a `BffClientError` (check `code`, and `provider` for a login). Cleared by the next `login()`.
   */
  readonly error: Error | null;
}

/** The session of one `BffClient` as an observable store, and the actions that change it. */
export interface BffStateStore extends Observable<BffState> {
  readonly client: BffClient;
  /** Picks up a failed login the BFF redirected back with (removing it from the address bar) and starts the first session read (once). */
  start(): void;
  /** The first session read, started if need be; resolves when it is done, a failure going to `error`. */
  ready(): Promise<void>;
  /** Reads the session again; concurrent calls share one request. */
  refresh(): Promise<BffSession>;
  /** Navigates to the BFF's login route for `provider`; `returnTo` defaults to the current path. Clears `error`; a refusal goes to it. */
  login(provider: string, options?: BffLoginOptions): string;
  /** Ends the BFF session, then reads the session again. */
  logout(): Promise<void>;
  /** Unlinks one provider (the BFF revokes its tokens), then reads the session again. */
  disconnect(provider: string): Promise<void>;
  /** Calls `provider`'s API through the BFF proxy; a `login_required` refusal also re-reads the session. */
  fetch(provider: string, path: string, init?: RequestInit): Promise<Response>;
}

/** Builds the store for `client`. Nothing is read here: `start()` (or `ready()`) does it. */
export function createBffState(client: BffClient): BffStateStore {
  let session: BffSession | null = null;
  let loaded = false;
  const snapshots = createSnapshots<BffState>(() => ({
    session,
    user: session?.user ?? null,
    isAuthenticated: session?.authenticated === true,
    isLoading: !loaded,
  }));
  const { setError, fail } = snapshots;

  let reading: Promise<BffSession> | null = null;
  const refresh = () =>
    (reading ??= client
      .session()
      .then((answer) => (session = answer), fail)
      .finally(() => {
        reading = null;
        loaded = true;
        snapshots.update();
      }));
  let first: Promise<void> | null = null;
  const ready = () =>
    (first ??= refresh().then(
      () => undefined,
      () => undefined,
    ));

  return Object.freeze({
    client,
    getSnapshot: snapshots.getSnapshot,
    subscribe: snapshots.subscribe,
    start() {
      // The BFF's error parameters leave the address bar here, so a second call finds none.
      const failed = client.takeLoginError();
      if (failed) setError(failed);
      void ready();
    },
    ready,
    refresh,
    login(provider: string, options?: BffLoginOptions) {
      setError(null);
      try {
        return client.login(provider, options);
      } catch (cause) {
        return fail(cause);
      }
    },
    async logout() {
      await client.logout().catch(fail);
      await refresh();
    },
    async disconnect(provider: string) {
      await client.disconnect(provider).catch(fail);
      await refresh();
    },
    async fetch(provider: string, path: string, init?: RequestInit) {
      try {
        return await client.fetch(provider, path, init);
      } catch (cause) {
        // The BFF's session ended (expired, or logged out elsewhere): show it.
        if (isLatchkeyError(cause, 'login_required')) await refresh().catch(() => undefined);
        throw cause;
      }
    },
  });
}
