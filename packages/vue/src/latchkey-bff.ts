import { isLatchkeyError, type BffClient, type BffLoginOptions } from '@latchkey/browser';
import { computed, shallowRef, type App, type ComputedRef, type InjectionKey } from 'vue';

/** The BFF's `GET /session` answer: the user and the linked providers, never a token. */
export type BffSession = Awaited<ReturnType<BffClient['session']>>;

/** The plugin of `createLatchkeyBff(client)`: install it with `app.use()`, hand it to `createBffGuard()`. */
export interface LatchkeyBff {
  readonly client: BffClient;
  /** The last session read from the BFF; `null` before the first answer. */
  readonly session: ComputedRef<BffSession | null>;
  /** `session.user`, or `null`. */
  readonly user: ComputedRef<BffSession['user']>;
  /** True when the BFF says someone is logged in. */
  readonly isAuthenticated: ComputedRef<boolean>;
  /** True until the first session answer (or failure). */
  readonly isLoading: ComputedRef<boolean>;
  /**
   * The last failure: a login the BFF redirected back with, or a failed session read, logout or
   * disconnect; a `BffError` (check `code`, and `provider` for a login). Cleared by the next `login()`.
   */
  readonly error: ComputedRef<Error | null>;
  /** The first session read; `app.use()` starts it, route guards wait for it. */
  ready(): Promise<void>;
  /** Reads the session again; concurrent calls share one request. */
  refresh(): Promise<BffSession>;
  /** Navigates to the BFF's login route for `provider`; `returnTo` defaults to the current path. Clears `error`. */
  login(provider: string, options?: BffLoginOptions): string;
  /** Ends the BFF session, then reads the session again. */
  logout(): Promise<void>;
  /** Unlinks one provider (the BFF revokes its tokens), then reads the session again. */
  disconnect(provider: string): Promise<void>;
  /** Calls `provider`'s API through the BFF proxy; a `login_required` refusal also re-reads the session. */
  fetch(provider: string, path: string, init?: RequestInit): Promise<Response>;
  install(app: App): void;
}

export const LATCHKEY_BFF: InjectionKey<LatchkeyBff> = Symbol('latchkey.bff');

/**
 * BFF mode: `app.use(createLatchkeyBff(createBffClient()))`. Installing it picks up a failed login the
 * BFF redirected back with (removing it from the address bar) and reads the session.
 */
export function createLatchkeyBff(client: BffClient): LatchkeyBff {
  const session = shallowRef<BffSession | null>(null);
  const isLoading = shallowRef(true);
  const error = shallowRef<Error | null>(null);
  const fail = (cause: unknown): never => {
    error.value = cause instanceof Error ? cause : new Error(String(cause));
    throw cause;
  };

  let reading: Promise<BffSession> | null = null;
  const refresh = () =>
    (reading ??= client
      .session()
      .then((answer) => (session.value = answer), fail)
      .finally(() => {
        reading = null;
        isLoading.value = false;
      }));
  let first: Promise<void> | null = null;
  const ready = () => (first ??= refresh().then(() => undefined, () => undefined));

  let loginErrorTaken = false;
  const latchkey: LatchkeyBff = Object.freeze({
    client,
    session: computed(() => session.value),
    user: computed(() => session.value?.user ?? null),
    isAuthenticated: computed(() => session.value?.authenticated === true),
    isLoading: computed(() => isLoading.value),
    error: computed(() => error.value),
    ready,
    refresh,
    login(provider: string, options?: BffLoginOptions) {
      error.value = null;
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
    install(app: App) {
      app.provide(LATCHKEY_BFF, latchkey);
      if (!loginErrorTaken) {
        loginErrorTaken = true;
        const failed = client.takeLoginError();
        if (failed) error.value = failed;
      }
      void ready();
    },
  });
  return latchkey;
}
