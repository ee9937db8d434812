import { isLatchkeyError, type BffClient, type BffLoginOptions } from '@latchkey/browser';
import { createExternalStore, type ExternalStore } from './external-store.js';

/** The BFF's `GET /session` answer: the user and the linked providers, never a token. */
export type BffSession = Awaited<ReturnType<BffClient['session']>>;

/** What `useBffSession()` reads; a new object on every change. */
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
   * disconnect; a `BffError` (check `code`, and `provider` for a login). Cleared by the next `login()`.
   */
  readonly error: Error | null;
}

export interface BffStore {
  readonly client: BffClient;
  readonly state: ExternalStore<BffState>;
  /** Reads a failed login from the address bar (once) and loads the session; counted, so StrictMode is safe. */
  connect(): () => void;
  /** Reads `/session` again; concurrent calls share one request. */
  refresh(): Promise<BffSession>;
  login(provider: string, options?: BffLoginOptions): string;
  logout(): Promise<void>;
  disconnect(provider: string): Promise<void>;
  fetch(provider: string, path: string, init?: RequestInit): Promise<Response>;
}

const stores = new WeakMap<BffClient, BffStore>();

export function bffStoreFor(client: BffClient): BffStore {
  let store = stores.get(client);
  if (!store) {
    store = createBffStore(client);
    stores.set(client, store);
  }
  return store;
}

function createBffStore(client: BffClient): BffStore {
  let session: BffSession | null = null;
  let loaded = false;
  let error: Error | null = null;
  const read = (): BffState =>
    Object.freeze({
      session,
      user: session?.user ?? null,
      isAuthenticated: session?.authenticated === true,
      isLoading: !loaded,
      error,
    });
  const state = createExternalStore(read());
  const update = () => state.set(read());
  const fail = (cause: unknown): never => {
    error = cause instanceof Error ? cause : new Error(String(cause));
    update();
    throw cause;
  };

  let reading: Promise<BffSession> | null = null;
  const refresh = () =>
    (reading ??= client
      .session()
      .then(
        (answer) => {
          session = answer;
          return answer;
        },
        fail,
      )
      .finally(() => {
        reading = null;
        loaded = true;
        update();
      }));

  let connections = 0;
  let loginErrorTaken = false;
  return {
    client,
    state,
    connect() {
      connections += 1;
      if (!loginErrorTaken) {
        loginErrorTaken = true;
        const failed = client.takeLoginError();
        if (failed) {
          error = failed;
          update();
        }
      }
      if (connections === 1 && !loaded) refresh().catch(() => undefined);
      let connected = true;
      return () => {
        if (connected) connections -= 1;
        connected = false;
      };
    },
    refresh,
    login(provider, options) {
      error = null;
      update();
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
    async disconnect(provider) {
      await client.disconnect(provider).catch(fail);
      await refresh();
    },
    async fetch(provider, path, init) {
      try {
        return await client.fetch(provider, path, init);
      } catch (cause) {
        // The BFF's session ended (expired, or logged out elsewhere): show it.
        if (isLatchkeyError(cause, 'login_required')) await refresh().catch(() => undefined);
        throw cause;
      }
    },
  };
}
