import { LOGIN_ERROR_PARAM, LOGIN_ERROR_PROVIDER_PARAM, isLatchkeyError } from '@latchkey/common';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBffClient, createMemoryStorage, type AuthStorage, type BffClientError } from '@latchkey/browser';
import { createAuthState, createBffState, type BffState, type Observable } from '@latchkey/browser/state';
import { startContractServer, type ContractServer } from '../../../test-support/bff-contract-server.js';
import { authorize, logIn, rejection, setPageUrl, startHarness, type Harness } from './harness.js';

/** Every snapshot the store published, from the one it has now. */
function record<T>(store: Observable<T>): T[] {
  const seen = [store.getSnapshot()];
  store.subscribe(() => seen.push(store.getSnapshot()));
  return seen;
}

/** Resolves with the first snapshot that `test` accepts. */
function until<T>(store: Observable<T>, test: (state: T) => boolean): Promise<T> {
  return new Promise((resolve) => {
    if (test(store.getSnapshot())) return resolve(store.getSnapshot());
    const stop = store.subscribe(() => {
      if (!test(store.getSnapshot())) return;
      stop();
      resolve(store.getSnapshot());
    });
  });
}

const navigation = () => vi.spyOn(window.location, 'assign').mockImplementation(() => undefined);

describe('createAuthState against the real provider', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await h.close();
  });

  it('is loading until the stored session is read, then publishes the user in one frozen snapshot', async () => {
    await logIn(h.client());
    const store = createAuthState(h.client());
    const seen = record(store);
    expect(seen[0]).toMatchObject({ isLoading: true, isAuthenticated: false, user: null, error: null });
    await store.ready();
    const state = store.getSnapshot();
    expect(state).toMatchObject({ isLoading: false, isAuthenticated: true, user: { sub: 'u-alice' }, error: null });
    expect(state.expiresAtMs).toBe(h.clock.now() + 3600 * 1000);
    expect(Object.isFrozen(state)).toBe(true);
    expect(seen).toHaveLength(2);
    // Nothing changed: the same snapshot, nobody told (a React render would loop on a new object).
    await store.ready();
    expect(store.getSnapshot()).toBe(state);
    expect(seen).toHaveLength(2);
  });

  it('handles a callback once per URL: a second call shares the first, one code exchange', async () => {
    const client = h.client();
    const store = createAuthState(client);
    await store.ready();
    const url = await authorize(client);
    const seen = record(store);
    const first = store.handleCallback(url);
    expect(store.getSnapshot().isLoading).toBe(true);
    const second = store.handleCallback(url);
    expect(second).toBe(first);
    expect(await first).toMatchObject({ returnTo: '/app/after', user: { sub: 'u-alice' } });
    expect(store.getSnapshot()).toMatchObject({ isLoading: false, isAuthenticated: true, error: null });
    // After it settled, too: the first result, not a `state_used` failure.
    expect(await store.handleCallback(url)).toMatchObject({ user: { sub: 'u-alice' } });
    expect(h.provider.countEvents('token_request', 'authorization_code')).toBe(1);
    expect(seen.at(-1)!.user?.sub).toBe('u-alice');
  });

  it('a denied consent rejects with an AuthError, shown in error; a new login clears it', async () => {
    const client = h.client();
    const store = createAuthState(client);
    await store.ready();
    const failure = await rejection(store.handleCallback(await authorize(client, { decision: 'deny' })));
    expect(isLatchkeyError(failure, 'authorization_denied')).toBe(true);
    expect(store.getSnapshot().error).toBe(failure);
    expect(store.getSnapshot().isLoading).toBe(false);
    await store.login({ redirect: false });
    expect(store.getSnapshot().error).toBeNull();
  });

  it('a session that cannot be loaded ends loading with the error', async () => {
    const broken: AuthStorage = { ...createMemoryStorage(), get: () => Promise.reject(new Error('storage unavailable')) };
    const store = createAuthState(h.client({ storage: broken }));
    await store.ready();
    expect(store.getSnapshot()).toMatchObject({ isLoading: false, isAuthenticated: false });
    expect(store.getSnapshot().error?.message).toBe('storage unavailable');
  });

  it('loginOnce shares one login while it is in flight, and starts a new one after', async () => {
    const client = h.client();
    const store = createAuthState(client);
    const assign = navigation();
    const first = store.loginOnce();
    expect(store.loginOnce()).toBe(first);
    await first;
    expect(assign).toHaveBeenCalledTimes(1);
    await store.loginOnce();
    expect(assign).toHaveBeenCalledTimes(2);
  });

  it('connected, it follows the client: another tab logs out, a revocation fails in the background', async () => {
    const client = h.client();
    await logIn(client);
    const store = createAuthState(client);
    const disconnect = store.connect();
    await until(store, (state) => state.isAuthenticated);
    const otherTab = h.client();
    await otherTab.start();
    await otherTab.logout({ revoke: false });
    await until(store, (state) => !state.isAuthenticated);

    await logIn(client);
    await until(store, (state) => state.isAuthenticated);
    await h.stopProvider();
    await store.logout();
    // The session ends here whatever the provider says; the failed revocation arrives as an event.
    expect(store.getSnapshot().isAuthenticated).toBe(false);
    expect(isLatchkeyError(store.getSnapshot().error, 'network_error')).toBe(true);
    disconnect();
  });

  it('connections are counted: the client is followed until the last one stops', async () => {
    const store = createAuthState(h.client());
    const first = store.connect();
    const second = store.connect();
    await store.ready();
    first();
    first(); // a second call of one stop function counts once
    await logIn(h.client()); // another tab
    await until(store, (state) => state.isAuthenticated);
    second();
    const before = store.getSnapshot();
    await h.client().logout({ revoke: false });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(store.getSnapshot()).toBe(before);
  });
});

describe('createBffState against a server speaking the BFF contract', () => {
  let bff: ContractServer;
  beforeEach(async () => {
    bff = await startContractServer();
    setPageUrl(`${bff.url}/app/home`);
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await bff.close();
  });
  const sessionReads = () => bff.log.filter((entry) => entry.url === '/bff/session').length;

  it('start() reads the session once, however often it is called', async () => {
    const store = createBffState(createBffClient());
    const seen = record(store);
    expect(seen[0]).toMatchObject({ isLoading: true, session: null, isAuthenticated: false });
    store.start();
    store.start();
    await store.ready();
    const state: BffState = store.getSnapshot();
    expect(state).toMatchObject({ isLoading: false, isAuthenticated: true, user: { name: 'Alice Liddell' }, error: null });
    expect(state.session?.connections.map((connection) => connection.provider)).toEqual(['demo']);
    expect(sessionReads()).toBe(1);
    expect(seen).toHaveLength(2);
  });

  it('start() shows a failed login the BFF redirected back with, and cleans the address bar', async () => {
    bff.signedIn = false;
    setPageUrl(`${bff.url}/app/home?${LOGIN_ERROR_PARAM}=authorization_denied&${LOGIN_ERROR_PROVIDER_PARAM}=demo`);
    const store = createBffState(createBffClient());
    store.start();
    const error = store.getSnapshot().error as BffClientError;
    expect(error.code).toBe('authorization_denied');
    expect(error.provider).toBe('demo');
    expect(location.href).toBe(`${bff.url}/app/home`);
    await store.ready();
    expect(store.getSnapshot()).toMatchObject({ isLoading: false, isAuthenticated: false, error });
  });

  it('concurrent refreshes share one request', async () => {
    const store = createBffState(createBffClient());
    const [a, b] = [store.refresh(), store.refresh()];
    expect(b).toBe(a);
    await a;
    expect(sessionReads()).toBe(1);
  });

  it('disconnect and logout re-read the session', async () => {
    const store = createBffState(createBffClient());
    await store.ready();
    await store.disconnect('demo');
    expect(store.getSnapshot().session?.connections).toEqual([]);
    expect(store.getSnapshot().isAuthenticated).toBe(true);
    await store.logout();
    expect(store.getSnapshot()).toMatchObject({ isAuthenticated: false, user: null });
    expect(bff.log.filter((entry) => entry.method === 'POST').map((entry) => entry.csrf)).toEqual(['1', '1']);
  });

  it('a refused disconnect rejects and is shown in error', async () => {
    const store = createBffState(createBffClient());
    await store.ready();
    bff.signedIn = false;
    const failure = await rejection(store.disconnect('demo'));
    expect(isLatchkeyError(failure, 'login_required')).toBe(true);
    expect(store.getSnapshot().error).toBe(failure);
  });

  it('a login_required refusal from the proxy re-reads the session', async () => {
    const store = createBffState(createBffClient());
    await store.ready();
    expect(await (await store.fetch('demo', '/me')).json()).toMatchObject({ path: '/bff/api/demo/me', csrf: '1' });
    bff.signedIn = false;
    expect(isLatchkeyError(await rejection(store.fetch('demo', '/me')), 'login_required')).toBe(true);
    expect(store.getSnapshot().isAuthenticated).toBe(false);
  });

  it('login navigates; an off-site returnTo throws, shown in error until the next login', () => {
    const assign = navigation();
    const store = createBffState(createBffClient());
    expect(() => store.login('demo', { returnTo: '//evil.example' })).toThrow(expect.objectContaining({ code: 'invalid_return_to' }));
    expect(isLatchkeyError(store.getSnapshot().error, 'invalid_return_to')).toBe(true);
    store.login('demo', { returnTo: '/app/profile' });
    expect(assign).toHaveBeenCalledWith(`/bff/login/demo?returnTo=${encodeURIComponent('/app/profile')}`);
    expect(store.getSnapshot().error).toBeNull();
    // Clearing an error that is not there publishes nothing.
    const seen = record(store);
    store.login('demo');
    expect(seen).toHaveLength(1);
  });

  it('an unreachable BFF ends loading with a network_error', async () => {
    const gone = await startContractServer();
    await gone.close();
    setPageUrl(`${gone.url}/app/home`);
    const store = createBffState(createBffClient());
    await store.ready();
    expect(store.getSnapshot()).toMatchObject({ isLoading: false, isAuthenticated: false, session: null });
    expect(isLatchkeyError(store.getSnapshot().error, 'network_error')).toBe(true);
  });
});
